"""The seed's station rules (普府办〔2020〕10号 二(二)) with the seed's numbers as test cases; pure, no database."""

import datetime
from decimal import Decimal

import pytest
import yaml
from django.conf import settings

from cuntong.stations import rules, spatial
from cuntong.stations.rules import Figures, Site, StationRules

D = datetime.date
BASE = (23.43, 116.275)  # 洪阳镇, roughly


@pytest.fixture(scope="module")
def plan_rules() -> StationRules:
    data = yaml.safe_load(settings.CUNTONG_DEFAULT_PLAN.read_text(encoding="utf-8"))
    return StationRules.from_plan(data["rules"]["stations"])


def test_the_plan_supplies_the_seed_parameters(plan_rules):
    assert plan_rules.stations_per_township == 1
    assert plan_rules.points_per_village == 1
    assert plan_rules.extra_point_per_residents == 5000
    assert plan_rules.min_spacing_m == 2000
    assert plan_rules.benchmark_count == 10
    assert plan_rules.report_due_day == 10
    assert sum(plan_rules.activity.weights.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("population", "points"),
    [
        (None, 1),
        (0, 1),
        (800, 1),
        (5000, 1),
        (5001, 1),
        (9999, 1),
        (10000, 2),
        (14999, 2),
        (15000, 3),
        (19999, 3),
        (20000, 4),
    ],
)
def test_village_quota_follows_the_seed(plan_rules, population, points):
    """每个行政村1个服务点；常住人口超过5000人的，每增加5000人可增加一个。"""
    assert rules.village_quota(population, plan_rules) == points


def test_township_quota_is_one_station_per_township_level_unit(plan_rules):
    assert rules.quota_for(rules.TOWNSHIP, 60000, plan_rules) == 1


def test_unknown_activity_weight_in_a_plan_is_refused():
    with pytest.raises(ValueError, match="unknown activity weights"):
        StationRules.from_plan(
            {
                "activity": {
                    "weights": {"likes": 1},
                    "probation_threshold": 40,
                    "bottom_share_percent": 10,
                    "consecutive_months": 3,
                }
            }
        )


def _point(key, distance_m, azimuth=90.0, area="445281104201"):
    lat, lng = spatial.offset(*BASE, azimuth, distance_m)
    return Site(key, rules.VILLAGE, area, lat, lng, label=str(key))


@pytest.mark.parametrize(
    ("distance_m", "violates"), [(1990, True), (1999.9, True), (2000, True), (2000.01, False), (2010, False)]
)
def test_points_must_be_strictly_more_than_2_km_apart(plan_rules, distance_m, violates):
    """1.99 km is rejected, 2.01 km accepted, exactly 2 km too (the seed says 超过)."""
    a = Site("a", rules.VILLAGE, "445281104201", *BASE, label="a")
    b = _point("b", distance_m, area="445281104202")
    found = rules.check_network([a, b], {}, plan_rules).spacing
    assert bool(found) is violates
    if violates:
        assert found[0].distance_m == pytest.approx(distance_m, abs=0.01)
        assert {found[0].a.key, found[0].b.key} == {"a", "b"}
    assert bool(rules.check_site(b, [a], 3000, plan_rules)) is violates


def test_spacing_is_geodesic_not_degrees():
    """0.018° of longitude is about 1.84 km at Puning's latitude but 2.0 km at the equator."""
    assert spatial.geodesic_m(23.43, 116.0, 23.43, 116.018) == pytest.approx(1839, abs=2)
    assert spatial.geodesic_m(0.0, 116.0, 0.0, 116.018) == pytest.approx(2003.8, abs=0.5)


def test_spacing_applies_to_village_points_not_township_stations(plan_rules):
    town = Site("town", rules.TOWNSHIP, "445281104", *BASE)
    point = _point("p", 500)
    assert rules.check_network([town, point], {}, plan_rules).ok


def test_network_check_reports_every_violation_with_both_stations_and_the_distance(plan_rules):
    a = Site("a", rules.VILLAGE, "445281104201", *BASE, label="甲")
    b = _point("b", 1500, area="445281104202")
    c = _point("c", 1900, azimuth=270, area="445281104203")
    d = _point("d", 9000, area="445281104204")
    e = _point("e", 9000 + 600, area="445281104204")  # second point of a small village: quota 1
    check = rules.check_network([a, b, c, d, e], {"445281104204": 3000}, plan_rules)
    pairs = {(v.a.key, v.b.key): v.distance_m for v in check.spacing}
    assert set(pairs) == {("a", "b"), ("a", "c"), ("d", "e")}
    assert pairs[("a", "b")] == pytest.approx(1500, abs=0.01)
    assert [(q.area_code, q.count, q.quota) for q in check.quota] == [("445281104204", 2, 1)]
    data = check.as_dict()
    assert data["ok"] is False and len(data["spacing_violations"]) == 3
    assert data["spacing_violations"][0]["stations"] == ["a", "b"]


def test_a_big_village_may_hold_two_points_when_they_are_far_enough_apart(plan_rules):
    first = _point("1", 0, area="445281104202")
    second = _point("2", 2500, area="445281104202")
    assert rules.check_site(second, [first], 12000, plan_rules) == []
    third = _point("3", 5000, area="445281104202")
    found = rules.check_site(third, [first, second], 12000, plan_rules)
    assert [v.kind for v in found] == ["quota"]


def test_second_township_station_breaks_the_quota(plan_rules):
    town = Site("t1", rules.TOWNSHIP, "445281104", *BASE)
    other = Site("t2", rules.TOWNSHIP, "445281104", *spatial.offset(*BASE, 0, 8000))
    assert [v.kind for v in rules.check_site(other, [town], None, plan_rules)] == ["quota"]


# --- life cycle ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target", "action"),
    [
        (rules.PROPOSED, rules.APPROVED, "approve"),
        (rules.APPROVED, rules.BUILT, "change"),
        (rules.BUILT, rules.OPERATING, "change"),
        (rules.OPERATING, rules.PROBATION, "manage"),
        (rules.PROBATION, rules.ELIMINATED, "manage"),
        (rules.ELIMINATED, rules.REPLACED, "manage"),
    ],
)
def test_life_cycle_steps(current, target, action):
    assert rules.check_transition(current, target, "原因") == action


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (rules.PROPOSED, rules.OPERATING),
        (rules.APPROVED, rules.OPERATING),
        (rules.OPERATING, rules.PROPOSED),
        (rules.ELIMINATED, rules.OPERATING),
        (rules.REJECTED, rules.APPROVED),
        (rules.REPLACED, rules.OPERATING),
    ],
)
def test_illegal_steps_are_refused(current, target):
    with pytest.raises(rules.IllegalTransition):
        rules.check_transition(current, target, "原因")


def test_probation_and_elimination_need_a_reason():
    with pytest.raises(rules.IllegalTransition, match="原因"):
        rules.check_transition(rules.OPERATING, rules.PROBATION, "  ")
    with pytest.raises(rules.IllegalTransition, match="原因"):
        rules.check_transition(rules.PROBATION, rules.OPERATING, "")


# --- coverage --------------------------------------------------------------------------------------------------


def test_coverage_counts_operating_sites_per_township_and_village():
    townships = ["445281104", "445281105", "445281106"]
    villages = [
        rules.VillageInfo("445281104201", "甲", "445281104", poverty=True),
        rules.VillageInfo("445281104202", "乙", "445281104"),
        rules.VillageInfo("445281105201", "丙", "445281105"),
        rules.VillageInfo("445281105202", "丁", "445281105", poverty=True),
    ]
    operating = [
        Site(1, rules.TOWNSHIP, "445281104", *BASE),
        Site(2, rules.TOWNSHIP, "445281105", *BASE),
        Site(3, rules.VILLAGE, "445281104201", *BASE),
        Site(4, rules.VILLAGE, "445281104201", *BASE),
        Site(5, rules.VILLAGE, "445281105201", *BASE),
    ]
    result = rules.coverage(townships, villages, operating)
    assert (result.township_covered, result.township_total) == (2, 3)
    assert (result.village_covered, result.village_total) == (2, 4)
    assert (result.poverty_covered, result.poverty_total) == (1, 2)
    assert result.uncovered_townships == ("445281106",)
    assert result.uncovered_villages == ("445281104202", "445281105202")
    assert result.uncovered_poverty_villages == ("445281105202",)


# --- monthly reports -------------------------------------------------------------------------------------------


def test_negative_figures_are_errors():
    check = rules.check_figures(Figures(parcels_in=-1), rules.VILLAGE)
    assert not check.ok and check.errors[0].field == "parcels_in"


def test_inconsistent_figures_are_errors():
    check = rules.check_figures(Figures(live_sales=Decimal(100)), rules.VILLAGE)
    assert [e.field for e in check.errors] == ["live_sessions"]
    check = rules.check_figures(Figures(financial_amount=Decimal(100)), rules.VILLAGE)
    assert [e.field for e in check.errors] == ["financial_count"]


def test_implausible_figures_are_warnings_to_confirm():
    check = rules.check_figures(Figures(parcels_in=40_000), rules.VILLAGE)
    assert check.ok and check.warning_codes == ["parcels_in"]
    assert rules.check_figures(Figures(parcels_in=40_000), rules.TOWNSHIP).warnings == ()


def test_the_puning_plan_states_the_default_bounds_and_benchmark_criteria(plan_rules):
    assert plan_rules.plausible_max == rules.PLAUSIBLE_MAX
    assert plan_rules.benchmark == rules.BenchmarkCriteria()


def test_a_county_sets_its_own_plausibility_bounds():
    section = {
        "stations_per_township": 1,
        "points_per_village": 1,
        "extra_point_per_residents": 5000,
        "min_spacing_m": 2000,
        "report": {"plausible_max": {"village": {"parcels_in": 50_000, "agri_sales": 5_000_000.5}}},
    }
    bounds = StationRules.from_plan(section).plausible_max
    assert bounds[rules.VILLAGE]["parcels_in"] == 50_000 and bounds[rules.TOWNSHIP]["parcels_in"] == 250_000
    assert bounds[rules.VILLAGE]["agri_sales"] == Decimal("5000000.5")
    assert bounds[rules.VILLAGE]["visitors"] == rules.PLAUSIBLE_MAX[rules.VILLAGE]["visitors"]
    assert rules.check_figures(Figures(parcels_in=40_000), rules.VILLAGE, bounds=bounds).warnings == ()
    assert rules.check_figures(Figures(parcels_in=60_000), rules.VILLAGE, bounds=bounds).warning_codes == ["parcels_in"]
    section["report"]["plausible_max"]["township"] = {"parcels_in": 100_000}
    assert StationRules.from_plan(section).plausible_max[rules.TOWNSHIP]["parcels_in"] == 100_000


def test_benchmark_criteria_come_from_the_plan():
    criteria = rules.BenchmarkCriteria.from_plan(
        {"months": 6, "min_services": 2, "required_services": ["finance"], "min_floor_area_m2": {"village": 20}}
    )
    assert (criteria.months, criteria.min_services, criteria.required_services) == (6, 2, ("finance",))
    assert criteria.min_floor_area_m2 == {rules.TOWNSHIP: 100, rules.VILLAGE: 20}
    assessed = rules.assess_benchmark(
        level=rules.VILLAGE,
        status=rules.OPERATING,
        services=["finance", "express"],
        floor_area_m2=Decimal(25),
        recent=[(D(2020, m, 1), 80.0, True) for m in range(1, 7)],
        criteria=criteria,
    )
    assert all(c.met for c in assessed), assessed
    assert "金融服务" in next(c.required for c in assessed if c.code == "services")


def test_a_jump_from_last_month_is_a_warning():
    before = Figures(parcels_out=200)
    assert rules.check_figures(Figures(parcels_out=1100), rules.VILLAGE, before).warning_codes == ["parcels_out"]
    assert rules.check_figures(Figures(parcels_out=900), rules.VILLAGE, before).warnings == ()
    small = Figures(visitors=10)
    assert rules.check_figures(Figures(visitors=90), rules.VILLAGE, small).warnings == ()  # under the floor


def test_months_and_due_dates():
    assert rules.due_date(D(2020, 5, 1), 10) == D(2020, 6, 10)
    assert rules.due_date(D(2020, 12, 1), 10) == D(2021, 1, 10)
    assert rules.add_months(D(2020, 11, 1), 3) == D(2021, 2, 1)
    assert rules.months_between(D(2020, 11, 15), D(2021, 1, 1)) == [D(2020, 11, 1), D(2020, 12, 1), D(2021, 1, 1)]
    assert rules.last_closed_month(D(2020, 6, 10), 10) == D(2020, 4, 1)
    assert rules.last_closed_month(D(2020, 6, 11), 10) == D(2020, 5, 1)


def test_completeness_and_timeliness():
    result = rules.completeness(
        D(2020, 5, 1), [1, 2, 3, 4], {1: D(2020, 6, 2), 2: D(2020, 6, 10), 3: D(2020, 6, 11)}, 10
    )
    assert (result.expected, result.received, result.on_time, result.late) == (4, 3, 2, 1)
    assert result.missing == (4,)
    assert result.completeness == 75.0 and result.timeliness == 50.0


# --- activity and dynamic management ---------------------------------------------------------------------------


def test_activity_score_weights_figures_against_the_months_reference(plan_rules):
    weights = plan_rules.activity.weights
    busy = Figures(
        parcels_in=1000,
        parcels_out=800,
        agri_sales=Decimal(50000),
        purchases_for_villagers=Decimal(20000),
        financial_count=100,
        live_sessions=10,
        visitors=900,
    )
    idle = Figures(parcels_in=100)
    figures = {"busy": busy, "busy2": busy, "idle": idle, "silent": None, "town": busy}
    levels = {"busy": "village", "busy2": "village", "idle": "village", "silent": "village", "town": "township"}
    scores = rules.activity_scores(figures, levels, weights)
    assert scores["busy"] == scores["busy2"] == scores["town"] == 100.0
    assert scores["silent"] == 0.0
    # idle: 100 parcels in against a reference of 1000 (80th percentile of 100, 1000, 1000) → 0.15 × 0.1 × 100
    assert scores["idle"] == pytest.approx(1.5)


def test_weak_stations_are_below_the_threshold_or_in_the_bottom_share():
    scores = {i: float(10 * i) for i in range(1, 21)}  # 10 … 200
    assert rules.weak_stations(scores, 40, 10) == {1, 2, 3}  # 10, 20, 30 below 40; bottom 2 already in
    assert rules.weak_stations(scores, 0, 10) == {1, 2}
    assert rules.weak_stations({1: 0.0, 2: 0.0, 3: 50.0}, 0, 10) == set()  # 10 % of 3 stations is nobody


JANUARY = D(2020, 1, 1)


def _history(weak: list[bool]):
    return {rules.add_months(JANUARY, i): flag for i, flag in enumerate(weak)}


def test_three_weak_months_in_a_row_propose_probation(plan_rules):
    activity = plan_rules.activity
    stations = [
        rules.StationActivity("weak", rules.OPERATING, _history([False, True, True, True])),
        rules.StationActivity("mixed", rules.OPERATING, _history([True, True, False, True])),
        rules.StationActivity("new", rules.OPERATING, _history([True, True])),
    ]
    decisions = rules.management_decisions(stations, activity)
    assert [(d.key, d.kind) for d in decisions] == [("weak", "probation")]
    assert decisions[0].months == (D(2020, 2, 1), D(2020, 3, 1), D(2020, 4, 1))


def test_probation_ends_in_elimination_or_reinstatement(plan_rules):
    activity = plan_rules.activity
    since = D(2020, 3, 1)
    stations = [
        rules.StationActivity("still-weak", rules.PROBATION, _history([True] * 6), since),
        rules.StationActivity("recovered", rules.PROBATION, _history([True, True, True, False, False, False]), since),
        rules.StationActivity("mixed", rules.PROBATION, _history([True, True, True, False, True, False]), since),
        rules.StationActivity("too-soon", rules.PROBATION, _history([True] * 5), since),
    ]
    decisions = {d.key: d.kind for d in rules.management_decisions(stations, activity)}
    assert decisions == {"still-weak": "eliminate", "recovered": "reinstate"}


def test_replacement_villages_keep_the_rules(plan_rules):
    leaving = Site("old", rules.VILLAGE, "445281104201", *BASE, label="旧站")
    neighbour = _point("n", 3000, azimuth=0, area="445281104203")
    villages = [
        # its own village again, at a site 500 m away: allowed once the old point closes
        rules.VillageSites(
            "445281104201", "甲村", "445281104", 3000, False, 1, ((*spatial.offset(*BASE, 180, 500), "村委"),)
        ),
        # 1.5 km from the remaining neighbour: refused
        rules.VillageSites(
            "445281104204", "戊村", "445281104", 3000, False, 0, ((*spatial.offset(*BASE, 0, 4500), "祠堂"),)
        ),
        # uncovered poverty village in another township
        rules.VillageSites(
            "445281105201", "丙村", "445281105", 3000, True, 0, ((*spatial.offset(*BASE, 90, 9000), "村委"),)
        ),
        # full: quota 1, one point already
        rules.VillageSites(
            "445281104205", "己村", "445281104", 3000, False, 1, ((*spatial.offset(*BASE, 270, 9000), "村委"),)
        ),
        # uncovered, same township
        rules.VillageSites(
            "445281104206", "庚村", "445281104", 3000, False, 0, ((*spatial.offset(*BASE, 200, 7000), "村委"),)
        ),
    ]
    options = rules.replacement_options(leaving, villages, [leaving, neighbour], plan_rules)
    assert [o.village_code for o in options] == ["445281104201", "445281104206", "445281105201"]
    assert options[0].uncovered and options[0].distance_m == pytest.approx(500, abs=1)
    assert all(o.nearest_point_m > 2000 for o in options)


def test_benchmark_assessment_lists_each_criterion():
    recent = [(D(2020, 3, 1), 80.0, True), (D(2020, 4, 1), 75.0, True), (D(2020, 5, 1), 90.0, True)]
    good = rules.assess_benchmark(
        level=rules.VILLAGE,
        status=rules.OPERATING,
        services=["express", "live_streaming", "finance", "agri_online"],
        floor_area_m2=Decimal(40),
        recent=recent,
    )
    assert all(c.met for c in good), good
    weak = rules.assess_benchmark(
        level=rules.TOWNSHIP,
        status=rules.PROBATION,
        services=["express"],
        floor_area_m2=Decimal(60),
        recent=[(D(2020, 5, 1), None, False)],
    )
    assert {c.code: c.met for c in weak} == {
        "operating": False,
        "score": False,
        "reports": False,
        "services": False,
        "floor_area": False,
    }
