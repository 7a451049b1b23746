"""Dynamic management: weak stations proposed for probation, then elimination with replacement villages; the
office decides; everything stays in history. Benchmark stations against the criteria."""

import datetime

import pytest
from django.core.management import call_command

from cuntong.stations import rules, services, spatial
from cuntong.stations.models import CandidateSite, ManagementProposal
from cuntong.web.testing import HONGYANG, NANXI, area, frozen_clock, login, make_user, programme

from .factories import make_report, make_station

TODAY = datetime.date(2020, 8, 20)  # last closed month: July 2020
MONTHS = [datetime.date(2020, m, 1) for m in (3, 4, 5, 6, 7)]
WEAK = {
    "parcels_in": 20,
    "parcels_out": 5,
    "agri_sales": 100,
    "purchases_for_villagers": 50,
    "financial_count": 1,
    "financial_amount": 100,
    "live_sessions": 0,
    "live_sales": 0,
    "visitors": 10,
}


@pytest.fixture
def network(base_data):
    """Two busy points and one that stops working in May (village 乙 of 洪阳)."""
    busy = make_station(f"{HONGYANG}201")
    weak = make_station(f"{HONGYANG}202")
    other = make_station(f"{NANXI}201")
    for month in MONTHS:
        make_report(busy, month)
        make_report(other, month)
        if month < datetime.date(2020, 5, 1):
            make_report(weak, month)
        else:
            make_report(weak, month, **WEAK)
    return busy, weak, other


def test_three_weak_months_propose_probation_once(network):
    _busy, weak, _other = network
    created = services.review_activity(programme(), today=TODAY, user=services.SYSTEM)
    assert [(p.station, p.kind) for p in created] == [(weak, "probation")]
    proposal = created[0]
    assert proposal.basis["months"] == ["2020-05-01", "2020-06-01", "2020-07-01"]
    assert all(score < 40 for score in proposal.basis["scores"].values())
    assert (
        services.review_activity(programme(), today=TODAY, user=services.SYSTEM) == []
    )  # a pending proposal is not repeated


def test_the_office_approves_and_the_step_is_recorded_with_the_proposal(network):
    _busy, weak, _other = network
    proposal = services.review_activity(programme(), today=TODAY, user=services.SYSTEM)[0]
    office = make_user("office-user", "office")
    client = login(office)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert 'id="decision-form"' in page
    client.post(f"/stations/management/{proposal.pk}/decide/", {"decision": "approve", "reason": "同意列入观察期"})
    proposal.refresh_from_db()
    weak.refresh_from_db()
    assert proposal.status == "approved" and proposal.decided_by == office
    assert weak.status == rules.PROBATION
    event = weak.events.last()
    assert event.proposal == proposal and event.reason == "同意列入观察期" and event.by == office


def test_rejection_keeps_the_station_operating(network):
    _busy, weak, _other = network
    proposal = services.review_activity(programme(), today=TODAY, user=services.SYSTEM)[0]
    services.decide_proposal(proposal, approve=False, user=make_user("office-user", "office"), reason="受台风影响")
    weak.refresh_from_db()
    assert weak.status == rules.OPERATING and ManagementProposal.objects.get().status == "rejected"
    with pytest.raises(rules.IllegalTransition):
        services.decide_proposal(proposal, approve=True, reason="再议", user=services.SYSTEM)


def test_township_officials_cannot_decide(network):
    proposal = services.review_activity(programme(), today=TODAY, user=services.SYSTEM)[0]
    township = login(make_user("hongyang-user", "township", HONGYANG))
    assert 'id="decision-form"' not in township.get(proposal.get_absolute_url()).content.decode()
    township.post(f"/stations/management/{proposal.pk}/decide/", {"decision": "approve", "reason": "x"})
    assert ManagementProposal.objects.get().status == "pending"


def test_still_weak_after_probation_proposes_elimination_with_replacement_villages(network):
    _busy, weak, _other = network
    for code, azimuth, distance in (
        (f"{HONGYANG}202", 0, 300),
        (f"{HONGYANG}201", 270, 1500),
        (f"{NANXI}202", 0, 9000),
    ):
        lat, lng = spatial.offset(float(weak.latitude), float(weak.longitude), azimuth, distance)
        CandidateSite.objects.create(
            programme=programme(), village=area(code), name="村委会", latitude=f"{lat:.6f}", longitude=f"{lng:.6f}"
        )
    services.transition(weak, rules.PROBATION, on=datetime.date(2020, 4, 20), reason="观察", user=services.SYSTEM)
    created = services.review_activity(programme(), today=TODAY, user=services.SYSTEM)
    assert [(p.station, p.kind) for p in created] == [(weak, "eliminate")]
    options = created[0].replacement_options
    # its own village again (quota 2 for 12,000 residents) first; 甲 is full; 丁 of 南溪 is another township's
    assert [o["village_code"] for o in options] == [f"{HONGYANG}202", f"{NANXI}202"]
    assert options[0]["same_township"] and options[0]["distance_m"] == 300 and options[1]["poverty"]
    assert all(o["nearest_point_m"] is None or o["nearest_point_m"] > 2000 for o in options)
    services.decide_proposal(created[0], approve=True, reason="观察期满仍不活跃", user=services.SYSTEM)
    weak.refresh_from_db()
    assert weak.status == rules.ELIMINATED and weak.closed_on is not None


def test_review_command_and_page(network):
    office = login(make_user("office-user", "office"))
    response = office.post("/stations/management/review/", follow=True)
    assert response.status_code == 200
    call_command("stations", "review")
    page = office.get("/stations/management/").content.decode()
    assert network[1].name in page


@frozen_clock("2027-01-05")  # before January's due day: the last closed month is November of the year before
def test_benchmark_page_shows_each_station_against_the_criteria(base_data):
    benchmark = make_station(
        f"{HONGYANG}201",
        is_benchmark=True,
        floor_area_m2=45,
        services=["express", "live_streaming", "finance", "agri_online"],
    )
    plain = make_station(f"{NANXI}201")
    last = rules.last_closed_month(datetime.date.today(), 10)
    for offset in range(3):
        make_report(benchmark, rules.add_months(last, -offset))
        make_report(plain, rules.add_months(last, -offset), parcels_in=10)
    html = login(make_user("office-user", "office")).get("/stations/benchmarks/").content.decode()
    designated = html.split('id="benchmark-designated"')[1].split("</table>")[0]
    assert benchmark.name in designated and plain.name not in designated
    assert "5/5" in designated
