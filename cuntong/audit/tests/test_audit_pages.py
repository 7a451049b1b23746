"""The audit administrator reads the security event log (filtered by kind, user, date) and the change history (per
object and per user), and can change nothing: no page, form or API method edits or deletes an audit row."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from cuntong.accounts.models import Organisation
from cuntong.audit.context import acting_as
from cuntong.audit.models import ChangeRecord, SecurityEvent
from cuntong.audit.services import log_event
from cuntong.web.testing import HONGYANG, PUNING, area, backdate, login, make_user, programme

pytestmark = pytest.mark.usefixtures("base_data")


@pytest.fixture
def auditor(db):
    return login(make_user("auditadmin", "auditadmin"))


def listed(response) -> list:
    return list(response.context["object_list"])


def test_events_filter_by_kind_user_and_date(db, auditor):
    clerk = make_user("clerk", "township", HONGYANG)
    log_event("login", user=clerk)
    log_event("export", user=clerk, model="people.Resident", rows=3)
    old = log_event("login_failed", username="clerk")
    backdate(SecurityEvent, old.pk, 10)
    url = reverse("audit:event_list")
    assert {e.kind for e in listed(auditor.get(url, {"username": "clerk"}))} == {"login", "export", "login_failed"}
    assert [e.kind for e in listed(auditor.get(url, {"username": "clerk", "kind": "export"}))] == ["export"]
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert "login_failed" not in {e.kind for e in listed(auditor.get(url, {"username": "clerk", "date_from": since}))}
    until = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    assert [e.kind for e in listed(auditor.get(url, {"username": "clerk", "date_to": until}))] == ["login_failed"]
    api = auditor.get("/api/v1/audit/events/", {"kind": "export", "username": "clerk"}).json()
    assert [row["kind"] for row in api["results"]] == ["export"]


def test_failed_logins_of_unknown_names_reach_the_county_auditor(db, auditor):
    log_event("login_failed", username="no-such-user")
    assert [e.username for e in listed(auditor.get(reverse("audit:event_list"), {"kind": "login_failed"}))] == [
        "no-such-user"
    ]
    assert SecurityEvent.objects.get(username="no-such-user").area.code == PUNING


def test_change_history_per_object_and_per_user(db, auditor):
    office = make_user("office", "office")
    with acting_as(office, via="web"):
        organisation = Organisation.objects.create(
            name="某合作社", kind="cooperative", area=area(HONGYANG), programme=programme()
        )
        organisation.duties = "青梅"
        organisation.save()
    history = auditor.get(reverse("audit:object_history", args=["accounts", "organisation", organisation.pk]))
    assert [c.action for c in history.context["history"]] == ["update", "create"]
    assert "青梅" in history.content.decode()
    mine = listed(auditor.get(reverse("audit:change_list"), {"user_name": "office"}))
    assert {c.object_repr for c in mine} == {"某合作社"}
    detail = auditor.get(mine[0].get_absolute_url()).content.decode()
    assert "duties" in detail and "青梅" in detail
    by_type = auditor.get(reverse("audit:change_list"), {"content_type": history.context["history"][0].content_type_id})
    assert {c.content_type.model for c in listed(by_type)} == {"organisation"}
    pk = organisation.pk
    with acting_as(office, via="web"):
        organisation.delete()
    gone = auditor.get(reverse("audit:object_history", args=["accounts", "organisation", pk]))
    assert gone.status_code == 200 and [c.action for c in gone.context["history"]][0] == "delete"


def test_nobody_can_change_the_audit_trail(db, auditor):
    event = log_event("login", user=make_user("clerk", "township", HONGYANG))
    change = ChangeRecord.objects.first()
    root_like = [auditor, login(make_user("office", "office"))]
    for client in root_like:
        for url in (f"/api/v1/audit/events/{event.pk}/", f"/api/v1/audit/changes/{change.pk}/"):
            assert client.delete(url).status_code in (403, 405)
            assert client.patch(url, {"reason": "x"}, content_type="application/json").status_code in (403, 405)
        assert client.post("/api/v1/audit/events/", {"kind": "login"}).status_code in (403, 405)
    event.refresh_from_db()
    assert event.reason == "" and SecurityEvent.objects.filter(pk=event.pk).exists()
    page = auditor.get(event.get_absolute_url()).content.decode()
    assert "<form" not in page.split('id="content"')[1].split("</main>")[0]  # nothing to submit on the page
    assert not admin.site.is_registered(SecurityEvent) and not admin.site.is_registered(ChangeRecord)


def test_list_pages_pin_their_query_counts(db, auditor, django_assert_max_num_queries):
    for n in range(30):
        log_event("login", user=make_user(f"clerk{n}", "township", HONGYANG))
    for url in (reverse("audit:event_list"), reverse("audit:change_list")):
        auditor.get(url)
        with django_assert_max_num_queries(10):
            page = auditor.get(url)
        assert len(page.context["object_list"]) >= 30


def test_the_deployment_area_spans_every_programme(db):
    from cuntong.audit.services import deployment_area_id
    from cuntong.programme.tests.test_programme_scope import programme_for

    assert deployment_area_id() == area(PUNING).pk
    programme_for("another county")  # 揭西县 joins: the two counties share the city 4452
    assert deployment_area_id() == area("4452").pk
