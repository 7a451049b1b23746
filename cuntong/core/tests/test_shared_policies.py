"""Meta-test: where a page and an API endpoint take the same action, both consult the same policy — the app's
``policies.py`` — so an action has one permission and scope wherever it is reached.

Each case takes one action on the page and through the API, twice: as it is (both go through), and with the policy
monkeypatched to refuse (both refuse, and nothing changes). A page or endpoint that decided for itself would go
through with the policy refusing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from cuntong.accounts import policies as account_policies
from cuntong.accounts import rules as account_rules
from cuntong.accounts.models import Membership, Role
from cuntong.funds import policies as fund_policies
from cuntong.funds.models import Contract
from cuntong.funds.tests.factories import contract
from cuntong.logistics import policies as logistics_policies
from cuntong.logistics.models import Carrier, ExpressVolume
from cuntong.people import policies as people_policies
from cuntong.people.tests.factories import make_resident
from cuntong.stations import policies as station_policies
from cuntong.stations import rules as station_rules
from cuntong.stations.tests.factories import make_station
from cuntong.training import policies as training_policies
from cuntong.web.testing import HONGYANG, area, login, make_user

pytestmark = pytest.mark.usefixtures("base_data")
Act = Callable[[str], bool]  # takes the action on the "page" or through the "api": did it go through?


def _refuse(*args, **kwargs):
    raise PermissionDenied("refused by the policy")


def _false(*args, **kwargs):
    return False


# --- funds ---------------------------------------------------------------------------------------------------------


def sign_contract() -> Act:
    office = make_user("office1", "office")
    drafts = {via: contract(office, sign=False) for via in ("page", "api")}

    def act(via):
        draft, client = drafts[via], login(office)
        if via == "page":
            client.post(f"/funds/contracts/{draft.pk}/sign/", {"signed_on": "2020-01-05"})
        else:
            response = client.post(f"/api/v1/funds/contracts/{draft.pk}/sign/", {"signed_on": "2020-01-05"})
            assert response.status_code in (200, 403), response.content[:300]
        draft.refresh_from_db()
        return draft.status == Contract.Status.SIGNED

    return act


def read_ledger() -> Act:
    office = login(make_user("office1", "office"))

    def act(via):
        if via == "page":
            return office.post("/funds/ledger/verify/").status_code == 302
        return office.get("/api/v1/funds/ledger/head/").status_code == 200

    return act


# --- stations ------------------------------------------------------------------------------------------------------


def build_station() -> Act:
    office = login(make_user("office1", "office"))
    stations = {
        via: make_station(f"{HONGYANG}{number}", status=station_rules.APPROVED)
        for via, number in (("page", 201), ("api", 202))
    }

    def act(via):
        station = stations[via]
        if via == "page":
            office.post(f"/stations/{station.pk}/transition/", {"target": station_rules.BUILT, "on": "2020-06-01"})
        else:
            office.post(
                f"/api/v1/stations/{station.pk}/transition/",
                {"target": station_rules.BUILT},
                content_type="application/json",
            )
        station.refresh_from_db()
        return station.status == station_rules.BUILT

    return act


def read_coverage() -> Act:
    office = login(make_user("office1", "office"))

    def act(via):
        url = "/stations/coverage/" if via == "page" else "/api/v1/station-coverage/"
        return office.get(url).status_code == 200

    return act


# --- people --------------------------------------------------------------------------------------------------------


def reveal_id_number() -> Act:
    resident = make_resident(HONGYANG, 7)
    poverty = login(make_user("poverty", "poverty_office"))
    reason = "核实培训报名身份"

    def act(via):
        if via == "page":
            url = f"/people/reveal/people/resident/{resident.pk}/id_number/"
            response = poverty.post(url, {"reason": reason})
        else:
            url = f"/api/v1/people/residents/{resident.pk}/reveal/"
            response = poverty.post(url, {"field": "id_number", "reason": reason})
        return response.status_code == 200 and resident.id_number.reveal() in response.content.decode()

    return act


def look_up() -> Act:
    resident = make_resident(HONGYANG, 8)
    office = login(make_user("office1", "office"))
    number = resident.id_number.reveal()

    def act(via):
        if via == "page":
            response = office.post("/people/lookup/", {"id_number": number})
            return response.status_code == 302 and response["Location"] == resident.get_absolute_url()
        response = office.post("/api/v1/people/residents/lookup/", {"id_number": number})
        return response.status_code == 200 and [r["id"] for r in response.json()] == [resident.pk]

    return act


# --- accounts ------------------------------------------------------------------------------------------------------


def grant_role() -> Act:
    sysadmin = login(make_user("sysadmin1", "sysadmin"))
    clerks = {via: make_user(f"clerk-{via}", "township", HONGYANG) for via in ("page", "api")}
    role, township = Role.objects.get(code="postal"), area(HONGYANG)  # a second role for a township clerk

    def act(via):
        fields = {"user": clerks[via].pk, "role": role.pk, "area": township.pk, "is_active": "on"}
        if via == "page":
            sysadmin.post("/accounts/memberships/add/", fields)
        else:
            sysadmin.post("/api/v1/memberships/", {**fields, "is_active": True}, content_type="application/json")
        return Membership.objects.filter(user=clerks[via], role=role).exists()

    return act


def read_roles() -> Act:
    secadmin = login(make_user("secadmin1", "secadmin"))

    def act(via):
        return secadmin.get("/accounts/roles/" if via == "page" else "/api/v1/roles/").status_code == 200

    return act


def record_attendance() -> Act:
    from cuntong.training import services as training
    from cuntong.training.models import Attendance, Enrolment
    from cuntong.training.tests.factories import make_session, make_trainee

    clerk = login(make_user("clerk1", "township", HONGYANG))
    days = {}
    for n, via in enumerate(("page", "api")):
        session = make_session(HONGYANG, code=f"POL{n}")
        trainee = make_trainee(HONGYANG, 400 + n)
        Enrolment.objects.create(session=session, trainee=trainee)
        days[via] = (session, session.days.get(), trainee)
    assert training.SYSTEM  # the set-up acts for nobody but the system

    def act(via):
        session, day, trainee = days[via]
        if via == "page":
            clerk.post(f"/training/sessions/{session.pk}/attendance/", {"day": day.pk, "present": [trainee.pk]})
        else:
            response = clerk.post("/api/v1/training/attendance/", {"day": day.pk, "trainee": trainee.pk})
            assert response.status_code in (201, 403), response.content[:300]
        return Attendance.objects.filter(day=day, trainee=trainee).exists()

    return act


def record_volume() -> Act:
    postal = make_user("postal1", "postal")
    carriers = {"page": Carrier.objects.get(code="zto"), "api": Carrier.objects.get(code="yto")}

    def act(via):
        client, carrier = login(postal), carriers[via]
        data = {"month": "2020-05", "township": area(HONGYANG).pk, "inbound": 10, "outbound": 2}
        if via == "page":
            client.post("/logistics/volumes/add/", {**data, "carrier": carrier.pk})
        else:
            response = client.post("/api/v1/logistics/volumes/", {**data, "carrier": carrier.code})
            assert response.status_code in (201, 403), response.content[:300]
        return ExpressVolume.objects.filter(carrier=carrier, township=area(HONGYANG)).exists()

    return act


def _grant_refusal(*args):
    return account_rules.Refusal("refused", "refused by the policy")


# (the action's set-up, which returns ``act(via)``: did the action go through on the page / the API?), the policy
# module and function both must consult, and a replacement that refuses.
CASES = [
    (sign_contract, fund_policies, "require", _refuse),
    (read_ledger, fund_policies, "may_read_ledger", _false),
    (build_station, station_policies, "require", _refuse),
    (read_coverage, station_policies, "require_coverage", _refuse),
    (reveal_id_number, people_policies, "may_reveal", _false),
    (look_up, people_policies, "may_look_up", _false),
    (grant_role, account_policies, "grant_refusal", _grant_refusal),
    (read_roles, account_policies, "may_view_roles", _false),
    (record_attendance, training_policies, "may_record_attendance", _false),
    (record_volume, logistics_policies, "require", _refuse),
]
IDS = [setup.__name__ for setup, *_policy in CASES]


@pytest.mark.parametrize(("setup", "module", "name", "refusal"), CASES, ids=IDS)
def test_page_and_api_go_through_while_the_policy_allows(setup, module, name, refusal):
    act = setup()
    assert act("page"), "the page refused"
    assert act("api"), "the API refused"


@pytest.mark.parametrize(("setup", "module", "name", "refusal"), CASES, ids=IDS)
def test_page_and_api_both_refuse_when_the_policy_refuses(setup, module, name, refusal, monkeypatch):
    act = setup()
    monkeypatch.setattr(module, name, refusal)
    assert not act("page"), f"the page decided without {module.__name__}.{name}"
    assert not act("api"), f"the API decided without {module.__name__}.{name}"


def test_every_app_with_an_api_and_a_policy_module_is_covered():
    apps = Path(settings.BASE_DIR) / "cuntong"
    with_both = {p.parent.name for p in apps.glob("*/policies.py") if (p.parent / "api.py").exists()}
    covered = {module.__name__.split(".")[1] for _setup, module, *_rest in CASES}
    assert {"funds", "stations", "people", "accounts"} <= with_both
    assert with_both <= covered, f"no case for {sorted(with_both - covered)}"
