"""One attachment model any record can carry: evidence photos, invoices, contracts."""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cuntong.core.scoping import RestrictedManager, Scope

from . import rules


def _upload_to(instance, filename: str) -> str:
    """A name the server chooses (random, with the extension of the verified kind); the uploader's name is only
    kept in ``original_name``."""
    extension = rules.kind_of(instance.mime_type).extensions[0]
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}/{secrets.token_hex(16)}{extension}"


def _thumbnail_to(instance, filename: str) -> str:
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}/thumb.jpg"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        INVOICE = "invoice", _("发票")
        CONTRACT = "contract", _("合同")
        VOUCHER = "voucher", _("凭证")
        REPORT = "report", _("报告")
        OTHER = "other", _("其他")

    # Scope is copied from the record it is attached to, so attachments restrict like their owner.
    scope = Scope(programme="programme", area="area")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    owner = GenericForeignKey("content_type", "object_id")
    programme = models.ForeignKey(
        "programme.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to=_upload_to, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=200)
    mime_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    thumbnail = models.ImageField(_("缩略图"), upload_to=_thumbnail_to, blank=True, max_length=255)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("拍摄纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("拍摄经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return _on_attachment_host(reverse("attachments:download", args=[self.pk]))

    def get_thumbnail_url(self) -> str:
        return _on_attachment_host(reverse("attachments:thumbnail", args=[self.pk]))

    @property
    def file_kind(self) -> rules.FileKind:
        """The kind verified at upload (``mime_type`` is only ever set from the checked content)."""
        return rules.kind_of(self.mime_type)

    @property
    def is_image(self) -> bool:
        return self.file_kind.is_image

    @property
    def download_name(self) -> str:
        """The uploader's name, with the extension of the verified kind when it carries another one."""
        name = PurePath(self.original_name)
        extensions = self.file_kind.extensions
        return self.original_name if name.suffix.lower() in extensions else f"{name.stem}{extensions[0]}"


def _on_attachment_host(path: str) -> str:
    """Attachment links on their own host when one is configured, so a file never runs in the application's origin."""
    host = settings.ATTACHMENT_HOST
    return f"https://{host}{path}" if host else path
