"""No resident ID number (nor phone number) appears unmasked in any page, API response, export or log.

Residents with known numbers are created, imported through the page and edited; then every page route of the
project (walked from the URL resolver, each object route filled with every object of its model), every API endpoint
(walked from the router, list and detail) and every list export is requested by privileged users, while all log
output is captured. Everything produced — responses, XLSX cells, log records, console output, and the audit rows and
job results written to the database — is scanned for the numbers in clear. The one allowed exception is the answer to
a reveal, which must be preceded by its security event.

The database test reads the columns raw: ciphertext only, and a blind index that is not an unkeyed hash.
"""

import hashlib
import io
import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from cuntong.accounts.models import Organisation, User
from cuntong.api_urls import router
from cuntong.audit.models import ChangeRecord, SecurityEvent
from cuntong.jobs.models import Job
from cuntong.people.models import Resident
from cuntong.web.testing import HONGYANG, NANXI, area, login, make_user, programme, xlsx_upload
from cuntong.web.views import ObjectListView

from .factories import id_number, make_resident

SKIPPED_NAMESPACES = {"admin"}
SKIPPED_ROUTES = {"set_language", "javascript-catalog", "api-schema", "api-docs", "api-redoc", "accounts:logout"}
PHONES = ["13800001001", "13900002002", "13700003003", "13600004004"]
# routes that must have been requested for the scan to mean anything
MUST_VISIT = {
    "people:resident_list",
    "people:resident_detail",
    "people:resident_edit",
    "people:reveal",
    "audit:event_list",
    "audit:event_detail",
    "audit:change_list",
    "audit:change_detail",
    "audit:object_history",
    "accounts:user_detail",
    "accounts:organisation_detail",
    "jobs:detail",
}


def _page_routes():
    """(name, pattern) of every named page route, namespaces joined."""

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in SKIPPED_NAMESPACES or str(entry.pattern) == "api/v1/":
                    continue
                inner = ":".join(filter(None, [namespace, entry.namespace]))
                yield from walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                yield ":".join(filter(None, [namespace, entry.name])), entry

    return [(name, entry) for name, entry in walk(get_resolver().url_patterns, "") if name not in SKIPPED_ROUTES]


def _objects_for(name: str, entry: URLPattern):
    """Keyword arguments to request ``entry`` with: one set per object of its model (or none)."""
    converters = set(entry.pattern.converters)
    if not converters:
        return [{}]
    if name == "audit:object_history":
        return [
            {"app_label": obj._meta.app_label, "model_name": obj._meta.model_name, "pk": str(obj.pk)}
            for obj in [*Resident.objects.all(), *User.objects.all(), *Organisation.objects.filter(area__code=HONGYANG)]
        ]
    if name == "people:reveal":  # the form only: a GET reveals nothing
        return [
            {"app_label": "people", "model_name": "resident", "pk": str(obj.pk), "field": field}
            for obj in Resident.objects.all()
            for field in ("id_number", "phone")
        ]
    if name == "jobs:detail":
        return [{"pk": job.pk} for job in Job.objects.all()]
    model = getattr(getattr(entry.callback, "view_class", None), "model", None)
    if converters == {"pk"} and model is not None:
        newest = model._base_manager.order_by("-pk").values_list("pk", flat=True)  # the test's own records
        return [{"pk": pk} for pk in newest[: None if model in (Resident, User) else 15]]
    return []


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row)


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        return _xlsx_text(content)
    return content.decode(errors="replace")


def _import_roster(client: Client, serials, *, bad_row=False) -> None:
    rows = [[f"导入{s}", id_number(s), "445281104202", f"1350000{s:04d}", "是"] for s in serials]
    if bad_row:  # a check-digit failure: the report names the row, never the number
        wrong = id_number(99)[:-1] + ("0" if id_number(99)[-1] != "0" else "1")
        rows.append(["坏行", wrong, "445281104202", "", ""])
    upload = xlsx_upload(["姓名", "身份证号", "村", "联系电话", "劳动能力"], rows, "roster.xlsx")
    client.post(reverse("web:import", args=["residents"]), {"file": upload})


@pytest.fixture
def world(db, base_data, django_capture_on_commit_callbacks):
    """Residents in two townships, one imported roster (with a bad row), an edit, staff with phones."""
    residents = [make_resident(HONGYANG, 11, phone=PHONES[0]), make_resident(NANXI, 12, phone=PHONES[1])]
    poverty = make_user("poverty", "poverty_office", phone=PHONES[2])
    Organisation.objects.create(
        name="测试合作社", kind="cooperative", area=area(HONGYANG), programme=programme(), contact_phone=PHONES[3]
    )
    client = login(poverty)
    with django_capture_on_commit_callbacks(execute=True):
        _import_roster(client, [21, 22])
        _import_roster(client, [23], bad_row=True)
    edited = residents[0]
    client.post(
        reverse("people:resident_edit", args=[edited.pk]),
        {"name": edited.name, "village": edited.village_id, "poverty_status": "lifted", "lifted_year": 2020},
    )
    assert Resident.objects.get(pk=edited.pk).poverty_status == "lifted"  # edited, ID number kept
    assert Resident.objects.filter(name__startswith="导入").count() == 2  # the valid import; the bad one wrote nothing
    ids = [id_number(s) for s in (11, 12, 21, 22, 23, 99)]
    ids.append(ids[-1][:-1] + ("0" if ids[-1][-1] != "0" else "1"))  # the bad row's number as typed
    phones = [*PHONES, "13500000021", "13500000022", "13500000023"]
    return {"ids": ids, "phones": phones, "residents": Resident.objects.all(), "poverty": poverty}


# Each viewer's crawl is its own test, so parallel workers share the work. Those who may see every page must reach
# MUST_VISIT; the rest must still reach pages enough for the scan to mean something.
VIEWERS = {
    "root": None,
    "poverty": None,
    "office": ("office", None),
    "auditadmin": ("auditadmin", None),
    "sysadmin": ("sysadmin", None),
    "hongyang": ("township", HONGYANG),
}


def _viewer(world, name: str) -> User:
    if name == "root":
        return User.objects.create_superuser("root", password="Root#Pass2026", password_changed_at=timezone.now())
    if name == "poverty":
        return world["poverty"]
    role, area_code = VIEWERS[name]
    return make_user(name, role, area_code) if area_code else make_user(name, role)


@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_no_id_or_phone_number_in_clear_anywhere(world, viewer_name, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    produced: list[tuple[str, str]] = []
    visited: set[str] = set()
    routes = _page_routes()
    client = login(_viewer(world, viewer_name))
    for name, entry in routes:
        for kwargs in _objects_for(name, entry):
            url = reverse(name, kwargs=kwargs)
            response = client.get(url)
            visited.add(name) if response.status_code == 200 else None
            produced.append((f"{viewer_name} GET {url}", _body(response)))
            view_class = getattr(entry.callback, "view_class", None)
            if view_class and issubclass(view_class, ObjectListView) and response.status_code == 200:
                export = client.get(url, {"export": "xlsx"})
                produced.append((f"{viewer_name} export {url}", _body(export)))
    for prefix, viewset, _basename in router.registry:
        listing = client.get(f"/api/v1/{prefix}/", {"limit": 1000})
        produced.append((f"{viewer_name} API {prefix}", _body(listing)))
        if listing.status_code != 200:
            continue
        rows = listing.json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        lookup = getattr(viewset, "lookup_field", "pk")
        for row in rows[-15:]:
            key = row.get(lookup if lookup != "pk" else "id")
            if key is not None:
                detail = client.get(f"/api/v1/{prefix}/{key}/")
                produced.append((f"{viewer_name} API {prefix}/{key}", _body(detail)))

    if viewer_name == "root":
        assert visited >= MUST_VISIT, f"not reached: {sorted(MUST_VISIT - visited)}"
        assert any("people/residents" in where for where, _text in produced)
    assert len(visited) >= 10, f"{viewer_name} reached only {sorted(visited)}"

    # the one exception: a reveal's answer, after its security event
    resident = Resident.objects.get(name="测试人员11")
    reveal = login(world["poverty"]).post(
        reverse("people:reveal", args=["people", "resident", resident.pk, "id_number"]), {"reason": "核实身份信息"}
    )
    assert world["ids"][0] in reveal.content.decode()
    assert SecurityEvent.objects.filter(kind="reveal", object_id=str(resident.pk), reason="核实身份信息").exists()

    produced += [(f"log {r.name}", f"{r.getMessage()} {r.exc_text or ''} {r.args}") for r in caplog.records]
    out, err = capfd.readouterr()
    produced += [("stdout", out), ("stderr", err)]
    for change in ChangeRecord.objects.all():
        produced.append((f"change {change.pk}", f"{change.object_repr} {change.before} {change.after}"))
    for event in SecurityEvent.objects.all():
        produced.append((f"event {event.pk}", f"{event.object_repr} {event.reason} {event.detail}"))
    for job in Job.objects.all():
        produced.append((f"job {job.pk}", f"{job.params} {job.result} {job.error}"))

    secrets = [*world["ids"], *world["phones"]]
    leaks = [(where, secret) for where, text in produced for secret in secrets if secret in text]
    assert not leaks, leaks[:10]
    assert len(produced) > 100  # the scan covered the suite's surface, not a handful of pages


def test_the_database_holds_ciphertext_only(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash, phone FROM people_resident")
        rows = cursor.fetchall()
        cursor.execute("SELECT phone FROM accounts_user WHERE phone <> ''")
        user_phones = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT contact_phone FROM accounts_organisation WHERE contact_phone <> ''")
        contact_phones = [row[0] for row in cursor.fetchall()]
    assert len(rows) == 4 and user_phones and contact_phones
    stored = " ".join(str(value) for row in rows for value in row) + " ".join(user_phones + contact_phones)
    for secret in [*world["ids"], *world["phones"]]:
        assert secret not in stored
        assert secret[:17] not in stored and secret[-8:] not in stored
    for id_value, _index, phone in rows:
        assert id_value.startswith("gAAAAA") and phone.startswith("gAAAAA")  # Fernet tokens
    known = {id_number(s) for s in (11, 12, 21, 22)}
    unkeyed = {hashlib.sha256(f"{p}{value}".encode()).hexdigest() for value in known for p in ("", "resident_id:")}
    assert not {row[1] for row in rows} & unkeyed
    # every encryption is randomised: the same number twice gives two different ciphertexts
    twin = Resident(programme=programme(), village=area("445281105201"), name="双胞胎", id_number=id_number(11))
    assert twin._meta.get_field("id_number").get_prep_value(twin.id_number) != rows[0][0]
