"""Attaching files to records: checked, hashed, thumbnailed, with photo time and position kept."""

import hashlib
import io

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from cuntong.core import freshness
from cuntong.core.scoping import follow

from . import policies, rules
from .models import Attachment

THUMBNAIL_SIZE = (480, 480)


def _photo_facts(data: bytes) -> tuple[rules.PhotoFacts, bytes | None]:
    try:
        image = Image.open(io.BytesIO(data))
        exif = image.getexif()
        taken = rules.photo_time(
            exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
        )
        position = rules.gps_degrees(exif.get_ifd(ExifTags.IFD.GPSInfo))
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=80)
        return rules.PhotoFacts(taken, position), buffer.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError):
        return rules.PhotoFacts(None, None), None


def attach(owner, upload, *, user, kind: str = Attachment.Kind.OTHER, description: str = "") -> Attachment:
    """Store ``upload`` on ``owner``; the user must be able to see the owner and hold attachments.add_attachment."""
    if user is not None and not policies.may_attach(user, owner):
        raise PermissionDenied("not allowed to attach files to this record")
    rules.check_size(upload.size, settings.ATTACHMENT_MAX_BYTES)
    data = upload.read()
    file_kind = rules.verified_kind(data, upload.name)
    digest = hashlib.sha256(data).hexdigest()
    facts, thumbnail = _photo_facts(data) if file_kind.is_image else (rules.PhotoFacts(None, None), None)
    scope = type(owner).scope
    area_id = follow(owner, scope.area)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(type(owner), for_concrete_model=False),
        object_id=str(owner.pk),
        programme_id=follow(owner, scope.programme) or _programme_of_area(area_id),
        area_id=area_id,
        kind=kind,
        description=description,
        original_name=upload.name[:200],
        mime_type=file_kind.mime_type,
        size=len(data),
        sha256=digest,
        taken_at=timezone.make_aware(facts.taken_at) if facts.taken_at else None,
        latitude=facts.position[0] if facts.position else None,
        longitude=facts.position[1] if facts.position else None,
        uploaded_by=user,
    )
    attachment.file.save("upload", ContentFile(data), save=False)  # stored under a name the model chooses
    if thumbnail:
        attachment.thumbnail.save("thumb.jpg", ContentFile(thumbnail), save=False)
    attachment.save()
    freshness.bump(attachment.programme_id)
    return attachment


def _programme_of_area(area_id: int | None) -> int | None:
    """Records outside any programme (areas) lend their attachments to the programme of their county."""
    if area_id is None:
        return None
    from cuntong.geo.models import Area
    from cuntong.programme.models import Programme

    code = Area.objects.filter(pk=area_id).values_list("code", flat=True).first() or ""
    return Programme.objects.filter(county__code=code[:6]).order_by("-batch_year").values_list("pk", flat=True).first()


def attachments_of(owner):
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(owner), for_concrete_model=False), object_id=str(owner.pk)
    )


def verify(attachment: Attachment) -> bool:
    """Whether the stored file still has the checksum recorded at upload."""
    digest = hashlib.sha256()
    with attachment.file.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == attachment.sha256
