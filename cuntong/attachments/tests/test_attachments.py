"""Attachments: checksum, size and type limits, thumbnails, photo time and GPS, scope."""

import hashlib
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cuntong.accounts.models import Role
from cuntong.attachments import rules, services
from cuntong.web.testing import HONGYANG, NANXI, area, login, make_user


def jpeg_with_exif(gps=True) -> bytes:
    image = Image.new("RGB", (1200, 800), "green")
    exif = Image.Exif()
    exif[0x0132] = "2020:05:18 09:30:00"
    exif.get_ifd(0x8769)[0x9003] = "2020:05:18 09:30:00"
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (23.0, 25.0, 30.0), 3: "E", 4: (116.0, 9.0, 36.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def office(base_data):
    return make_user("att-office", "office")


def test_photo_keeps_checksum_time_gps_and_gets_a_thumbnail(office):
    data = jpeg_with_exif()
    village = area(f"{HONGYANG}201")
    attachment = services.attach(village, SimpleUploadedFile("站点.jpg", data), user=office, kind="photo")
    assert attachment.sha256 == hashlib.sha256(data).hexdigest() and attachment.size == len(data)
    assert attachment.mime_type == "image/jpeg"
    assert attachment.taken_at.strftime("%Y-%m-%d %H:%M") == "2020-05-18 09:30"
    assert (str(attachment.latitude), str(attachment.longitude)) == ("23.425000", "116.160000")
    assert attachment.thumbnail and Image.open(attachment.thumbnail.open()).size[0] <= 480
    assert services.verify(attachment)
    assert attachment.area == village


def test_tampered_file_fails_verification(office):
    attachment = services.attach(
        area(f"{HONGYANG}201"), SimpleUploadedFile("a.pdf", b"%PDF-1.4 evidence\n%%EOF\n"), user=office
    )
    with attachment.file.open("wb") as stream:
        stream.write(b"%PDF-1.4 changed\n%%EOF\n")
    assert not services.verify(attachment)


@pytest.mark.parametrize(
    ("name", "data"), [("x.exe", b"MZ\x90\x00"), ("fake.jpg", b"not really a jpeg"), ("x.zip", b"PK\x03\x04zip")]
)
def test_types_outside_the_list_are_refused(office, name, data):
    with pytest.raises(rules.UploadRefused):
        services.attach(area(f"{HONGYANG}201"), SimpleUploadedFile(name, data), user=office)


def test_size_limit(office, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(rules.UploadRefused, match="超过上限"):
        services.attach(area(f"{HONGYANG}201"), SimpleUploadedFile("a.pdf", b"%PDF-1.4 too long\n%%EOF\n"), user=office)


def test_cannot_attach_outside_scope(base_data):
    township_user = make_user("att-township", "township", HONGYANG)
    Role.objects.get(code="township").permissions.add(Permission.objects.get(codename="add_attachment"))
    township_user = type(township_user).objects.get(pk=township_user.pk)
    with pytest.raises(PermissionDenied):
        services.attach(area(f"{NANXI}201"), SimpleUploadedFile("a.pdf", b"%PDF-1.4 x\n%%EOF\n"), user=township_user)
    services.attach(area(f"{HONGYANG}201"), SimpleUploadedFile("a.pdf", b"%PDF-1.4 x\n%%EOF\n"), user=township_user)


def test_download_is_scoped(office):
    attachment = services.attach(area(f"{NANXI}201"), SimpleUploadedFile("a.pdf", b"%PDF-1.4 x\n%%EOF\n"), user=office)
    assert login(office).get(f"/attachments/{attachment.pk}/").status_code == 200
    assert login(make_user("att-hy", "township", HONGYANG)).get(f"/attachments/{attachment.pk}/").status_code == 404


def test_upload_through_the_detail_page(office):
    village = area(f"{HONGYANG}201")
    client = login(office)
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(type(village))
    client.post(
        f"/attachments/upload/{content_type.pk}/{village.pk}/",
        {"file": SimpleUploadedFile("p.jpg", jpeg_with_exif(gps=False)), "kind": "photo", "description": "门头"},
    )
    html = client.get(village.get_absolute_url()).content.decode()
    assert "p.jpg" in html and "门头" in html


def test_gps_rules():
    assert rules.gps_degrees({1: "S", 2: (10, 30, 0), 3: "W", 4: (20, 0, 0)}) == (
        rules.Decimal("-10.500000"),
        rules.Decimal("-20.000000"),
    )
    assert rules.gps_degrees({}) is None
    assert rules.photo_time("bad") is None
