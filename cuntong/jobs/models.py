"""A background job as users see it: what, whose, how far, and what came out.

The job row is the one record of a job's state. The django-tasks task that runs it only carries the job's id: it
returns nothing, and fails exactly when the job fails (``services.run``). A job whose worker dies stops beating
(``heartbeat_at``, refreshed with every progress report) and is marked failed by ``services.expire_stalled``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.scoping import RestrictedManager, Scope


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    class Failure(models.TextChoices):
        CRASHED = "crashed", _("处理出错")
        STALLED = "stalled", _("无响应")

    scope = Scope(programme="programme", owner_user="created_by")
    track_changes = False

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("名称"), max_length=200)
    programme = models.ForeignKey(
        "programme.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), null=True, blank=True)
    message = models.CharField(_("进度说明"), max_length=200, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    # Why a failed job failed, and nothing more: the exception and its traceback go to the server log only.
    failure = models.CharField(_("失败原因"), max_length=16, choices=Failure.choices, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进度时间"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def percent(self) -> int | None:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def reference(self) -> str:
        """What a user quotes to an administrator; the server log names the failure with it."""
        return self.pk.hex[:8]

    @property
    def error(self) -> str:
        """A failed job's message in the reader's language: what happened and the reference, never the exception."""
        if self.status != self.Status.FAILED:
            return ""
        if self.failure == self.Failure.STALLED:
            return _(
                "任务中断：后台进程长时间没有响应。请重新提交；如再次出现，请联系管理员并告知参考编号 %(ref)s。"
            ) % {"ref": self.reference}
        return _("任务未能完成：处理时出错。请联系管理员并告知参考编号 %(ref)s。") % {"ref": self.reference}
