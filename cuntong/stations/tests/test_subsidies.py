"""The stations feed the funds app's monthly operating subsidy: status at the month's end, level, benchmark flag and
that month's activity score (none without a report)."""

import datetime
from decimal import Decimal

from cuntong.funds import services as funds_services
from cuntong.funds import subsidies
from cuntong.stations import rules, services
from cuntong.web.testing import HONGYANG, NANXI, make_user, programme

from .factories import make_report, make_station

OCTOBER = datetime.date(2020, 10, 1)
QUIET = {"parcels_in": 5, "parcels_out": 1, "agri_sales": 0, "purchases_for_villagers": 0, "financial_count": 0}
QUIET |= {"financial_amount": 0, "live_sessions": 0, "live_sales": 0, "visitors": 3}


def test_station_facts_for_a_month(base_data):
    town = make_station(HONGYANG, is_benchmark=True)
    busy = make_station(f"{HONGYANG}201")
    quiet = make_station(f"{HONGYANG}202")
    silent = make_station(f"{NANXI}201")
    later = make_station(f"{NANXI}202", opened_on=datetime.date(2020, 12, 1))
    services.transition(busy, rules.ELIMINATED, on=datetime.date(2021, 3, 1), reason="站长退出", user=services.SYSTEM)
    for station in (town, busy):
        make_report(station, OCTOBER)
    make_report(quiet, OCTOBER, **QUIET)
    facts = {f.station_id: f for f in subsidies.station_facts(programme(), OCTOBER)}
    assert facts[town.pk].level == "township" and facts[town.pk].is_benchmark and facts[town.pk].activity_score == 100
    # eliminated in 2021, but it was operating in October 2020
    assert facts[busy.pk].status == rules.OPERATING and facts[busy.pk].activity_score == Decimal("100.0")
    assert facts[quiet.pk].activity_score < 40
    assert facts[silent.pk].activity_score is None  # owed a report and filed none
    assert later.pk not in facts  # approved in November: not yet in the network in October
    assert facts[busy.pk].area_code == f"{HONGYANG}201"


def test_a_subsidy_batch_from_the_real_network(base_data, django_capture_on_commit_callbacks):
    town = make_station(HONGYANG, is_benchmark=True)
    point = make_station(f"{HONGYANG}201")
    quiet = make_station(f"{HONGYANG}202")
    silent = make_station(f"{NANXI}201")
    make_report(town, OCTOBER)
    make_report(point, OCTOBER)
    make_report(quiet, OCTOBER, **QUIET)
    office = make_user("office-user", "office")
    batch = funds_services.create_subsidy_batch(office, programme(), OCTOBER)
    lines = {line.station_id: (line.amount, line.reason_code) for line in batch.lines.all()}
    # plan: 600 a month for a township station, 300 for a point, 200 more for a benchmark; activity ≥ 40
    assert lines == {
        town.pk: (Decimal("800.00"), "paid_benchmark"),
        point.pk: (Decimal("300.00"), "paid"),
        quiet.pk: (Decimal("0.00"), "below_minimum"),
        silent.pk: (Decimal("0.00"), "no_report"),
    }
