"""``cuntong kpi --all``: every programme's KPIs in one run, each under its heading, then a summary; the exit status
is the worst programme's, naming it; one programme's failure does not hide the others."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cuntong.programme.kpi import registry

from .province import three_programmes


@pytest.fixture
def province(base_data):
    return three_programmes()


def _kpi(*args):
    out, err = StringIO(), StringIO()
    call_command("kpi", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_every_programme_is_reported_then_summarised(province):
    text = _kpi("--all")
    keys = registry.keys()
    for programme in province:
        heading = text.index(f"== {programme.code} {programme.name}")
        assert all(key in text[heading:] for key in keys)
    summary = text[text.index("== kpi: summary") :]
    assert [line.split()[0] for line in summary.splitlines()[1:4]] == [p.code for p in province]
    assert all("OK" in line and "KPIs:" in line for line in summary.splitlines()[1:4])
    assert "kpi: all 3 programmes OK" in summary


def test_json_holds_every_programme_and_the_summary(province):
    data = json.loads(_kpi("--all", "--format", "json"))
    assert [p["programme"] for p in data["programmes"]] == [p.code for p in province]
    assert all(p["kpis"] for p in data["programmes"])
    assert data["summary"]["programmes"] == 3 and data["summary"]["not_ok"] == []
    assert data["summary"]["status"] == 0


def test_the_exit_status_is_the_worst_programmes_and_names_it(province, monkeypatch):
    evaluate = registry.evaluate

    def failing_for_one(scope, keys=None):
        if scope.programme.code == "puning-2020":
            raise RuntimeError("a calculator broke")
        return evaluate(scope, keys)

    monkeypatch.setattr(registry, "evaluate", failing_for_one)
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("kpi", "--all", stdout=out, stderr=StringIO())
    assert failed.value.returncode == 2
    assert "puning-2020" in str(failed.value) and "puning-2019" not in str(failed.value)
    summary = out.getvalue()[out.getvalue().index("== kpi: summary") :]
    assert "puning-2019" in summary and "puning-2021" in summary and "a calculator broke" in summary


def test_one_programme_as_before(province):
    data = json.loads(_kpi("--programme", "puning-2021", "--format", "json"))
    assert data["programme"] == "puning-2021" and "summary" not in data
    assert json.loads(_kpi("--format", "json"))["programme"] == "puning-2019"  # the first loaded


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all", "--area", "445281"], "--area"),
        (["--all", "--programme", "puning-2019"], "not allowed with argument"),
        (["--programme", "nowhere"], "no programme nowhere"),
    ],
)
def test_contradictory_or_unknown_choices_are_refused(province, args, message):
    with pytest.raises(CommandError, match=message):
        _kpi(*args)
