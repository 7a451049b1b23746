"""No trainee ID number or phone appears unmasked on any page, API answer or export of the project while training
records exist (people/tests/test_no_plaintext.py's walk of every route, with trainees, sessions, attendance, an
imported signed roster with a bad row, a QR sign-in and follow-ups in the database), nor in logs, change history or
job reports. The one exception is a logged reveal."""

import datetime
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from cuntong.api_urls import router
from cuntong.audit.models import ChangeRecord, SecurityEvent
from cuntong.jobs.models import Job
from cuntong.people.tests.factories import id_number
from cuntong.people.tests.test_no_plaintext import _body as _page_body
from cuntong.people.tests.test_no_plaintext import _objects_for, _page_routes
from cuntong.training import services
from cuntong.training.models import Session, Trainee
from cuntong.web.testing import HONGYANG, frozen_clock, login, make_user, xlsx_upload
from cuntong.web.views import ObjectListView

from .factories import make_session, make_trainee

PHONES = ["13811112222", "13933334444", "13755556666"]
SESSION_ROUTES = {
    "training:session_qr",
    "training:session_attendance",
    "training:session_signin_sheet",
    "training:session_roster",
    "training:session_summary",
}


def _body(response) -> str:
    """The response's text; a DOCX's document part as written (the XLSX and HTML readers otherwise)."""
    if response.get("Content-Type", "").endswith("wordprocessingml.document"):
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return archive.read("word/document.xml").decode()
    return _page_body(response)


@pytest.fixture
def world(db, base_data, django_capture_on_commit_callbacks):
    ids = [id_number(s, born="19880808") for s in (301, 302, 303, 304)]
    day = datetime.date(2020, 10, 12)
    session = make_session(HONGYANG, code="NP1", days=[day])
    trainees = [
        make_trainee(HONGYANG, 301, id_number=ids[0], phone=PHONES[0]),
        make_trainee(HONGYANG, 302, id_number=ids[1], phone=PHONES[1]),
    ]
    for trainee in trainees:
        services.record_attendance(services.SYSTEM, session.days.get(), trainee)
    services.schedule_follow_ups(session, services.SYSTEM)
    with frozen_clock("2020-10-12T09:00"):
        from django.test import Client

        Client().post(
            reverse("training:signin", args=[services.signin_code(session.days.get())]),
            {"name": "扫码学员", "id_number": ids[2], "phone": PHONES[2]},
        )
    office = make_user("office", "office")
    wrong = ids[3][:-1] + ("0" if ids[3][-1] != "0" else "1")
    upload = xlsx_upload(
        ["培训班编号", "日期", "姓名", "身份证号"],
        [["NP1", "2020-10-12", "导入学员", ids[3]], ["NP1", "2020-10-12", "坏行", wrong]],
        "roster.xlsx",
    )
    with django_capture_on_commit_callbacks(execute=True):
        login(office).post(reverse("web:import", args=["training_attendance"]), {"file": upload})
    assert Trainee.objects.count() == 3  # the import had a bad row: nothing written
    return {"secrets": [*ids, wrong, *PHONES], "office": office}


@pytest.mark.parametrize("viewer", ["root", "hongyang"])
def test_no_trainee_number_in_clear_anywhere(world, viewer, caplog, capfd):
    from cuntong.accounts.models import User

    caplog.set_level(logging.DEBUG)
    if viewer == "root":
        user = User.objects.create_superuser("root", password="Root#Pass2026", password_changed_at=timezone.now())
    else:
        user = make_user("hy", "township", HONGYANG)
    client = login(user)
    produced, visited = [], set()
    for name, entry in _page_routes():
        if name in SESSION_ROUTES:
            kwargs_list = [{"pk": pk} for pk in Session.objects.values_list("pk", flat=True)]
        elif name == "people:reveal":
            kwargs_list = [
                {"app_label": "training", "model_name": "trainee", "pk": str(t.pk), "field": f}
                for t in Trainee.objects.all()
                for f in ("id_number", "phone")
            ]
        else:
            kwargs_list = _objects_for(name, entry)
        for kwargs in kwargs_list:
            response = client.get(reverse(name, kwargs=kwargs))
            if response.status_code == 200:
                visited.add(name)
            produced.append((f"GET {name} {kwargs}", _body(response)))
            view_class = getattr(entry.callback, "view_class", None)
            if view_class and issubclass(view_class, ObjectListView) and response.status_code == 200:
                produced.append((f"export {name}", _body(client.get(reverse(name, kwargs=kwargs), {"export": "xlsx"}))))
    for prefix, _viewset, _basename in router.registry:
        listing = client.get(f"/api/v1/{prefix}/", {"limit": 1000})
        produced.append((f"API {prefix}", _body(listing)))
    training_pages = {n for n in visited if n.startswith("training:")}
    assert {
        "training:trainee_list",
        "training:trainee_detail",
        "training:session_detail",
        "training:session_attendance",
        "training:session_signin_sheet",
        "training:session_roster",
    } <= training_pages
    if viewer == "root":
        assert "training:coverage" in training_pages and "training:report" in training_pages
    produced += [(f"log {r.name}", f"{r.getMessage()} {r.exc_text or ''} {r.args}") for r in caplog.records]
    out, err = capfd.readouterr()
    produced += [("stdout", out), ("stderr", err)]
    produced += [(f"change {c.pk}", f"{c.object_repr} {c.before} {c.after}") for c in ChangeRecord.objects.all()]
    produced += [(f"event {e.pk}", f"{e.object_repr} {e.reason} {e.detail}") for e in SecurityEvent.objects.all()]
    produced += [(f"job {j.pk}", f"{j.params} {j.result} {j.error}") for j in Job.objects.all()]
    leaks = [(where, secret) for where, text in produced for secret in world["secrets"] if secret in text]
    assert not leaks, leaks[:10]
    assert len(produced) > 100


def test_a_trainees_number_is_revealed_only_with_permission_and_a_logged_reason(world):
    trainee = Trainee.objects.order_by("pk").first()
    url = reverse("people:reveal", args=["training", "trainee", trainee.pk, "id_number"])
    refused = login(make_user("hy", "township", HONGYANG)).post(url, {"reason": "核实培训报名身份"})
    assert refused.status_code == 403
    answer = login(world["office"]).post(url, {"reason": "核实培训报名身份"})
    assert world["secrets"][0] in answer.content.decode()
    assert SecurityEvent.objects.filter(kind="reveal", object_id=str(trainee.pk)).exists()
