"""Attachments restrict like the record they are attached to (scope copied at upload)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from cuntong.attachments.models import Attachment
from cuntong.attachments.services import attach
from cuntong.people.tests.factories import make_resident
from cuntong.web.testing import ScopedModelTests


class TestAttachmentScope(ScopedModelTests):
    model = Attachment
    township_role = "poverty_office"  # a township-level member of a role that reads evidence

    def make_record(self, township_code):
        owner = make_resident(township_code, serial=int(township_code[-3:]))
        upload = SimpleUploadedFile(
            f"证明{township_code[-3:]}.pdf", b"%PDF-1.4\n%scope test\n%%EOF\n", "application/pdf"
        )
        return attach(owner, upload, user=None, kind=Attachment.Kind.VOUCHER)
