"""The stations claim their monthly operating subsidy through ``core.claims``: status at the month's end, level,
benchmark flag and that month's activity score (none without a report), priced by the plan's rule. The stations app
never imports funds (the batch built from the real network is tested in ``cuntong/tests``)."""

import datetime
from decimal import Decimal

import pytest

from cuntong.core import claims as registry
from cuntong.stations import claims, rules, services
from cuntong.web.testing import HONGYANG, NANXI, make_user, programme

from .factories import make_report, make_station

OCTOBER = datetime.date(2020, 10, 1)
QUIET = {"parcels_in": 5, "parcels_out": 1, "agri_sales": 0, "purchases_for_villagers": 0, "financial_count": 0}
QUIET |= {"financial_amount": 0, "live_sessions": 0, "live_sales": 0, "visitors": 3}
RULE = {"monthly_yuan": {"township": 600, "village": 300, "benchmark_bonus": 200}, "minimum_activity_score": 40}


@pytest.mark.parametrize(
    ("station", "amount", "code"),
    [
        (claims.station_claim(1, "洪阳镇服务站", "township", "operating", Decimal(80)), 600, "paid"),
        (claims.station_claim(2, "测试甲村服务点", "village", "operating", Decimal(40)), 300, "paid"),
        (
            claims.station_claim(3, "标杆点", "village", "probation", Decimal(90), is_benchmark=True),
            500,
            "paid_benchmark",
        ),
        (claims.station_claim(4, "淘汰点", "village", "eliminated", Decimal(90)), 0, "eliminated"),
        (claims.station_claim(5, "被替换点", "village", "replaced", Decimal(90)), 0, "eliminated"),
        (claims.station_claim(6, "低活跃点", "village", "operating", Decimal("39.99")), 0, "below_minimum"),
        (claims.station_claim(7, "未报送点", "village", "operating", None), 0, "no_report"),
        (claims.station_claim(8, "在建点", "village", "built", Decimal(90)), 0, "not_operating"),
        (claims.station_claim(9, "未知层级", "county", "operating", Decimal(90)), 0, "unknown_level"),
    ],
)
def test_subsidy_rules(station, amount, code):
    decision = rules.operating_subsidy(station, RULE)
    assert (decision.amount, decision.reason_code) == (Decimal(amount), code)


def test_the_stations_register_their_claim_bound_to_the_plan(base_data):
    source = registry.get("station_subsidy")
    assert source is claims.OPERATING_SUBSIDY and source.kind == registry.SUBSIDY
    assert source.rule(programme())["sub_item"] == "station_operation"
    assert source.price is rules.operating_subsidy


def test_station_claims_for_a_month(base_data):
    operator = make_user("zhanzhang-hongyang", "station_operator", HONGYANG)
    town = make_station(HONGYANG, is_benchmark=True, operator_user=operator)
    busy = make_station(f"{HONGYANG}201")
    quiet = make_station(f"{HONGYANG}202")
    silent = make_station(f"{NANXI}201")
    later = make_station(f"{NANXI}202", opened_on=datetime.date(2020, 12, 1))
    services.transition(busy, rules.ELIMINATED, on=datetime.date(2021, 3, 1), reason="站长退出", user=services.SYSTEM)
    for station in (town, busy):
        make_report(station, OCTOBER)
    make_report(quiet, OCTOBER, **QUIET)
    found = {c.subject_id: c for c in claims.station_claims(programme(), OCTOBER)}
    facts = {pk: claim.facts for pk, claim in found.items()}
    assert facts[town.pk]["level"] == "township" and facts[town.pk]["is_benchmark"]
    assert facts[town.pk]["activity_score"] == 100
    # eliminated in 2021, but it was operating in October 2020
    assert facts[busy.pk]["status"] == rules.OPERATING and facts[busy.pk]["activity_score"] == Decimal("100.0")
    assert facts[quiet.pk]["activity_score"] < 40
    assert facts[silent.pk]["activity_score"] is None  # owed a report and filed none
    assert later.pk not in facts  # approved in November: not yet in the network in October
    assert found[busy.pk].area_code == f"{HONGYANG}201"
    assert found[town.pk].claimant_id == operator.pk  # the operator sees and may appeal the line
