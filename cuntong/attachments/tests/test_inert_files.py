"""Uploads never run as script: a file's kind comes from its whole content, names must agree with it, files are
stored under names the server chooses, and every attachment response is inert (nosniff, sandbox)."""

import io
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cuntong.attachments import rules, services
from cuntong.attachments.models import Attachment
from cuntong.web.testing import HONGYANG, area, login, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# The attack from issue 10: a "WEBP" that is JavaScript, and a "WEBP" page that loads it.
EVIL_JS = b"RIFF=/*_WEBP*/1;alert(document.domain)"  # valid JavaScript whose bytes 0-11 read RIFF….WEBP
NOTICE_HTML = b'RIFF____WEBP<html><script src="/attachments/11/"></script></html>'


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def office(base_data):
    return make_user("inert-office", "office")


def attach(office, name: str, data: bytes) -> Attachment:
    return services.attach(area(f"{HONGYANG}201"), SimpleUploadedFile(name, data), user=office, kind="report")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("evil.js", EVIL_JS, "类型不符"),
        ("evil.webp", EVIL_JS, "类型不符"),
        ("notice.html", NOTICE_HTML, "类型不符"),
        ("notice.webp", NOTICE_HTML, "类型不符"),
        ("report.html", PDF, "扩展名与内容不符"),
        ("photo.jpg", png(), "扩展名与内容不符"),
        ("truncated.pdf", b"%PDF-1.4\n<script>alert(1)</script>", "类型不符"),
        ("letter.docx", b"PK\x03\x04not really a zip", "类型不符"),
        ("sheet.xlsx", docx(), "类型不符"),  # a Word zip renamed to Excel
        ("page.html", b"<html><script>alert(1)</script></html>", "不支持的文件类型"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "不支持的文件类型"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(office, name, data, reason):
    with pytest.raises(rules.UploadRefused, match=reason):
        attach(office, name, data)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "mime_type", "inline"),
    [
        ("门头.png", png(), "image/png", True),
        ("发票.PDF", PDF, "application/pdf", True),
        ("合同.docx", docx(), rules.DOCX.mime_type, False),
    ],
)
def test_verified_files_are_kept_under_a_name_the_server_chooses(office, name, data, mime_type, inline):
    attachment = attach(office, name, data)
    assert attachment.mime_type == mime_type and attachment.file_kind.inline is inline
    assert attachment.original_name == name and attachment.kind == "report"
    stored = attachment.file.name.rsplit("/", 1)[1]
    assert name.rsplit(".", 1)[0] not in stored and len(stored.split(".")[0]) == 32
    assert stored.endswith(attachment.file_kind.extensions[0])


def test_every_attachment_response_is_inert(office):
    image, pdf, document = (
        attach(office, "门头.png", png()),
        attach(office, "a.pdf", PDF),
        attach(office, "c.docx", docx()),
    )
    client = login(office)
    for url, content_type, disposition in [
        (f"/attachments/{image.pk}/", "image/png", "inline"),
        (f"/attachments/{image.pk}/thumbnail/", "image/jpeg", None),
        (f"/attachments/{pdf.pk}/", "application/pdf", "inline"),
        (f"/attachments/{document.pk}/", rules.DOCX.mime_type, "attachment"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
        if disposition:
            assert response["Content-Disposition"].startswith(disposition)


def test_thumbnails_exist_only_for_verified_images(office):
    pdf = attach(office, "report.pdf", PDF)
    assert login(office).get(f"/attachments/{pdf.pk}/thumbnail/").status_code == 404


def test_a_file_stored_before_the_check_is_served_as_an_opaque_download(office):
    """Rows typed by their first bytes alone (before whole-file checks) are served by the kind recorded only when
    it is a verified one; anything else downloads as application/octet-stream under a harmless name."""
    attachment = attach(office, "a.pdf", PDF)
    Attachment.objects.filter(pk=attachment.pk).update(mime_type="text/html", original_name="notice.html")
    client = login(office)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert (
        response["Content-Disposition"].startswith("attachment")
        and 'filename="notice.bin"' in response["Content-Disposition"]
    )
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert client.get(f"/attachments/{attachment.pk}/thumbnail/").status_code == 404


def test_reverify_migration_demotes_files_that_are_not_what_was_recorded(office):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cuntong.attachments.migrations.0002_reverify_stored_files")
    good = attach(office, "a.pdf", PDF)
    forged = attach(office, "b.pdf", PDF)
    with forged.file.open("wb") as stream:
        stream.write(NOTICE_HTML)
    Attachment.objects.filter(pk=forged.pk).update(mime_type="image/webp")
    migration.reverify(apps, None)
    assert Attachment.objects.get(pk=good.pk).mime_type == "application/pdf"
    assert Attachment.objects.get(pk=forged.pk).mime_type == "application/octet-stream"


def test_links_point_to_the_attachment_host_when_one_is_set(office, settings):
    attachment = attach(office, "门头.png", png())
    assert attachment.get_absolute_url() == f"/attachments/{attachment.pk}/"
    settings.ATTACHMENT_HOST = "files.example.gov.cn"
    assert attachment.get_absolute_url() == f"https://files.example.gov.cn/attachments/{attachment.pk}/"
    assert attachment.get_thumbnail_url() == f"https://files.example.gov.cn/attachments/{attachment.pk}/thumbnail/"


def test_upload_redirect_stays_on_the_site(office):
    village = area(f"{HONGYANG}201")
    url = f"/attachments/upload/{ContentType.objects.get_for_model(type(village)).pk}/{village.pk}/"
    client = login(office)
    phishing = client.post(
        url, {"file": SimpleUploadedFile("a.pdf", PDF), "kind": "other", "next": "https://evil.example/phish"}
    )
    assert phishing.status_code == 302 and phishing["Location"] == village.get_absolute_url()
    for sneaky in ("//evil.example/phish", "https:evil.example", "javascript:alert(1)"):
        response = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF), "kind": "other", "next": sneaky})
        assert response["Location"] == village.get_absolute_url()
    same_site = client.post(
        url, {"file": SimpleUploadedFile("a.pdf", PDF), "kind": "other", "next": "/stations/?page=2"}
    )
    assert same_site["Location"] == "/stations/?page=2"
