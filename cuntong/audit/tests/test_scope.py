"""The audit trail is scoped too: a township's auditor reads that township's events and changes only."""

from django.urls import reverse

from cuntong.accounts.models import Organisation
from cuntong.audit.context import acting_as
from cuntong.audit.models import ChangeRecord, SecurityEvent
from cuntong.audit.services import log_event
from cuntong.web.testing import ScopedModelTests, area, make_user, programme


class TestSecurityEventScope(ScopedModelTests):
    model = SecurityEvent
    viewer_role = township_role = "auditadmin"
    list_url = reverse("audit:event_list")
    api_url = "/api/v1/audit/events/"

    def make_record(self, township_code):
        user = make_user(f"clerk{township_code[-3:]}", "township", township_code)
        return log_event("export", user=user, model="people.Resident", rows=3)

    def record_text(self, obj):
        return obj.username


class TestChangeRecordScope(ScopedModelTests):
    model = ChangeRecord
    viewer_role = township_role = "auditadmin"
    list_url = reverse("audit:change_list")
    api_url = "/api/v1/audit/changes/"

    def make_record(self, township_code):
        with acting_as(None, via="test"):
            organisation = Organisation.objects.create(
                name=f"审计测试合作社{township_code[-3:]}",
                kind=Organisation.Kind.COOPERATIVE,
                area=area(township_code),
                programme=programme(),
            )
        return ChangeRecord.objects.get(object_id=str(organisation.pk), content_type__model="organisation")

    def record_text(self, obj):
        return obj.object_repr
