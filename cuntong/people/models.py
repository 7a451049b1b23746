"""The registered-poor roster (建档立卡贫困人口): who they are, where they live, whether they can work.

The poverty office imports it; the training module counts poverty-training coverage against it (labour-capable
members in provincial poverty villages, migrant workers excluded). ID numbers and phones are encrypted, matched by
their blind index, masked on every page, API response and export; names are masked in the audit trail.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cuntong.core.fields import BlindIndexField, IdentityNumberField, PhoneNumberField
from cuntong.core.models import BusinessModel
from cuntong.core.scoping import RestrictedQuerySet, Scope

ERASED_NAME = "（已删除）"


class PovertyStatus(models.TextChoices):
    POOR = "poor", _("未脱贫")
    LIFTED = "lifted", _("已脱贫")
    MONITORED = "monitored", _("防返贫监测对象")


class ResidentQuerySet(RestrictedQuerySet):
    def registered(self):
        """People still on the roster (not erased at their own request)."""
        return self.filter(erased_at__isnull=True)

    def poverty_training_population(self):
        """The seed's denominator: labour-capable registered poor of provincial poverty villages, migrants excluded."""
        return self.registered().filter(
            village__is_provincial_poverty_village=True, is_labour_capable=True, is_migrant_worker=False
        )

    def with_id_number(self, id_number: str):
        """Match a typed-in ID number through its blind index (no decryption)."""
        from cuntong.core.fields import lookup_hash

        return self.filter(id_number_hash=lookup_hash("resident_id", id_number))


class Resident(BusinessModel):
    scope = Scope(programme="programme", area="village")
    personal_fields = ("name", "household_number", "relation_to_head")  # masked in history, erased on request

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT, related_name="residents"
    )
    village = models.ForeignKey(
        "geo.Area", verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="residents"
    )
    household_number = models.CharField(_("户编号"), max_length=32, blank=True)
    relation_to_head = models.CharField(_("与户主关系"), max_length=16, blank=True)
    name = models.CharField(_("姓名"), max_length=64)
    id_number = IdentityNumberField(_("身份证号"))
    id_number_hash = BlindIndexField(source="id_number")
    phone = PhoneNumberField(_("联系电话"), blank=True)
    phone_hash = BlindIndexField(source="phone")
    is_labour_capable = models.BooleanField(_("有劳动能力"), default=False)
    is_migrant_worker = models.BooleanField(_("外出务工"), default=False)
    poverty_status = models.CharField(
        _("贫困状态"), max_length=16, choices=PovertyStatus.choices, default=PovertyStatus.POOR
    )
    lifted_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    erased_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True, editable=False)
    is_generated = models.BooleanField(_("演示生成数据"), default=False, editable=False)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("建档立卡人员")
        verbose_name_plural = _("建档立卡人员")
        ordering = ["village__code", "household_number", "pk"]
        permissions = [("reveal_resident", _("查看完整身份证号和电话（须填写事由，记入安全日志）"))]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="people_resident_id_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_repr(self) -> str:
        """Audit rows name a person only by masked name and masked ID number."""
        from cuntong.audit.changelog import NAME

        return f"{NAME.mask(self.name)} {self.id_number or ''}".strip()

    def get_absolute_url(self) -> str:
        return reverse("people:resident_detail", args=[self.pk])

    @property
    def township(self):
        return self.village.parent
