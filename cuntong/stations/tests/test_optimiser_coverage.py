"""The optimiser counts coverage as the coverage KPI does (issue 9.4): a village is covered by a point in operation;
an approved or built point is planned and shown apart; JSON mode exits like text mode."""

import json

import pytest
from django.core.management import call_command

from cuntong.stations import rules, services, spatial
from cuntong.stations.models import CandidateSite
from cuntong.web.testing import HONGYANG, NANXI, area, programme

from .factories import make_station, position


@pytest.fixture
def mixed(base_data):
    """甲 operating, 乙 approved (planned), 丙 built (planned), 丁 nothing — each village with a site."""
    make_station(f"{HONGYANG}201")
    make_station(f"{HONGYANG}202", status=rules.APPROVED)
    make_station(f"{NANXI}201", status=rules.BUILT)
    for code in (f"{HONGYANG}201", f"{HONGYANG}202", f"{NANXI}201", f"{NANXI}202"):
        lat, lng = position(code)
        CandidateSite.objects.create(
            programme=programme(), village=area(code), name="村委会", latitude=f"{lat:.6f}", longitude=f"{lng:.6f}"
        )


def test_optimiser_coverage_equals_the_coverage_kpi(mixed):
    kpi = services.coverage_for(programme()).coverage
    result = services.run_placement(programme(), time_limit=10, village_target=100)
    assert result["villages_covered_before"] == kpi.village_covered == 1
    assert result["poverty_covered_before"] == kpi.poverty_covered
    assert result["villages_planned"] == 2  # shown apart, not counted as covered
    assert result["villages_covered_after"] == 4 and result["new_points"] == 1
    assert [s["village_code"] for s in result["sites"]] == [f"{NANXI}202"]


def test_json_mode_exits_like_text_mode(mixed, capsys):
    # a point 800 m from 丁's only site: 100 % cannot be reached
    lat, lng = spatial.offset(*position(f"{NANXI}202"), 180, 800)
    blocking = make_station(f"{NANXI}201", at=(lat, lng), status=rules.PROPOSED, name="挡路点")
    services.transition(
        blocking,
        rules.APPROVED,
        user=services.SYSTEM,
        override=True,
        reason="测试",
    )
    for fmt in ("text", "json"):
        with pytest.raises(SystemExit) as exited:
            call_command("stations", "plan", format=fmt, village_target=100, time_limit=10, no_progress=True)
        assert exited.value.code == 1, fmt
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") :])["targets_met"] is False
