"""Append-only audit records: change history of business records and the security event log.

Neither can be edited or deleted through the application; only ``cuntong audit purge`` removes records, and only
those older than the retention period (at least 180 days, as level 3 requires).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.appendonly import AppendOnlyModel
from cuntong.core.scoping import RestrictedManager, Scope


class AppendOnly(AppendOnlyModel):
    """An audit row: append-only like every ``AppendOnlyModel``, except that the retention purge removes old rows
    (``QuerySet.delete`` on the models' own managers). On PostgreSQL hand-written triggers (migration 0003) protect
    them: they allow that purge and the clearing of a deleted user's reference, which pgtrigger's cannot express."""

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records are removed only by the retention purge")


class ChangeRecord(AppendOnly):
    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")

    # Filed under the changed record's area (or its programme's county, or the actor's scope), so an auditor of a
    # township reads that township's history and a county auditor the whole county's.
    scope = Scope(programme=None, area="area")

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("操作人"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    request_id = models.UUIDField(_("请求编号"), null=True, blank=True, db_index=True)
    via = models.CharField(_("来源"), max_length=16, blank=True)
    action = models.CharField(_("操作"), max_length=8, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200)
    programme = models.ForeignKey(
        "programme.Programme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-time", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-time"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def get_absolute_url(self) -> str:
        return reverse("audit:change_detail", args=[self.pk])

    @property
    def model_label(self) -> str:
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model else self.content_type.model

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        return [
            (key, before.get(key), after.get(key))
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        ]


class SecurityEvent(AppendOnly):
    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账号锁定")
        UNLOCK = "unlock", _("解除锁定")
        LOGOUT = "logout", _("退出登录")
        TIMEOUT = "timeout", _("会话超时")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        PASSWORD_RESET = "password_reset", _("重置密码")
        OTP = "otp", _("双因素认证")
        API_TOKEN = "api_token", _("API令牌")
        PERMISSION_CHANGED = "permission_changed", _("权限变更")
        EXPORT = "export", _("数据导出")
        REVEAL = "reveal", _("查看个人信息")
        DATA_SUBJECT = "data_subject", _("个人信息主体请求")
        KEY_ROTATION = "key_rotation", _("密钥轮换")
        PURGE = "purge", _("审计清理")

    scope = Scope(programme=None, area="area")

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("事件"), max_length=32, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    area = models.ForeignKey(
        "geo.Area",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("操作人的管辖范围，用于审计分级查看"),
    )
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    reason = models.TextField(_("事由"), blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")
        ordering = ["-time", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username}"

    def get_absolute_url(self) -> str:
        return reverse("audit:event_detail", args=[self.pk])
