"""``cuntong stations check --all``: every programme's network in one run, each reported, then a summary; the exit
status is the worst programme's and the failure names the programmes with open violations."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cuntong.programme.tests.province import three_programmes
from cuntong.stations import services
from cuntong.web.testing import programme

from .factories import make_station


@pytest.fixture
def province(base_data):
    """puning-2019 has a station in every township (no violation); the two others have none (one each)."""
    programmes = three_programmes()
    for township in services.townships_of(programme()):
        make_station(township.code)
    return programmes


def _check_all(*args):
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("stations", "check", "--all", *args, stdout=out)
    return out.getvalue(), failed.value


def test_every_programme_is_checked_then_summarised_and_the_worst_fails_the_run(province):
    text, failed = _check_all()
    for item in province:
        section = text[text.index(f"== {item.code} {item.name}") :]
        assert section.splitlines()[1].startswith(f"{item.code}: ")
    townships = services.townships_of(programme()).count()
    summary = text[text.index("== stations check: summary") :].splitlines()
    assert summary[1].split()[:2] == ["puning-2019", "OK"]
    assert f"{townships} stations checked, 0 open violations" in summary[1]
    assert [line.split()[:2] for line in summary[2:4]] == [["puning-2020", "PROBLEMS"], ["puning-2021", "PROBLEMS"]]
    assert f"0 stations checked, {townships} open violations" in summary[2]
    assert failed.returncode == 1
    assert str(failed) == "stations check: 2 of 3 programmes not OK: puning-2020, puning-2021"


def test_json_holds_every_programme_and_the_summary(province):
    text, failed = _check_all("--format", "json")
    data = json.loads(text)
    assert [(p["programme"], p["ok"]) for p in data["programmes"]] == [
        ("puning-2019", True),
        ("puning-2020", False),
        ("puning-2021", False),
    ]
    assert data["summary"]["not_ok"] == ["puning-2020", "puning-2021"] and data["summary"]["status"] == 1
    assert failed.returncode == 1


def test_one_programme_as_before(province, capsys):
    call_command("stations", "check", "--programme", "puning-2019", format="json")  # exits 0
    assert json.loads(capsys.readouterr().out)["ok"]
    with pytest.raises(SystemExit) as exited:
        call_command("stations", "check", "--programme", "puning-2020")
    assert exited.value.code == 1
    assert "open violations" in capsys.readouterr().out
