"""Across apps: the stations' real network claims its monthly operating subsidy through ``core.claims`` and funds
prices, shows and pays it as one batch. Tests that need two apps at once live here, outside both, so neither app's
own tests import the other (stations and funds are independent of each other)."""

import datetime
from decimal import Decimal

from cuntong.funds import ledger
from cuntong.funds import services as funds_services
from cuntong.funds.models import LedgerEntry
from cuntong.funds.tests.factories import Cast, through
from cuntong.stations.tests.factories import make_report, make_station
from cuntong.web.testing import HONGYANG, NANXI, login, make_user, programme

OCTOBER = datetime.date(2020, 10, 1)
QUIET = {"parcels_in": 5, "parcels_out": 1, "agri_sales": 0, "purchases_for_villagers": 0, "financial_count": 0}
QUIET |= {"financial_amount": 0, "live_sessions": 0, "live_sales": 0, "visitors": 3}


def test_a_subsidy_batch_from_the_real_network(base_data):
    operator = make_user("zhanzhang-point", "station_operator", HONGYANG)
    town = make_station(HONGYANG, is_benchmark=True)
    point = make_station(f"{HONGYANG}201", operator_user=operator)
    quiet = make_station(f"{HONGYANG}202")
    silent = make_station(f"{NANXI}201")
    make_report(town, OCTOBER)
    make_report(point, OCTOBER)
    make_report(quiet, OCTOBER, **QUIET)
    cast = Cast()
    batch = funds_services.create_subsidy_batch(cast.office, programme(), OCTOBER, claim_source="station_subsidy")
    lines = {line.subject_id: (line.amount, line.reason_code) for line in batch.lines.all()}
    # plan: 600 a month for a township station, 300 for a point, 200 more for a benchmark; activity ≥ 40
    assert lines == {
        town.pk: (Decimal("800.00"), "paid_benchmark"),
        point.pk: (Decimal("300.00"), "paid"),
        quiet.pk: (Decimal("0.00"), "below_minimum"),
        silent.pk: (Decimal("0.00"), "no_report"),
    }
    request = batch.request
    assert (request.amount, request.sub_item.code, request.allocation.source) == (
        Decimal("1100.00"),
        "station_operation",
        "national",
    )
    assert "2020年10月 站点运营补贴（2 个站点）" in request.purpose
    page = login(cast.office).get(batch.get_absolute_url()).content.decode()
    for shown in ("活跃度得分", "镇级服务站", "村级服务点", "运营中", "运营正常，含标杆站点奖励", "未报送月报"):
        assert shown in page, shown
    computed = LedgerEntry.objects.get(event="subsidy_batch_computed")
    assert computed.payload["source"] == "station_subsidy"
    assert [row[0] for row in computed.payload["lines"]] == sorted(lines)
    assert through(request, cast).status == "paid"
    assert ledger.verify().ok
    # the station's operator sees their own line only, with the station's facts
    own = batch.lines.get(subject_id=point.pk)
    assert [line["subject_id"] for line in login(operator).get("/api/v1/funds/subsidy-lines/").json()["results"]] == [
        point.pk
    ]
    detail = login(operator).get(own.get_absolute_url()).content.decode()
    assert "村级服务点" in detail and "对本月补贴核定提出申诉" in detail


def test_a_stations_page_shows_its_claims_to_those_who_may_see_them(base_data):
    """funds' claims card (funds/panels.py) shows on the page of any record a claim source names as its subject."""
    cast = Cast()
    operator = make_user("zhanzhang", "station_operator", HONGYANG)
    station = make_station(f"{HONGYANG}201", name="洪阳补贴测试点", operator_user=operator)
    make_report(station, OCTOBER)
    batch = funds_services.create_subsidy_batch(cast.office, programme(), OCTOBER, claim_source="station_subsidy")
    line = batch.lines.get(subject_id=station.pk)
    for viewer in (cast.office, operator):
        html = login(viewer).get(station.get_absolute_url()).content.decode()
        assert 'id="claim-lines"' in html and line.get_absolute_url() in html
    # A township clerk sees the station but holds no fund permission: no card.
    html = login(cast.township).get(station.get_absolute_url()).content.decode()
    assert 'id="claim-lines"' not in html and line.get_absolute_url() not in html
