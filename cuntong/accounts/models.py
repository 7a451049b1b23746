"""Users, organisations, roles and memberships: who may see and do what, where."""

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AbstractUser, Permission, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.fields import BlindIndexField, PhoneNumberField
from cuntong.core.scoping import RestrictedManager, RestrictedQuerySet, Scope

from . import rules


def validate_credit_code(value: str) -> None:
    error = rules.credit_code_error(value)
    if error:
        raise ValidationError(error, code="credit_code")


class Organisation(models.Model):
    """A member unit (成员单位), township government, contractor, training provider, cooperative …"""

    class Kind(models.TextChoices):
        MEMBER_UNIT = "member_unit", _("成员单位")
        TOWNSHIP_GOVERNMENT = "township", _("乡镇街道")
        CONTRACTOR = "contractor", _("承办单位")
        TRAINING_PROVIDER = "training_provider", _("培训机构")
        COOPERATIVE = "cooperative", _("合作社")
        ENTERPRISE = "enterprise", _("企业")
        EVALUATOR = "evaluator", _("第三方评估机构")
        OTHER = "other", _("其他")

    # Registered per programme (a contractor serving two counties is registered in each): so its records, its
    # change history and the evidence attached to it belong to one programme, like every business record.
    scope = Scope(programme="programme", area="area")

    name = models.CharField(_("名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="organisations"
    )
    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("所属项目"), on_delete=models.CASCADE, related_name="organisations"
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code])
    duties = models.TextField(_("职责"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = PhoneNumberField(_("联系电话"), blank=True)
    contact_phone_hash = BlindIndexField(source="contact_phone")
    is_active = models.BooleanField(_("有效"), default=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["kind", "name"]
        permissions = [("reveal_organisation", _("查看机构联系人完整电话"))]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="accounts_organisation_name_unique"),
            models.UniqueConstraint(
                fields=["programme", "credit_code"],
                condition=~Q(credit_code=""),
                name="accounts_organisation_credit_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organisation_detail", args=[self.pk])


class Role(models.Model):
    """A permission set; built-in roles mirror DESIGN §1 and are kept in step by ``roles.sync``."""

    class Duty(models.TextChoices):
        NONE = "", _("业务角色")
        SYSTEM = "system", _("系统管理员")
        SECURITY = "security", _("安全管理员")
        AUDIT = "audit", _("审计管理员")

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    description = models.TextField(_("说明"), blank=True)
    permissions = models.ManyToManyField(Permission, verbose_name=_("权限"), blank=True, related_name="+")
    own_records_only = models.BooleanField(
        _("仅本人/本单位记录"),
        default=False,
        help_text=_("站长只看本站，承办单位只看本单位合同，培训机构只看本机构培训"),
    )
    duty = models.CharField(_("三员职责"), max_length=16, choices=Duty.choices, blank=True, default="")
    requires_otp = models.BooleanField(_("必须双因素认证"), default=False)
    is_builtin = models.BooleanField(_("内置"), default=False, editable=False)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:role_detail", args=[self.pk])


@dataclass(frozen=True)
class Grant:
    """One membership as the scoping mechanism sees it (see cuntong.core.scoping.ScopeGrant)."""

    area_code: str
    organisation_id: int | None
    own_records_only: bool
    permissions: frozenset[str]


class ScopedUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    """Django's user manager with ``restrict``."""


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = PhoneNumberField(_("手机号"), blank=True)
    phone_hash = BlindIndexField(source="phone")
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    scope = Scope(programme=None, area="memberships__area", spans_many=True)
    history_exclude = ("password",)

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        permissions = [("unlock_user", _("解除登录锁定")), ("reveal_user", _("查看用户完整手机号"))]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    @cached_property
    def active_memberships(self) -> list["Membership"]:
        if not self.pk:
            return []
        return list(Membership.objects.active().filter(user=self).select_related("role", "area", "organisation"))

    def scope_grants(self) -> list[Grant]:
        grants = getattr(self, "_scope_grants", None)
        if grants is None:
            memberships = self.active_memberships
            codes_by_role = _permission_names_by_role({m.role_id for m in memberships})
            grants = [
                Grant(
                    m.area.code, m.organisation_id, m.role.own_records_only, codes_by_role.get(m.role_id, frozenset())
                )
                for m in memberships
            ]
            self._scope_grants = grants
        return grants

    def primary_scope_area_id(self) -> int | None:
        memberships = self.active_memberships
        return memberships[0].area_id if memberships else None

    def history_area_id(self) -> int | None:
        """Where changes of this account are filed for scoped reading of the change history (read afresh: the
        account may be saved before its first membership exists)."""
        return Membership.objects.active().filter(user_id=self.pk).values_list("area_id", flat=True).first()

    def role_summary(self) -> str:
        """洪阳镇干部（洪阳镇）、…: the active memberships, from a ``memberships`` prefetch where there is one."""
        today = timezone.localdate()
        return "、".join(
            f"{m.role.name}（{m.area.name}）"
            for m in self.memberships.all()
            if m.is_active and (m.valid_until is None or m.valid_until >= today)
        )

    @property
    def roles(self) -> set[str]:
        return {m.role.code for m in self.active_memberships}

    @property
    def duties(self) -> set[str]:
        return {m.role.duty for m in self.active_memberships if m.role.duty}

    @property
    def requires_otp(self) -> bool:
        return self.is_superuser or any(m.role.requires_otp for m in self.active_memberships)


def _permission_names_by_role(role_ids: set[int]) -> dict[int, frozenset[str]]:
    rows = Role.permissions.through.objects.filter(role_id__in=role_ids).values_list(
        "role_id", "permission__content_type__app_label", "permission__codename"
    )
    names: dict[int, set[str]] = {}
    for role_id, app_label, codename in rows:
        names.setdefault(role_id, set()).add(f"{app_label}.{codename}")
    return {role_id: frozenset(codes) for role_id, codes in names.items()}


class MembershipQuerySet(RestrictedQuerySet):
    def active(self):
        today = timezone.localdate()
        return self.filter(is_active=True).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


class Membership(models.Model):
    """A user's role within an area: a province's counties, one whole county, or one township."""

    scope = Scope(programme=None, area="area")

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(Role, verbose_name=_("角色"), on_delete=models.PROTECT, related_name="memberships")
    area = models.ForeignKey(
        "geo.Area",
        verbose_name=_("管辖范围"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("省、县或乡镇；只能看到范围内的数据"),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所在机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["user", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "role", "area"], name="accounts_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.area}"

    def save(self, *args, **kwargs):
        # Every path that writes a membership passes here (forms, API, import, commands, shell); the database
        # triggers of migration 0002 refuse the combination even for raw SQL.
        refusal = self.separation_refusal()
        if refusal:
            raise ValidationError(refusal.message, code=refusal.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accounts:membership_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.area_id and self.area.level not in rules.SCOPE_LEVELS:
            raise ValidationError({"area": _("管辖范围只能是省、市、县或乡镇。")}, code="area_level")
        refusal = self.separation_refusal()
        if refusal:
            raise ValidationError({"role": refusal.message}, code=refusal.code)

    def separation_refusal(self) -> rules.Refusal | None:
        """三员分立: the duties of the user's other active memberships must not clash with this one's."""
        if not self.is_active or not self.user_id or not self.role_id:
            return None
        held = (
            Membership.objects.filter(user_id=self.user_id, is_active=True)
            .exclude(pk=self.pk)
            .values_list("role__duty", flat=True)
        )
        return rules.duty_conflict(held, Role.objects.values_list("duty", flat=True).get(pk=self.role_id))


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords, so none of the last five is reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """An API token; only its SHA-256 is stored, so a database leak does not leak working tokens."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=64)
    prefix = models.CharField(_("前缀"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.is_active and (self.expires_at is None or self.expires_at > timezone.now())
