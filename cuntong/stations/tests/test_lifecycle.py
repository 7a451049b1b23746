"""Station life cycle through the service: dated, attributed steps; rules block approval unless overridden."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from cuntong.stations import rules, services, spatial
from cuntong.stations.models import Station
from cuntong.web.testing import HONGYANG, NANXI, login, make_user

from .factories import make_station, position

VILLAGE_A = f"{HONGYANG}201"
VILLAGE_B = f"{HONGYANG}202"


@pytest.fixture
def office(base_data):
    return make_user("office-user", "office")


def test_every_step_is_a_dated_record_with_who_and_why(office):
    station = make_station(VILLAGE_A, status=rules.PROPOSED)
    day = datetime.date(2020, 3, 1)
    services.transition(station, rules.APPROVED, user=office, on=day)
    services.transition(station, rules.BUILT, user=office, on=day + datetime.timedelta(days=20))
    services.transition(station, rules.OPERATING, user=office, on=day + datetime.timedelta(days=30))
    services.transition(station, rules.PROBATION, user=office, reason="连续三个月不活跃")
    station.refresh_from_db()
    assert station.status == rules.PROBATION
    assert station.opened_on == day + datetime.timedelta(days=30)
    events = list(station.events.values_list("from_status", "to_status", "by__username", "reason"))
    assert events == [
        ("", rules.PROPOSED, None, ""),
        (rules.PROPOSED, rules.APPROVED, "office-user", ""),
        (rules.APPROVED, rules.BUILT, "office-user", ""),
        (rules.BUILT, rules.OPERATING, "office-user", ""),
        (rules.OPERATING, rules.PROBATION, "office-user", "连续三个月不活跃"),
    ]


def test_illegal_steps_are_refused_and_change_nothing(office):
    station = make_station(VILLAGE_A, status=rules.PROPOSED)
    with pytest.raises(rules.IllegalTransition):
        services.transition(station, rules.OPERATING, user=office)
    with pytest.raises(rules.IllegalTransition, match="原因"):
        services.transition(station, rules.REJECTED, user=office)
    station.refresh_from_db()
    assert station.status == rules.PROPOSED and station.events.count() == 1


def test_approval_is_blocked_by_spacing_then_granted_by_an_override_with_reason(office):
    existing = make_station(VILLAGE_A)
    near = spatial.offset(float(existing.latitude), float(existing.longitude), 45, 1990)
    station = make_station(VILLAGE_B, status=rules.PROPOSED, at=near)
    with pytest.raises(services.RulesBroken) as refused:
        services.transition(station, rules.APPROVED, user=office)
    violation = refused.value.violations[0]
    assert violation.kind == "spacing" and violation.distance_m == pytest.approx(
        1990, abs=0.5
    )  # positions are stored to 1e-6°
    with pytest.raises(rules.IllegalTransition, match="理由"):
        services.transition(station, rules.APPROVED, user=office, override=True)
    event = services.transition(station, rules.APPROVED, user=office, override=True, reason="两村之间有河流阻隔")
    assert event.override and event.violations[0]["stations"] == [station.pk, existing.pk]
    assert event.reason == "两村之间有河流阻隔"


def test_2_01_km_away_is_approved_without_override(office):
    existing = make_station(VILLAGE_A)
    far = spatial.offset(float(existing.latitude), float(existing.longitude), 45, 2010)
    station = make_station(VILLAGE_B, status=rules.PROPOSED, at=far)
    event = services.transition(station, rules.APPROVED, user=office)
    assert not event.override and event.violations == []


def test_only_the_office_may_override(base_data):
    township = make_user("hongyang-user", "township", HONGYANG)
    existing = make_station(VILLAGE_A)
    near = spatial.offset(float(existing.latitude), float(existing.longitude), 0, 500)
    station = make_station(VILLAGE_B, status=rules.PROPOSED, at=near)
    with pytest.raises(PermissionDenied):  # township officials propose and build; they do not approve
        services.transition(station, rules.APPROVED, user=township, override=True, reason="x")
    office = make_user("approver", "office")
    services.transition(station, rules.APPROVED, user=office, override=True, reason="确有需要")
    services.transition(station, rules.BUILT, user=township)
    station.refresh_from_db()
    assert station.status == rules.BUILT


def test_a_second_township_station_needs_an_override(office):
    make_station(HONGYANG)
    second = make_station(HONGYANG, status=rules.PROPOSED, name="洪阳第二站")
    with pytest.raises(services.RulesBroken, match="超过上限"):
        services.transition(second, rules.APPROVED, user=office)


def test_replacement_closes_the_eliminated_station_when_it_opens(office):
    old = make_station(VILLAGE_A)
    services.transition(old, rules.ELIMINATED, user=office, reason="站长退出")
    new = make_station(VILLAGE_A, status=rules.BUILT, replaces=old, name="新服务点")
    services.transition(new, rules.OPERATING, user=office)
    old.refresh_from_db()
    assert old.status == rules.REPLACED and old.closed_on is not None
    assert "新服务点" in old.events.last().reason


def test_transition_page_shows_refusal_and_accepts_override(office):
    existing = make_station(VILLAGE_A)
    near = spatial.offset(float(existing.latitude), float(existing.longitude), 90, 1500)
    station = make_station(VILLAGE_B, status=rules.PROPOSED, at=near)
    client = login(office)
    page = client.get(station.get_absolute_url()).content.decode()
    assert 'id="station-violations"' in page and "1,500" in page
    url = f"/stations/{station.pk}/transition/"
    response = client.post(url, {"target": "approved", "on": "2020-05-01", "reason": ""}, follow=True)
    assert "不符合站点规则" in response.content.decode()
    client.post(url, {"target": "approved", "on": "2020-05-01", "reason": "贫困村须覆盖", "override": "on"})
    station.refresh_from_db()
    assert station.status == rules.APPROVED and station.events.last().override


def test_new_station_is_proposed_with_a_code(base_data):
    township = make_user("hongyang-user", "township", HONGYANG)
    client = login(township)
    from cuntong.web.testing import area

    response = client.post(
        "/stations/add/",
        {
            "name": "新服务点",
            "level": "village",
            "area": area(VILLAGE_A).pk,
            "latitude": "23.430000",
            "longitude": "116.275000",
            "services": ["express", "finance"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    station = Station.objects.get(name="新服务点")
    assert station.status == rules.PROPOSED and station.code == f"{VILLAGE_A}-01"
    assert station.services == ["express", "finance"]
    assert list(Station.objects.offering("finance")) == [station]


def test_level_must_match_the_served_area(base_data):
    township = make_user("hongyang-user", "township", HONGYANG)
    from cuntong.web.testing import area

    response = login(township).post(
        "/stations/add/",
        {"name": "错层级", "level": "township", "area": area(VILLAGE_A).pk, "latitude": "23.4", "longitude": "116.2"},
    )
    assert response.status_code == 200 and "服务区域" in response.content.decode()
    assert not Station.objects.filter(name="错层级").exists()


def test_township_official_cannot_place_a_station_in_another_township(base_data):
    township = make_user("hongyang-user", "township", HONGYANG)
    from cuntong.web.testing import area

    response = login(township).post(
        "/stations/add/",
        {"name": "越界", "level": "village", "area": area(f"{NANXI}201").pk, "latitude": "23.4", "longitude": "116.2"},
    )
    assert response.status_code == 200  # the other township's village is not a choice
    assert not Station.objects.filter(name="越界").exists()


def test_network_position_is_what_the_rules_see(office):
    station = make_station(VILLAGE_A)
    site = station.as_site()
    assert (site.lat, site.lng) == pytest.approx(position(VILLAGE_A), abs=1e-6)


def test_moving_an_approved_station_must_keep_the_rules(office):
    existing = make_station(VILLAGE_A)
    moving = make_station(VILLAGE_B)
    near = spatial.offset(float(existing.latitude), float(existing.longitude), 0, 900)
    client = login(office)
    form = client.get(f"/stations/{moving.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "operator_phone"}
    data.update(latitude=f"{near[0]:.6f}", longitude=f"{near[1]:.6f}", services=moving.services)
    response = client.post(f"/stations/{moving.pk}/edit/", data)
    assert response.status_code == 200 and "移动后不符合站点规则" in response.content.decode()
    moving.refresh_from_db()
    assert moving.as_site().lat == pytest.approx(position(VILLAGE_B)[0], abs=1e-6)
    # a proposal may move freely: the rules are checked when it is approved
    proposal = make_station(f"{NANXI}201", status=rules.PROPOSED)
    proposal.latitude, proposal.longitude = f"{near[0]:.6f}", f"{near[1]:.6f}"
    proposal.full_clean()


@pytest.mark.postgres
def test_concurrent_approvals_cannot_both_pass_the_spacing_check(transactional_db, monkeypatch):
    """Two neighbouring proposals approved at the same moment: the programme row lock lets one check see the other.

    Each rule check waits (up to 2 s) for the other approval to reach its check too: without the lock both would
    check an empty network and both pass; with it the second waits for the first to commit. PostgreSQL only: SQLite
    serialises writing transactions by itself, and its in-memory test database refuses concurrent writers."""
    import contextlib
    import threading

    from django.db import connection

    from cuntong.web.testing import load_base_data

    load_base_data()
    first = make_station(VILLAGE_A, status=rules.PROPOSED)
    near = spatial.offset(float(first.latitude), float(first.longitude), 90, 1000)
    second = make_station(VILLAGE_B, status=rules.PROPOSED, at=near)
    both_checking = threading.Barrier(2)
    check = services.rule_check_for

    def slow_check(station):
        found = check(station)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other one waits for the lock
            both_checking.wait(timeout=2)
        return found

    monkeypatch.setattr(services, "rule_check_for", slow_check)
    outcomes = []

    def approve(station):
        try:
            services.transition(station, rules.APPROVED, user=services.SYSTEM)
            outcomes.append("approved")
        except services.RulesBroken:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert Station.objects.filter(status=rules.APPROVED).count() == 1
