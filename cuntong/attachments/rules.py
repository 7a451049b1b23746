"""What an upload is and what its photo metadata says (pure: bytes and dicts in, values out).

A file's kind comes from its content, checked through the whole file, never from the uploader's name: an image
must decode, a PDF must be a complete PDF, an Office document must be the Office zip its extension names. Only
verified images and PDFs are ever shown in the browser; everything else downloads.
"""

import datetime
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from PIL import Image

ALLOWED_TYPES_TEXT = "允许 JPG、PNG、WEBP、HEIC 照片，PDF，Word/Excel/PowerPoint 文档"


class UploadRefused(ValueError):
    pass


@dataclass(frozen=True)
class FileKind:
    mime_type: str
    extensions: tuple[str, ...]  # the first is the one stored files get
    inline: bool = False  # shown in the browser rather than downloaded
    decodes_as: str = ""  # Pillow format a verified image decodes as (thumbnails are made only for these)
    zip_part: str = ""  # the folder an Office zip must hold

    @property
    def is_image(self) -> bool:
        return bool(self.decodes_as)


JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), inline=True, decodes_as="JPEG")
PNG = FileKind("image/png", (".png",), inline=True, decodes_as="PNG")
WEBP = FileKind("image/webp", (".webp",), inline=True, decodes_as="WEBP")
HEIC = FileKind("image/heic", (".heic", ".heif"))  # no decoder here: kept, downloaded, never shown or thumbnailed
PDF = FileKind("application/pdf", (".pdf",), inline=True)
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), zip_part="word/")
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), zip_part="xl/")
PPTX = FileKind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",), zip_part="ppt/"
)
KINDS = {kind.mime_type: kind for kind in (JPEG, PNG, WEBP, HEIC, PDF, DOCX, XLSX, PPTX)}
# What a stored file is served as when its recorded type is not one verified here (files from before the check).
UNVERIFIED = FileKind("application/octet-stream", (".bin",))


def kind_of(mime_type: str) -> FileKind:
    return KINDS.get(mime_type, UNVERIFIED)


def _claimed_kind(data: bytes, suffix: str) -> FileKind | None:
    """The kind the file's first bytes claim; Office files are zips, told apart by the extension and then checked."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return HEIC
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return next((kind for kind in (DOCX, XLSX, PPTX) if suffix in kind.extensions), None)
    return None


def _content_holds(kind: FileKind, data: bytes) -> bool:
    if kind.decodes_as:
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format != kind.decodes_as:
                    return False
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # verify() checks structure only; a truncated or foreign payload fails to decode
        except Exception:
            return False
        return True
    if kind is PDF:
        return b"%%EOF" in data[-2048:]
    if kind.zip_part:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and any(name.startswith(kind.zip_part) for name in names)
    return kind is HEIC


def content_kind(data: bytes, filename: str) -> FileKind | None:
    """The kind the whole content proves, or None (off the list, or not what its first bytes claim)."""
    kind = _claimed_kind(data, PurePath(filename).suffix.lower())
    return kind if kind is not None and _content_holds(kind, data) else None


def verified_kind(data: bytes, filename: str) -> FileKind:
    """The kind of ``data`` after checking the whole file; refuses types off the list, files that are not what
    their first bytes claim, and names whose extension disagrees with the content."""
    suffix = PurePath(filename).suffix.lower()
    if _claimed_kind(data, suffix) is None:
        raise UploadRefused(f"不支持的文件类型：{filename}（{ALLOWED_TYPES_TEXT}）")
    kind = content_kind(data, filename)
    if kind is None:
        raise UploadRefused(f"文件内容已损坏或与其类型不符：{filename}")
    if suffix not in kind.extensions:
        raise UploadRefused(f"文件扩展名与内容不符：{filename} 的内容是 {kind.extensions[0].lstrip('.').upper()} 文件")
    return kind


def check_size(size: int, limit: int) -> None:
    if size == 0:
        raise UploadRefused("文件是空的")
    if size > limit:
        raise UploadRefused(f"文件 {size / 1048576:.1f} MB，超过上限 {limit / 1048576:.0f} MB")


def _rational(value) -> Decimal:
    if isinstance(value, tuple):
        return Decimal(value[0]) / Decimal(value[1]) if value[1] else Decimal(0)
    return Decimal(str(float(value)))


def gps_degrees(gps: dict) -> tuple[Decimal, Decimal] | None:
    """EXIF GPS IFD (tags 1-4) to signed decimal degrees, or None when absent or out of range."""
    try:
        lat_ref, lat, lon_ref, lon = gps[1], gps[2], gps[3], gps[4]
    except (KeyError, TypeError):
        return None

    def degrees(parts) -> Decimal:
        d, m, s = (_rational(p) for p in parts)
        return d + m / 60 + s / 3600

    latitude, longitude = degrees(lat), degrees(lon)
    if str(lat_ref).upper().startswith("S"):
        latitude = -latitude
    if str(lon_ref).upper().startswith("W"):
        longitude = -longitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude.quantize(Decimal("0.000001")), longitude.quantize(Decimal("0.000001"))


def photo_time(text: str | None) -> datetime.datetime | None:
    """EXIF DateTimeOriginal ('2020:05:18 09:30:00'), taken as local time where the photo was shot."""
    if not text:
        return None
    try:
        return datetime.datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


@dataclass(frozen=True)
class PhotoFacts:
    taken_at: datetime.datetime | None
    position: tuple[Decimal, Decimal] | None
