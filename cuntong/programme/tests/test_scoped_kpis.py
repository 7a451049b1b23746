"""The same figure everywhere, for the viewer's scope; one rounding rule; KPI names in the request's language.

Hand-counted fixture (base data: Puning's 33 township-level units, test villages 洪阳 甲 (poverty) and 乙, 南溪 丙 and
丁 (poverty)):

- township stations: 洪阳 operating, 南溪 on probation, 流沙东 built (does not count)
- village points: 甲 operating (benchmark), 乙 on probation, 丙 proposed, 丁 eliminated

County: townships 2/33, villages 2/4, poverty villages 1/2, benchmarks 1.
A user of 洪阳 and 流沙东: townships 1/2 (流沙东's is only built), villages 2/2, poverty villages 1/1, benchmarks 1.
"""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from cuntong.accounts.models import Membership, Role
from cuntong.core.money import percent
from cuntong.geo.models import Area
from cuntong.programme.kpi import AreaScope, Status, registry
from cuntong.stations import rules
from cuntong.stations.tests.factories import LIUSHA_EAST, make_hand_counted_network, make_station
from cuntong.web.testing import HONGYANG, NANXI, area, login, make_user, programme


@pytest.fixture
def network(base_data):
    make_hand_counted_network()


@pytest.fixture
def two_townships(network):
    user = make_user("two-townships", "township", HONGYANG)
    Membership.objects.create(user=user, role=Role.objects.get(code="township"), area=area(LIUSHA_EAST))
    return user


def _card(html: str, key: str) -> str:
    start = html.index(f'data-kpi="{key}"')
    end = html.find('data-kpi="', start + 1)
    return html[start : end if end > 0 else None]


def _by_key(results) -> dict:
    return {r.key: r for r in results}


def test_two_township_user_sees_their_two_townships_on_board_api_and_coverage_page(two_townships):
    kpis = _by_key(registry.evaluate(AreaScope(programme(), two_townships)))
    figures = {
        key: (kpis[key].measurement.numerator, kpis[key].measurement.denominator, kpis[key].value)
        for key in ("stations.township_coverage", "stations.village_coverage", "stations.poverty_village_coverage")
    }
    assert figures == {
        "stations.township_coverage": (1, 2, Decimal("50.0")),
        "stations.village_coverage": (2, 2, Decimal("100.0")),
        "stations.poverty_village_coverage": (1, 1, Decimal("100.0")),
    }
    assert kpis["stations.township_coverage"].scope_label == "范围：流沙东街道、洪阳镇"

    client = login(two_townships)
    board = client.get("/programme/kpi/").content.decode()
    card = _card(board, "stations.township_coverage")
    assert "50.0" in card and "1 / 2" in card and "范围：流沙东街道、洪阳镇" in card
    assert "2 / 33" not in board

    api = {row["key"]: row for row in client.get("/api/v1/programmes/puning-2019/kpis/").json()}
    township = api["stations.township_coverage"]
    assert (township["numerator"], township["denominator"], township["display"]) == ("1", "2", "50.0")
    assert township["scope"] == "范围：流沙东街道、洪阳镇"

    page = client.get("/stations/coverage/").content.decode()
    assert 'id="cov-township">1/2' in page and 'id="cov-village">2/2' in page and 'id="cov-poverty">1/1' in page
    data = client.get("/api/v1/station-coverage/").json()
    assert (data["township_covered"], data["township_total"], data["village_covered"], data["village_total"]) == (
        1,
        2,
        2,
        2,
    )
    assert [r["name"] for r in data["results"]] == ["流沙东街道"]

    wall = client.get("/stations/wall/data/").json()["text"]
    assert (wall["wall-township-coverage"], wall["wall-village-coverage"]) == ("1/2", "100.0%")


def test_the_county_office_still_sees_the_county(network):
    kpis = _by_key(registry.evaluate(AreaScope(programme(), make_user("office-user", "office"))))
    township = kpis["stations.township_coverage"]
    assert (township.measurement.numerator, township.measurement.denominator) == (2, 33)
    assert township.scope_label == ""


@pytest.mark.parametrize("key", ["stations.benchmark_count", "stations.village_coverage", "programme.budget_local"])
@pytest.mark.parametrize("who", ["office", "two_townships"])
def test_a_drilldown_lists_exactly_the_records_behind_its_figure(two_townships, key, who):
    user = two_townships if who == "two_townships" else make_user("office-user", "office")
    scope = AreaScope(programme(), user)
    (result,) = registry.evaluate(scope, [key])
    records = list(registry.drilldown(scope, key))
    m = result.measurement
    if key == "stations.benchmark_count":
        assert len(records) == result.value == 1
    elif key == "stations.village_coverage":  # the villages still to cover
        assert len(records) == m.denominator - m.numerator
    else:
        assert sum(r.amount for r in records) / 10000 == result.value
    page = login(user).get(f"/programme/kpi/{key}/").content.decode()
    assert f'id="kpi-record-count">{len(records)}<' in page


def test_a_station_keeper_and_a_contractor_see_no_county_totals(network):
    keeper = make_user("keeper", "station_operator", HONGYANG)
    kpis = _by_key(registry.evaluate(AreaScope(programme(), keeper)))
    for key in ("stations.township_coverage", "stations.village_coverage", "stations.benchmark_count"):
        assert kpis[key].status == Status.OUT_OF_SCOPE and kpis[key].value is None, key
    assert kpis["funds.execution_rate"].status == Status.OUT_OF_SCOPE
    assert kpis["programme.budget_total"].value == Decimal(1650)  # the plan is every member's to read
    assert registry.drilldown(AreaScope(programme(), keeper), "stations.village_coverage") is None

    client = login(keeper)
    api = {row["key"]: row for row in client.get("/api/v1/programmes/puning-2019/kpis/").json()}
    assert api["stations.township_coverage"]["value"] is None and api["stations.township_coverage"]["numerator"] is None
    assert client.get("/stations/coverage/").status_code == 403
    assert client.get("/api/v1/station-coverage/").status_code == 403
    assert client.get("/programme/kpi/stations.village_coverage/").status_code == 200
    wall = client.get("/stations/wall/data/").json()["text"]
    assert wall["wall-township-coverage"] == wall["wall-village-coverage"] == "—"

    contractor = make_user("contractor", "contractor")
    kpis = _by_key(registry.evaluate(AreaScope(programme(), contractor)))
    assert all(kpis[k].status == Status.OUT_OF_SCOPE for k in kpis if k.startswith("funds."))


def test_the_kpi_command_acts_for_the_programme_a_user_or_areas(two_townships, capsys):
    def township_row(*args):
        call_command("kpi", "--format", "json", *args)
        rows = {row["key"]: row for row in json.loads(capsys.readouterr().out)["kpis"]}
        row = rows["stations.township_coverage"]
        return row["numerator"], row["denominator"]

    assert township_row() == ("2", "33")
    assert township_row("--user", "two-townships") == ("1", "2")
    assert township_row("--area", HONGYANG, "--area", LIUSHA_EAST) == ("1", "2")
    assert township_row("--area", NANXI) == ("1", "1")


# --- one rounding rule: 9 of 16 is 56.3 % everywhere --------------------------------------------------------


@pytest.fixture
def nine_of_sixteen(base_data):
    """洪阳 with 16 villages (its two test villages and 14 more), nine of them served by an operating point."""
    township = area(HONGYANG)
    for n in range(3, 17):
        Area.objects.create(
            code=f"{HONGYANG}{200 + n}", name=f"测试{n}村委会", level="village", kind="village", parent=township
        )
    for n in range(1, 10):
        make_station(f"{HONGYANG}{200 + n}", at=(23.20 + 0.03 * n, 116.275))


def test_nine_of_sixteen_is_56_3_on_the_wall_the_board_the_api_and_in_filters(nine_of_sixteen):
    assert percent(9, 16) == Decimal("56.3")
    user = make_user("hongyang-user", "township", HONGYANG)
    client = login(user)
    assert client.get("/stations/wall/data/").json()["text"]["wall-village-coverage"] == "56.3%"
    assert 'id="wall-village-coverage">56.3%<' in client.get("/stations/wall/").content.decode()
    card = _card(client.get("/programme/kpi/").content.decode(), "stations.village_coverage")
    assert "56.3" in card and "9 / 16" in card
    api = {row["key"]: row for row in client.get("/api/v1/programmes/puning-2019/kpis/").json()}
    assert api["stations.village_coverage"]["display"] == "56.3"
    assert client.get("/api/v1/station-coverage/").json()["village_percent"] == "56.3%"
    assert 'id="cov-village">9/16' in client.get("/stations/coverage/").content.decode()
    rendered = Template("{% load cuntong %}{{ 9|percent_of:16 }} {{ value|pct }}").render(
        Context({"value": rules.MonthCompleteness(None, None, expected=16, received=9, on_time=9, late=0).completeness})
    )
    assert rendered == "56.3% 56.3%"


# --- translations at request time ----------------------------------------------------------------------------


def test_kpi_names_follow_the_language_of_each_request(network):
    office = make_user("office-user", "office")
    scope = AreaScope(programme(), office)
    with translation.override("en"):
        (result,) = registry.evaluate(scope, ["stations.village_coverage"])
        assert result.as_dict()["name"] == "Village point coverage"
        assert result.as_dict()["status_label"] != "已达标"
    with translation.override("zh-hans"):
        assert registry.evaluate(scope, ["stations.village_coverage"])[0].as_dict()["name"] == "行政村服务点覆盖率"

    client = login(office)
    english = client.get("/programme/kpi/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Village point coverage" in _card(english, "stations.village_coverage")
    api = client.get("/api/v1/programmes/puning-2019/kpis/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {row["key"]: row["name"] for row in api}["stations.village_coverage"] == "Village point coverage"
    chinese = client.get("/programme/kpi/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "行政村服务点覆盖率" in _card(chinese, "stations.village_coverage")
