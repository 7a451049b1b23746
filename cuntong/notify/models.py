"""Notifications: what was said (``Notification``), each recipient's inbox copy (``Message``), each send over a
channel (``Delivery``, its state) and each attempt of it (``DeliveryAttempt``, append-only: the record).

A message in an inbox and a user's channel choices are the user's own (no scope: only their owner reaches them).
Deliveries are what the office checks (who, what, when, channel, outcome): scoped to the programme and, when the
notification names one, an area.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.appendonly import AppendOnlyModel, append_only_triggers
from cuntong.core.scoping import RestrictedManager, Scope

from . import registry


class Notification(models.Model):
    """One call of ``services.notify``: the kind, the text and the record it is about."""

    kind = models.CharField(_("类型"), max_length=64)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    programme = models.ForeignKey(
        "programme.Programme",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        default_permissions = ()

    def __str__(self) -> str:
        return self.subject

    @property
    def kind_label(self) -> str:
        try:
            return str(registry.get(self.kind).label)
        except KeyError:
            return self.kind


class Message(models.Model):
    """A notification in one user's inbox; unread until they open or mark it."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="messages")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_messages")
    kind = models.CharField(_("类型"), max_length=64)  # the notification's, here for the dedupe constraint
    dedupe = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        default_permissions = ()
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notify_msg_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe"], condition=~Q(dedupe=""), name="notify_message_dedupe"
            )
        ]

    def __str__(self) -> str:
        return self.notification.subject


class Preference(models.Model):
    """A user's channels for one kind; without a row the kind's defaults apply."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preferences")
    kind = models.CharField(_("类型"), max_length=64)
    channels = models.JSONField(_("渠道"), default=list, blank=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notify_preference_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {', '.join(self.channels)}"


class Delivery(models.Model):
    """One notification sent to one recipient over one channel (group robots: one per notification)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        RETRYING = "retrying", _("等待重试")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败")

    scope = Scope(programme="notification__programme", area="notification__area")
    # A delivery's own progress (attempts, next try); each attempt is recorded append-only in DeliveryAttempt.
    track_changes = False

    notification = models.ForeignKey(
        Notification, verbose_name=_("通知"), on_delete=models.PROTECT, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=32)
    address = models.CharField(_("地址"), max_length=200, blank=True)  # masked, never the plain phone or e-mail
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-pk"]
        # Not ``view_delivery``: "read every business record" roles (``*.view_*``) must not read who was told what.
        default_permissions = ()
        permissions = [("audit_delivery", _("可查看消息发送记录"))]

    def __str__(self) -> str:
        return f"{self.notification.subject} · {self.channel_label}"

    @property
    def channel_label(self) -> str:
        from .channels import label_of

        return str(label_of(self.channel))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.FAILED)


class DeliveryAttempt(AppendOnlyModel):
    """One attempt to send a delivery: when, the outcome and the (masked) error."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("成功")
        RETRY = "retry", _("失败，将重试")
        FAILED = "failed", _("失败，不再重试")

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("第几次"))
    channel = models.CharField(_("渠道"), max_length=32)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    retry_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)

    class Meta:
        verbose_name = _("发送尝试")
        verbose_name_plural = _("发送尝试")
        default_permissions = ()
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="notify_attempt_once")]
        triggers = append_only_triggers("notification delivery attempt log")
