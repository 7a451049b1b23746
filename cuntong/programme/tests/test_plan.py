"""The Puning plan file reproduces every money figure and target of the seed (普府办〔2020〕10号)."""

import copy
import json
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from cuntong.programme.plan import PlanInvalid, parse_plan, read_plan

WAN = Decimal(10000)

# The seed's table (万元): project → (national, local); sub-items where the seed names them.
SEED_PROJECTS = {
    1: ("本地农村产品商品化项目", 350, 0),
    2: ("本地农村产品冷库仓储项目", 200, 0),
    3: ("本区域智慧仓储物流建设项目", 200, 0),
    4: ("升级农村电子商务公共服务体系", 450, 40),
    5: ("农村电子商务人才培训", 300, 0),
    6: ("其他相关项目", 0, 110),
}
SEED_SUB_ITEMS = {
    4: {
        "town_stations": 58,
        "village_points": 131,
        "management_system": 50,
        "centre_upgrade": 100,
        "benchmark_stations": 50,
        "station_operation": 86,
        "station_maintenance": 15,
    },
    5: {
        "inclusive_training": 50,
        "advanced_training": 60,
        "cloud_platform": 145,
        "follow_up_fairs": 25,
        "ecommerce_funds": 20,
    },
    6: {"upkeep_2017": 14, "centre_operation_2021": 25, "rent": 15, "programme_costs": 56},
}
SEED_TARGETS = {
    "logistics.express_growth": (">", 20),
    "stations.township_coverage": (">=", 100),
    "stations.village_coverage": (">=", 50),
    "stations.poverty_village_coverage": (">=", 100),
    "stations.benchmark_count": (">=", 10),
    "training.inclusive_person_times": (">=", 5000),
    "training.advanced_person_times": (">=", 1000),
    "training.poverty_coverage": (">=", 50),
    "training.job_fairs": (">=", 5),
    "training.job_fair_attendees": (">=", 300),
    "elearning.learner_person_times": (">=", 15000),
    "elearning.learner_person_times_per_year": (">=", 5000),
    "supply.packaging_designs": (">=", 10),
    "supply.conferences": (">=", 1),
    "programme.budget_total": ("==", 1650),
    "programme.budget_national": ("==", 1500),
    "programme.budget_local": ("==", 150),
}


@pytest.fixture(scope="module")
def plan():
    return read_plan(settings.CUNTONG_DEFAULT_PLAN)


@pytest.fixture(scope="module")
def plan_data():
    return yaml.safe_load(settings.CUNTONG_DEFAULT_PLAN.read_text(encoding="utf-8"))


def test_totals_are_1650_of_which_1500_national_and_150_local(plan):
    assert plan.total() == 1650 * WAN
    assert plan.total("national") == 1500 * WAN
    assert plan.total("local") == 150 * WAN


def test_infrastructure_projects_take_750_national(plan):
    assert sum(p.budget["national"] for p in plan.projects if p.number in (1, 2, 3)) == 750 * WAN


@pytest.mark.parametrize("number", sorted(SEED_PROJECTS))
def test_each_project_line_matches_the_seed(plan, number):
    name, national, local = SEED_PROJECTS[number]
    project = next(p for p in plan.projects if p.number == number)
    assert project.name == name
    assert project.budget == {"national": national * WAN, "local": local * WAN}


@pytest.mark.parametrize("number", sorted(SEED_SUB_ITEMS))
def test_sub_items_match_the_seed_and_sum_to_their_project(plan, number):
    project = next(p for p in plan.projects if p.number == number)
    assert {s.code: s.amount for s in project.sub_items} == {
        code: amount * WAN for code, amount in SEED_SUB_ITEMS[number].items()
    }
    assert sum(s.amount for s in project.sub_items) == project.total


def test_phases_follow_the_seed(plan):
    phases = {p["code"]: (p["start"], p["end"]) for p in plan.data["phases"]}
    assert phases == {
        "launch": ("2019-05-01", "2019-09-30"),
        "implementation": ("2019-10-01", "2020-12-31"),
        "summary": ("2020-12-01", "2020-12-31"),
    }


def test_targets_follow_the_seed(plan):
    targets = {t["kpi"]: (t["comparator"], t["value"]) for t in plan.data["targets"]}
    for key, expected in SEED_TARGETS.items():
        assert targets[key] == expected, key


def test_station_rules_follow_the_seed(plan):
    rules = plan.data["rules"]["stations"]
    assert (
        rules["stations_per_township"],
        rules["points_per_village"],
        rules["extra_point_per_residents"],
        rules["min_spacing_m"],
    ) == (1, 1, 5000, 2000)
    assert plan.data["rules"]["funds"]["local_funds_require_status"] == "in_implementation"


def _errors(data) -> list[str]:
    with pytest.raises(PlanInvalid) as caught:
        parse_plan(yaml.safe_dump(data, allow_unicode=True))
    return [str(e) for e in caught.value.errors]


def test_a_sub_item_that_breaks_the_sum_is_named(plan_data):
    data = copy.deepcopy(plan_data)
    data["projects"][3]["sub_items"][0]["amount"] = 59
    errors = _errors(data)
    assert any(e.startswith("projects[3].sub_items") and "491" in e and "490" in e for e in errors), errors


def test_declared_totals_must_match_the_projects(plan_data):
    data = copy.deepcopy(plan_data)
    data["budget"]["local"] = 160
    errors = _errors(data)
    assert any(e.startswith("budget.local") for e in errors) and any(e.startswith("budget.total") for e in errors), (
        errors
    )


def test_schema_errors_give_the_path(plan_data):
    data = copy.deepcopy(plan_data)
    data["projects"][1]["budget"]["national"] = "two hundred"
    del data["phases"][0]["end"]
    data["targets"][0]["comparator"] = "≈"
    errors = _errors(data)
    assert any(e.startswith("projects[1].budget.national") for e in errors)
    assert any(e.startswith("phases[0]") and "'end'" in e for e in errors)
    assert any(e.startswith("targets[0].comparator") for e in errors)


def test_station_report_bounds_and_benchmark_services_are_checked_by_name(plan_data):
    data = copy.deepcopy(plan_data)
    data["rules"]["stations"]["report"]["plausible_max"]["village"]["parcels"] = 1
    data["rules"]["stations"]["benchmark_criteria"]["required_services"] = ["karaoke"]
    errors = _errors(data)
    assert any(e.startswith("rules.stations.report.plausible_max.village") and "parcels" in e for e in errors), errors
    assert any(e.startswith("rules.stations.benchmark_criteria.required_services[0]") for e in errors), errors


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(PlanInvalid) as caught:
        parse_plan("schema_version: 1\nprogramme: [unclosed\n")
    assert "行" in str(caught.value)


def test_dates_are_strings_checked_by_the_schema(plan_data):
    data = copy.deepcopy(plan_data)
    data["programme"]["start_date"] = "2019-13-01"
    assert any(e.startswith("programme.start_date") for e in _errors(data))


def test_phase_outside_programme_period(plan_data):
    data = copy.deepcopy(plan_data)
    data["phases"][0]["start"] = "2018-01-01"
    assert any(e.startswith("phases[0]") and "超出" in e for e in _errors(data))


def test_plan_show_json_reproduces_every_figure(base_data, capsys):
    call_command("plan", "show", "--format", "json")
    figures = json.loads(capsys.readouterr().out)
    assert figures["budget_wan"] == {"total": "1650", "national": "1500", "local": "150"}
    assert figures["budget_yuan"] == {"total": "16500000.00", "national": "15000000.00", "local": "1500000.00"}
    by_number = {p["number"]: p for p in figures["projects"]}
    for number, (_name, national, local) in SEED_PROJECTS.items():
        assert by_number[number]["budget_wan"] == {
            "total": str(national + local),
            "national": str(national),
            "local": str(local),
        }
    for number, items in SEED_SUB_ITEMS.items():
        assert {s["code"]: s["amount_wan"] for s in by_number[number]["sub_items"]} == {
            k: str(v) for k, v in items.items()
        }
    targets = {t["kpi"]: (t["comparator"], t["value"]) for t in figures["targets"]}
    for key, (comparator, value) in SEED_TARGETS.items():
        assert targets[key] == (comparator, str(value))


def test_reloading_the_plan_is_idempotent(base_data):
    from cuntong.programme.models import BudgetAllocation, Programme, SubItem, Target
    from cuntong.programme.services import load_plan_file

    before = (BudgetAllocation.objects.count(), SubItem.objects.count(), Target.objects.count())
    load_plan_file()
    assert (BudgetAllocation.objects.count(), SubItem.objects.count(), Target.objects.count()) == before
    assert Programme.objects.count() == 1


def test_plan_check_command_reports_problems(tmp_path, plan_data, capsys):
    data = copy.deepcopy(plan_data)
    data["projects"][0]["budget"]["national"] = 351
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("plan", "check", str(path))
    assert exit_info.value.code == 1
    assert "budget.national" in capsys.readouterr().err
