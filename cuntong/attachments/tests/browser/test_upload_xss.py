"""The two-file attack from issue 10 in a real browser: a keeper uploads `evil.js` dressed as WEBP and
`notice.html` that loads it; the office opening the notice must not run it. The uploads are refused, and files
that got stored anyway (before whole-file checks) are served inert."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from cuntong.accounts.tests.browser.steps import sign_in
from cuntong.attachments.models import Attachment
from cuntong.attachments.services import attach
from cuntong.web.testing import HONGYANG, area, make_user

from ..test_inert_files import EVIL_JS, PDF

pytestmark = pytest.mark.browser


def planted(owner, user, name: str, data: bytes) -> Attachment:
    """A file stored as the old first-bytes check typed it (image/webp), bypassing today's upload checks."""
    attachment = attach(owner, SimpleUploadedFile("x.pdf", PDF), user=user)
    attachment.file.save("planted", ContentFile(data), save=False)
    attachment.original_name, attachment.mime_type = name, "image/webp"
    attachment.save()
    return attachment


def test_the_two_file_chain_raises_no_dialog(page):
    office = make_user("office", "office")
    village = area(f"{HONGYANG}201")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, "office")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(village.get_absolute_url())
    evil = {"name": "evil.js", "mimeType": "image/webp", "buffer": EVIL_JS}
    page.set_input_files("#attachments input[type=file]", evil)
    page.click("#attachments form button")
    page.wait_for_load_state()
    assert "类型不符" in page.content() and not Attachment.objects.exists()

    script = planted(village, office, "evil.js", EVIL_JS)
    notice = planted(
        village, office, "notice.html", f'RIFF____WEBP<html><script src="/attachments/{script.pk}/"></script>'.encode()
    )
    page.set_input_files(
        "#attachments input[type=file]",
        {"name": "notice.html", "mimeType": "text/html", "buffer": notice.file.open("rb").read()},
    )
    page.click("#attachments form button")
    page.wait_for_load_state()
    assert Attachment.objects.count() == 2  # the upload was refused; only the planted pair exists

    page.goto(village.get_absolute_url())
    with page.expect_navigation() as opened:
        page.click(f'a[href="{notice.get_absolute_url()}"]')  # the office opens the notice
    page.wait_for_timeout(500)
    assert dialogs == []
    assert opened.value.headers["content-security-policy"].startswith("sandbox")
    assert opened.value.headers["x-content-type-options"] == "nosniff"
