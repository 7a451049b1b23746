"""Coverage KPIs on a hand-counted fixture: only stations in operation count; drill-downs list what is missing.

The base data has Puning's 33 township-level units and four test villages:
洪阳 甲 (poverty), 洪阳 乙, 南溪 丙, 南溪 丁 (poverty). The fixture below, counted by hand:

- township stations: 洪阳 operating, 南溪 on probation (counts), 流沙东 built (does not count) → 2 of 33 = 6.1 %
- village points: 甲 operating (benchmark), 乙 on probation (counts), 丙 proposed, 丁 eliminated → 2 of 4 = 50.0 %
- poverty villages: 甲 covered, 丁 not → 1 of 2 = 50.0 %
- benchmarks in operation: 甲 (丙 is flagged but only proposed) → 1
"""

from decimal import Decimal

import pytest

from cuntong.programme.kpi import AreaScope, registry
from cuntong.stations import services
from cuntong.web.testing import HONGYANG, login, make_user, programme

from .factories import make_hand_counted_network


@pytest.fixture
def network(base_data):
    make_hand_counted_network()


def _kpis():
    return {r.key: r for r in registry.evaluate(AreaScope(programme())) if r.key.startswith("stations.")}


def test_hand_counted_coverage(network):
    kpis = _kpis()
    township = kpis["stations.township_coverage"]
    assert (township.measurement.numerator, township.measurement.denominator) == (2, 33)
    assert township.value == Decimal("6.1") and township.status == "not_met"
    village = kpis["stations.village_coverage"]
    assert (village.measurement.numerator, village.measurement.denominator, village.value) == (2, 4, Decimal("50.0"))
    assert village.status == "met"  # target ≥ 50 %
    poverty = kpis["stations.poverty_village_coverage"]
    assert (poverty.measurement.numerator, poverty.measurement.denominator) == (1, 2)
    assert poverty.status == "not_met"
    benchmarks = kpis["stations.benchmark_count"]
    assert benchmarks.value == 1 and benchmarks.target_value == 10 and benchmarks.status == "not_met"


def test_drilldown_lists_uncovered_villages_in_the_viewers_scope(network):
    office = AreaScope(programme(), make_user("office-user", "office"))
    assert [a.name for a in registry.drilldown(office, "stations.village_coverage")] == ["测试丙村委会", "测试丁村委会"]
    hongyang = AreaScope(programme(), make_user("hongyang-user", "township", HONGYANG))
    assert list(registry.drilldown(hongyang, "stations.village_coverage")) == []
    assert [a.name for a in registry.drilldown(office, "stations.poverty_village_coverage")] == ["测试丁村委会"]
    page = login(office.user).get("/programme/kpi/stations.village_coverage/").content.decode()
    assert "测试丙村委会" in page and "测试丁村委会" in page and "测试甲村委会" not in page


def test_coverage_page_and_api(network):
    office = login(make_user("office-user", "office"))
    page = office.get("/stations/coverage/").content.decode()
    assert 'id="cov-village">2/4' in page and 'id="cov-township">2/33' in page
    data = office.get("/api/v1/station-coverage/").json()
    assert (data["village_covered"], data["village_total"], data["poverty_covered"]) == (2, 4, 1)
    assert [v["name"] for v in data["results"] if v["provincial_poverty_village"]] == ["测试丁村委会"]
    assert {v["name"] for v in data["results"] if v["level"] == "village"} == {"测试丙村委会", "测试丁村委会"}
    hongyang = login(make_user("hongyang-user", "township", HONGYANG))
    data = hongyang.get("/api/v1/station-coverage/").json()
    assert (data["township_covered"], data["township_total"], data["village_covered"], data["village_total"]) == (
        1,
        1,
        2,
        2,
    )


def test_kpi_command_prints_the_station_kpis(network, capsys):
    import json

    from django.core.management import call_command

    call_command("kpi", format="json")
    rows = {row["key"]: row for row in json.loads(capsys.readouterr().out)["kpis"]}
    assert rows["stations.village_coverage"]["value"] == "50"
    assert rows["stations.benchmark_count"]["value"] == "1"


def test_coverage_for_counts_two_queries(network, django_assert_num_queries):
    p = programme()
    p.county  # noqa: B018 - loaded once per request in the pages
    with django_assert_num_queries(2):
        services.coverage_for(p)
