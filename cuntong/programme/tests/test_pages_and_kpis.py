"""The programme overview (home page), the KPI registry and board, the programme API."""

import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from cuntong.programme.kpi import AreaScope, KpiRegistry, Measurement, Status, judge, registry, shared
from cuntong.programme.models import Programme
from cuntong.web.testing import HONGYANG, login, make_user, other_county_programme, programme


@pytest.fixture
def office(base_data):
    return login(make_user("office-user", "office"))


def test_home_shows_budget_by_line_and_source(office):
    html = office.get("/").content.decode()
    assert re.search(r'data-figure="total">1,650\.00', html)
    assert re.search(r'data-figure="national">1,500\.00', html)
    assert re.search(r'data-figure="local">150\.00', html)
    for name in ("本地农村产品商品化项目", "升级农村电子商务公共服务体系", "其他相关项目", "镇级电子商务服务站点"):
        assert name in html
    assert "budget-chart-data" in html and "echarts.min.js" in html


def test_home_shows_phases_and_kpis(office):
    html = office.get("/").content.decode()
    for phase in ("启动阶段", "实施阶段", "总结阶段"):
        assert phase in html
    assert 'data-kpi="programme.budget_total"' in html and 'data-kpi="stations.village_coverage"' in html


def test_home_query_count_is_pinned(office, django_assert_max_num_queries):
    # The overview evaluates every registered KPI; helpers several calculators share (fund totals, station
    # coverage) run once per evaluation. The benchmark KPI scores the plan's last closed months: a constant few more.
    # The to-do list asks each provider once: one or two queries per kind of to-do (core/tests/test_todos.py).
    # One read of the programme's data version keys the cache (core.freshness); a second request computes none of
    # this (cuntong/tests/test_freshness.py). Training and logistics: about one query per KPI and per kind of to-do.
    with django_assert_max_num_queries(44):
        assert office.get("/").status_code == 200


def test_anonymous_home_goes_to_login(base_data, client):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_kpi_board_and_drilldown(office):
    assert "programme.budget_local" in office.get("/programme/kpi/").content.decode()
    html = office.get("/programme/kpi/programme.budget_local/").content.decode()
    assert "150" in html and "升级农村电子商务公共服务体系" in html and "其他相关项目" in html


def test_plan_file_download_is_the_loaded_text(office):
    response = office.get("/programme/puning-2019/plan.yaml")
    assert response.status_code == 200 and response.content.decode() == programme().plan_source


def test_switch_programme(base_data):
    other = other_county_programme()
    user = make_user("province", "office", "44")
    client = login(user)
    assert client.get("/").context["programme"].code in ("puning-2019", other.code)
    client.post("/programme/switch/", {"programme": other.code, "next": "/"})
    assert client.get("/").context["programme"] == other
    client.post("/programme/switch/", {"programme": "puning-2019", "next": "https://evil.example/"})
    assert client.get("/").context["programme"].code == "puning-2019"


def test_cannot_switch_to_a_programme_outside_scope(base_data):
    other = other_county_programme()
    client = login(make_user("puning-only", "office"))
    assert client.post("/programme/switch/", {"programme": other.code}).status_code == 404


def test_judge():
    assert judge(Decimal(50), ">=", Decimal(50)) == Status.MET
    assert judge(Decimal("49.9"), ">=", Decimal(50)) == Status.NOT_MET
    assert judge(Decimal(20), ">", Decimal(20)) == Status.NOT_MET
    assert judge(None, ">=", Decimal(1)) == Status.NO_DATA
    assert judge(Decimal(1), None, None) == Status.NO_TARGET


def test_registry_evaluates_registered_and_planned_kpis(base_data):
    results = {r.key: r for r in registry.evaluate(AreaScope(programme()))}
    assert results["programme.budget_total"].value == Decimal(1650)
    assert results["programme.budget_total"].status == Status.MET
    assert {t.kpi for t in programme().targets.all()} <= set(results)


def test_a_local_registry_marks_unregistered_targets(base_data):
    local = KpiRegistry()
    local.register("demo.count", "演示", model=Programme, unit="个")(lambda scope: Measurement(3))
    results = {r.key: r for r in local.evaluate(AreaScope(programme()))}
    assert results["demo.count"].status == Status.NO_TARGET
    assert results["stations.village_coverage"].status == Status.NOT_REGISTERED
    with pytest.raises(ValueError):
        local.register("demo.count", "again", model=Programme)(lambda scope: Measurement(1))


def test_shared_helpers_run_once_per_evaluation_and_never_serve_stale_figures(base_data):
    calls = []
    totals = shared(lambda p: calls.append(p.pk) or len(calls))
    local = KpiRegistry()
    local.register("demo.a", "甲", model=Programme)(lambda scope: Measurement(totals(scope.programme)))
    local.register("demo.b", "乙", model=Programme)(lambda scope: Measurement(totals(scope.programme)))
    results = {r.key: r.value for r in local.evaluate(AreaScope(programme()), ["demo.a", "demo.b"])}
    assert results == {"demo.a": 1, "demo.b": 1} and len(calls) == 1
    assert local.evaluate(AreaScope(programme()), ["demo.a"])[0].value == 2  # a new evaluation computes afresh
    assert totals(programme()) == 3 and totals(programme()) == 4  # outside an evaluation: every call


def test_ratio_measurement():
    assert Measurement.ratio(1, 3).value == Decimal("33.3")
    assert Measurement.ratio(0, 0).value is None


def test_kpi_command_json(base_data, capsys):
    call_command("kpi", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    rows = {r["key"]: r for r in data["kpis"]}
    assert rows["programme.budget_national"] == {
        **rows["programme.budget_national"],
        "value": "1500",
        "target": "1500",
        "status": "met",
    }
    assert {"programme.budget_total", "stations.village_coverage", "training.inclusive_person_times"} <= set(rows)


def test_programme_api_has_the_plan(base_data):
    client = login(make_user("township-api", "township", HONGYANG))
    data = client.get("/api/v1/programmes/puning-2019/").json()
    assert data["county"] == "445281"
    projects = {p["number"]: p for p in data["projects"]}
    assert {a["source"]: a["amount"] for a in projects[4]["allocations"]} == {
        "local": "400000.00",
        "national": "4500000.00",
    }
    assert len(projects[4]["sub_items"]) == 7
    kpis = client.get("/api/v1/programmes/puning-2019/kpis/").json()
    assert any(k["key"] == "programme.budget_total" and k["status"] == "met" for k in kpis)


def test_api_token_authentication(base_data):
    from django.test import Client

    from cuntong.accounts.api_auth import issue_token

    user = make_user("api-user", "office")
    _token, key = issue_token(user, "test")
    client = Client()
    assert client.get("/api/v1/programmes/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert client.get("/api/v1/programmes/", HTTP_AUTHORIZATION="Token wrong").status_code == 401
    assert client.get("/api/v1/programmes/").status_code in (401, 403)


def test_schema_and_docs(office):
    schema = office.get("/api/v1/schema/").content.decode()
    assert "/api/v1/areas/" in schema and "/api/v1/programmes/{code}/kpis/" in schema
    assert office.get("/api/v1/docs/").status_code == 200


def test_a_station_keeper_lands_on_their_phone_page_and_others_on_the_overview(base_data):
    keeper = login(make_user("keeper", "station_operator", HONGYANG))
    response = keeper.get("/")
    assert response.status_code == 302 and response["Location"] == "/stations/my/"
    assert keeper.get("/programme/puning-2019/").status_code == 200  # the overview stays reachable
    assert login(make_user("clerk", "township", HONGYANG)).get("/").status_code == 200


def test_targets_show_their_comparison_symbol(office):
    html = office.get("/programme/kpi/").content.decode()
    assert "≥ 50" in html and ">= 50" not in html
