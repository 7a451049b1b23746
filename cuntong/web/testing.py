"""Test helpers every app uses: the Puning base data, users with scoped roles, and the scope test mixin.

``ScopedModelTests`` (NetBox's CRUD test mixins, adapted) checks a model's list page, detail page, XLSX export and
API as four users: anonymous, a member without the permission, a county office member (sees both records) and a
member of another township (sees only their own). ``test_every_model_is_scope_tested`` fails for any scoped model
that no subclass covers.
"""

from __future__ import annotations

import copy
import datetime
import functools
import io
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from cuntong.audit.context import acting_as
from cuntong.core.actors import SYSTEM

PUNING = "445281"
HONGYANG = "445281104"  # 洪阳镇
NANXI = "445281105"  # 南溪镇
PASSWORD = "Test#Pass2026"


def puning_time(when: str) -> datetime.datetime:
    """``YYYY-MM-DD`` (10:00 that day) or ``YYYY-MM-DDTHH:MM``, as the time in Puning."""
    moment = datetime.datetime.fromisoformat(when if "T" in when else f"{when}T10:00")
    return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


def frozen_clock(when: str, *, tick: bool = False):
    """The clock set to ``when`` (see ``puning_time``), standing still unless ``tick``: a decorator for a test that
    needs a date, or a context manager (time-machine)."""
    return time_machine.travel(puning_time(when), tick=tick)


@functools.cache
def _puning_plan():
    from cuntong.programme.plan import read_plan

    return read_plan(settings.CUNTONG_DEFAULT_PLAN)


def puning_plan():
    """The Puning plan, parsed and checked once per process (a copy: loading it must not share its rules dict)."""
    return copy.deepcopy(_puning_plan())


def load_base_data():
    """Puning's townships, two generated test villages per test township, roles and the Puning plan.

    The suite loads it once per session into the test database (conftest.py); calling it again is cheap and
    restores it after a transactional test has flushed the database."""
    from cuntong.accounts import roles
    from cuntong.accounts.models import Role
    from cuntong.geo.importers import AreaImporter
    from cuntong.geo.models import Area
    from cuntong.programme.models import Programme
    from cuntong.programme.services import load_plan

    with acting_as(None, via="test"):
        if not Role.objects.exists():
            roles.sync()
        if not Area.objects.filter(code=PUNING).exists():
            path = settings.BASE_DIR / "data" / "puning-townships.csv"
            with path.open("rb") as stream:
                report = AreaImporter(user=SYSTEM).run(stream, path.name)
            assert report.committed, report.errors
        if not Programme.objects.filter(code="puning-2019").exists():
            load_plan(puning_plan())
        for township_code, villages in TEST_VILLAGES.items():
            township = Area.objects.get(code=township_code)
            for code, name, population, poverty in villages:
                Area.objects.get_or_create(
                    code=code,
                    defaults={
                        "name": name,
                        "level": "village",
                        "kind": "village",
                        "parent": township,
                        "population": population,
                        "is_provincial_poverty_village": poverty,
                        "poor_labour_count": 50 if poverty else 5,
                        "is_generated": True,
                    },
                )


def empty_database() -> None:
    """The database as a fresh installation has it — only what migrating creates (content types, permissions,
    roles) — inside the running test's transaction, whose rollback brings the base data back: for tests of what a
    fresh installation does, such as ``cuntong demo``. Content types are kept, not recreated, so ContentType's
    cache still holds after the rollback."""
    from django.core.management.color import no_style
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection

    from cuntong.core.appendonly import triggers_disabled

    kept = {"django_content_type", "auth_permission"}
    tables = [t for t in connection.introspection.django_table_names(only_existing=True) if t not in kept]
    with triggers_disabled():  # wiping a whole database is the one sanctioned way past the append-only triggers
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)


TEST_VILLAGES = {
    HONGYANG: [("445281104201", "测试甲村委会", 4200, True), ("445281104202", "测试乙村委会", 12000, False)],
    NANXI: [("445281105201", "测试丙村委会", 3000, False), ("445281105202", "测试丁村委会", 5200, True)],
}


def area(code: str):
    from cuntong.geo.models import Area

    return Area.objects.current().get(code=code)


def programme():
    from cuntong.programme.models import Programme

    return Programme.objects.get(code="puning-2019")


def make_user(username: str, role: str | None, scope_code: str = PUNING, *, organisation=None, **fields):
    """A user with one membership (``role`` None: a member with no role permissions at all)."""
    from cuntong.accounts.models import Membership, Role, User

    user = User.objects.create_user(username=username, password=PASSWORD, password_changed_at=timezone.now(), **fields)
    if role:
        Membership.objects.create(
            user=user, role=Role.objects.get(code=role), area=area(scope_code), organisation=organisation
        )
    return user


def login(user) -> Client:
    """A client logged in as ``user``; roles that require 2FA get a verified OTP device."""
    client = Client()
    client.force_login(user)
    if user.requires_otp:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def xlsx_upload(header: list[str], rows, name: str = "upload.xlsx") -> io.BytesIO:
    """An XLSX file to import or upload: a header row, then ``rows``."""
    book = Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    stream.name = name
    return stream


def xlsx_rows(response) -> list[tuple]:
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content), read_only=True
    )
    return list(book.worksheets[0].iter_rows(values_only=True))


class ScopedModelTests:
    """Subclass as ``TestXScope(ScopedModelTests)`` and fill in the hooks.

    Subclasses define ``make_record(township_code)``, which creates one record inside that township; ``list_url``/``api_url`` name the
    pages; ``detail_url(obj)``/``api_detail_url(obj)`` may be None when a model has no such page. ``viewer_role``
    is a county-wide role that may view the model; ``township_role`` a township-scoped role that may view it.
    """

    model = None
    viewer_role = "office"
    viewer_scope = PUNING  # programme-wide (shared) records compare two counties: their viewer sits above both
    township_role = "township"
    list_url: str | None = None
    api_url: str | None = None
    export: bool = True

    def detail_url(self, obj) -> str | None:
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None

    def api_detail_url(self, obj) -> str | None:
        return f"{self.api_url}{obj.pk}/" if self.api_url else None

    def record_text(self, obj) -> str:
        return str(obj)

    @pytest.fixture
    def records(self, db):
        load_base_data()
        return self.make_record(HONGYANG), self.make_record(NANXI)

    # -- anonymous --------------------------------------------------------------------------------------------
    def test_anonymous_is_sent_to_login(self, records):
        own, _other = records
        client = Client()
        for url in filter(None, [self.list_url, self.detail_url(own)]):
            response = client.get(url)
            assert response.status_code == 302 and reverse("accounts:login") in response["Location"], url
        if self.api_url:
            assert client.get(self.api_url).status_code in (401, 403)

    # -- member without permission ----------------------------------------------------------------------------
    def test_member_without_permission_is_refused(self, records):
        own, _other = records
        client = login(make_user("no-perms", None))
        for url in filter(None, [self.list_url, self.detail_url(own)]):
            assert client.get(url).status_code in (403, 404), url
        if self.api_url:
            assert client.get(self.api_url).status_code == 403

    # -- county-wide permission -------------------------------------------------------------------------------
    def test_county_member_sees_every_township(self, records):
        own, other = records
        client = login(make_user("county-viewer", self.viewer_role, self.viewer_scope))
        if self.list_url:
            page = client.get(self.list_url).content.decode()
            assert self.record_text(own) in page and self.record_text(other) in page
        for obj in (own, other):
            url = self.detail_url(obj)
            if url:
                assert client.get(url).status_code == 200, url
        if self.api_url:
            ids = {row["id"] for row in _api_rows(client.get(self.api_url, {"limit": 1000}))}
            assert {own.pk, other.pk} <= ids

    # -- constrained: another township ------------------------------------------------------------------------
    def test_township_member_sees_only_their_township(self, records):
        own, other = records
        client = login(make_user("township-viewer", self.township_role, HONGYANG))
        if self.list_url:
            page = client.get(self.list_url).content.decode()
            assert self.record_text(own) in page
            assert self.record_text(other) not in page
            if self.export:
                cells = {str(c) for row in xlsx_rows(client.get(self.list_url, {"export": "xlsx"})) for c in row}
                assert self.record_text(other) not in cells
        if self.detail_url(other):
            assert client.get(self.detail_url(other)).status_code == 404
            assert client.get(self.detail_url(own)).status_code == 200
        if self.api_url:
            ids = {row["id"] for row in _api_rows(client.get(self.api_url, {"limit": 1000}))}
            assert own.pk in ids and other.pk not in ids
            assert client.get(self.api_detail_url(other)).status_code == 404


def _api_rows(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def other_county_programme():
    """A second county's programme in the same deployment (揭东区), for tests of the programme boundary."""
    from cuntong.geo.models import Area
    from cuntong.programme.models import Programme

    county, _created = Area.objects.get_or_create(
        code="445203", defaults={"name": "揭东区", "level": "county", "kind": "county"}
    )
    township, _created = Area.objects.get_or_create(
        code="445203100", defaults={"name": "测试镇", "level": "township", "kind": "town", "parent": county}
    )
    programme, _created = Programme.objects.get_or_create(
        code="jiedong-test",
        defaults={
            "name": "揭东区测试示范项目",
            "short_name": "揭东（测试）",
            "county": county,
            "batch_year": 2020,
            "start_date": "2020-01-01",
            "end_date": "2021-12-31",
        },
    )
    return programme


class SharedModelTests:
    """For programme-wide records every member of the programme may read (plan, budget, targets).

    Checks: anonymous → login; no permission → refused; a township member reads them but cannot change them;
    a member of another county sees none of them. Subclasses define ``make_record()`` (a Puning record).
    """

    model = None
    list_url: str | None = None
    api_url: str | None = None

    def detail_url(self, obj) -> str | None:
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None

    def record_text(self, obj) -> str:
        return str(obj)

    @pytest.fixture
    def record(self, db):
        load_base_data()
        return self.make_record()

    def test_anonymous_is_sent_to_login(self, record):
        client = Client()
        for url in filter(None, [self.list_url, self.detail_url(record)]):
            response = client.get(url)
            assert response.status_code == 302 and reverse("accounts:login") in response["Location"], url
        if self.api_url:
            assert client.get(self.api_url).status_code in (401, 403)

    def test_member_without_permission_is_refused(self, record):
        client = login(make_user("no-perms", None))
        for url in filter(None, [self.list_url, self.detail_url(record)]):
            assert client.get(url).status_code in (403, 404), url
        if self.api_url:
            assert client.get(self.api_url).status_code == 403

    def test_township_member_reads_but_cannot_change(self, record):
        user = make_user("township-viewer", "township", HONGYANG)
        client = login(user)
        for url in filter(None, [self.list_url, self.detail_url(record)]):
            response = client.get(url)
            assert response.status_code == 200 and self.record_text(record) in response.content.decode(), url
        assert self.model.objects.restrict(user, "view").filter(pk=record.pk).exists()
        assert not self.model.objects.restrict(user, "change").filter(pk=record.pk).exists()
        assert not self.model.objects.restrict(user, "delete").filter(pk=record.pk).exists()

    def test_other_county_member_sees_nothing(self, record):
        county = other_county_programme().county
        user = make_user("other-county", "office", county.code)
        assert not self.model.objects.restrict(user, "view").filter(pk=record.pk).exists()
        client = login(user)
        if self.detail_url(record):
            assert client.get(self.detail_url(record)).status_code == 404
        if self.api_url:
            text = client.get(self.api_url).content.decode()
            assert self.record_text(record) not in text


def current_totp(device) -> int:
    """The code an authenticator app shows now that the device will accept: never a step already used (django-otp
    refuses replays) and following the drift the device learnt at its last verification."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = clock.t()
    clock.drift += max(now, device.last_t + 1) - now
    return clock.token()


def backdate(model, pk, days: int) -> None:
    """Move an audit row's time back, as only the table owner could: on PostgreSQL its append-only triggers are
    lifted for this one update."""
    from cuntong.core.appendonly import triggers_disabled

    with triggers_disabled():
        model.objects.filter(pk=pk).update(time=timezone.now() - datetime.timedelta(days=days))


class OneRequestAtATime:
    """Test settings only (cuntong/test_settings.py): the live server handles one request at a time, since its
    threads share one in-memory SQLite connection whose prepared statements two identical queries would share."""

    lock = threading.RLock()  # re-entrant: a view that runs another view in its thread does not wait for itself

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with self.lock:
            return self.get_response(request)
