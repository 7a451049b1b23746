"""What an upload is and what its photo metadata says (pure: bytes and dicts in, values out)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

OFFICE_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class UploadRefused(ValueError):
    pass


def sniff(head: bytes, filename: str) -> str:
    """The MIME type from the file's first bytes; the name's extension is trusted only for Office zip files."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        suffix = PurePath(filename).suffix.lower()
        if suffix in OFFICE_TYPES:
            return OFFICE_TYPES[suffix]
    raise UploadRefused(
        f"不支持的文件类型：{filename}（允许 JPG、PNG、WEBP、HEIC 照片，PDF，Word/Excel/PowerPoint 文档）"
    )


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
