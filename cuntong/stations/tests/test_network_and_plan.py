"""The whole-network check (command, page, API) and the placement optimiser on the programme's data (job, page,
command)."""

import json

import pytest
from django.core.management import call_command

from cuntong.jobs.models import Job
from cuntong.stations import rules, services, spatial
from cuntong.stations.models import CandidateSite
from cuntong.web.testing import HONGYANG, NANXI, area, login, make_user, programme

from .factories import make_station, position


@pytest.fixture
def crowded(base_data):
    """Two points 1.5 km apart (one approved by override) and a far one."""
    first = make_station(f"{HONGYANG}201")
    lat, lng = spatial.offset(float(first.latitude), float(first.longitude), 90, 1500)
    second = make_station(f"{HONGYANG}202", status=rules.PROPOSED, at=(lat, lng))
    services.transition(second, rules.APPROVED, override=True, reason="地形阻隔", user=services.SYSTEM)
    make_station(f"{NANXI}201")
    return first, second


def test_check_command_reports_every_violation_as_json(crowded, capsys):
    first, second = crowded
    with pytest.raises(SystemExit) as exited:
        call_command("stations", "check", format="json")
    assert exited.value.code == 1  # townships without a township station are open violations
    data = json.loads(capsys.readouterr().out)
    assert data["checked"] == 3 and data["ok"] is False
    assert {v["kind"] for v in data["open"]} == {"missing_station"}
    [violation] = data["exceptions"]
    assert sorted(violation["stations"]) == sorted([first.pk, second.pk])
    assert violation["distance_m"] == pytest.approx(1500, abs=0.5) and violation["min_spacing_m"] == 2000
    assert violation["approved"]["reason"] == "地形阻隔"


def test_check_command_text_and_clean_network(base_data, capsys):
    for township in services.townships_of(programme()):
        make_station(township.code)
    make_station(f"{HONGYANG}201")
    call_command("stations", "check")
    assert "0 open violations" in capsys.readouterr().out


def test_check_page_and_api_show_only_what_touches_the_viewers_scope(crowded):
    first, _second = crowded
    office = login(make_user("office-user", "office"))
    assert first.name in office.get("/stations/check/").content.decode()
    data = office.get("/api/v1/station-rule-check/").json()
    assert data["exceptions"][0]["kind"] == "spacing" and not data["ok"]
    nanxi = login(make_user("nanxi-user", "township", NANXI))
    data = nanxi.get("/api/v1/station-rule-check/").json()
    assert data["exceptions"] == []
    assert [v["area_code"] for v in data["results"]] == [NANXI]  # only its own missing township station
    assert first.name not in nanxi.get("/stations/check/").content.decode()


def test_station_rule_check_endpoint_for_one_proposal(base_data):
    first = make_station(f"{HONGYANG}201")
    lat, lng = spatial.offset(float(first.latitude), float(first.longitude), 0, 1200)
    proposal = make_station(f"{HONGYANG}202", status=rules.PROPOSED, at=(lat, lng))
    office = login(make_user("office-user", "office"))
    [violation] = office.get(f"/api/v1/stations/{proposal.pk}/rule-check/").json()["violations"]
    assert violation["kind"] == "spacing"
    response = office.post(
        f"/api/v1/stations/{proposal.pk}/transition/", {"target": "approved"}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["violations"][0]["kind"] == "spacing"
    response = office.post(
        f"/api/v1/stations/{proposal.pk}/transition/",
        {"target": "approved", "override": True, "reason": "贫困村"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = office.post(
        f"/api/v1/stations/{proposal.pk}/transition/", {"target": "operating"}, content_type="application/json"
    )
    assert response.status_code == 400  # approved → operating skips "built"


# --- the optimiser on the programme ----------------------------------------------------------------------------


@pytest.fixture
def sites(base_data):
    """Candidate sites: 洪阳 甲 and 乙 are 4 km apart; 南溪 丙 has two sites; 丁 (poverty) has none but a centre."""
    for code, azimuth, distance, name in (
        (f"{HONGYANG}201", 0, 0, "村委会"),
        (f"{HONGYANG}202", 0, 0, "村委会"),
        (f"{NANXI}201", 0, 0, "村委会"),
        (f"{NANXI}201", 90, 500, "小卖部"),
    ):
        lat, lng = spatial.offset(*position(code), azimuth, distance)
        CandidateSite.objects.create(
            programme=programme(), village=area(code), name=name, latitude=f"{lat:.6f}", longitude=f"{lng:.6f}"
        )
    lat, lng = position(f"{NANXI}202")
    type(area(NANXI)).objects.filter(code=f"{NANXI}202").update(latitude=f"{lat:.6f}", longitude=f"{lng:.6f}")


def test_placement_problem_reads_sites_centres_and_existing_points(sites):
    make_station(f"{HONGYANG}201")
    problem = services.placement_problem(programme())
    villages = {v.key: v for v in problem.villages}
    assert villages[f"{HONGYANG}201"].covered and not villages[f"{HONGYANG}202"].covered
    assert villages[f"{HONGYANG}202"].quota_left == 2  # 12,000 residents
    labels = sorted((c.village, c.label) for c in problem.candidates)
    assert (f"{NANXI}202", "村中心") in labels and (f"{NANXI}201", "小卖部") in labels
    assert [e.label for e in problem.existing] == ["测试甲村委会服务点"]


def test_plan_page_runs_the_optimiser_as_a_job(sites, django_capture_on_commit_callbacks):
    make_station(f"{HONGYANG}201")
    office = login(make_user("office-user", "office"))
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post("/stations/plan/", {"village_target": "75", "poverty_target": "100", "time_limit": "10"})
    job = Job.objects.get(kind="stations.plan")
    assert response.status_code == 302 and response["Location"].endswith(f"/stations/plan/{job.pk}/")
    assert job.status == "succeeded", job.error
    result = job.result
    # 甲 is served; 3 of 4 villages are needed: the poverty village 丁 and one of 乙/丙 — two new points.
    assert result["targets_met"] and result["new_points"] == 2 and result["proven"]
    assert f"{NANXI}202" in {s["village_code"] for s in result["sites"]}
    page = office.get(response["Location"]).content.decode()
    assert 'id="plan-result"' in page and "测试丁村委会" in page


def test_plan_command_prints_json(sites, capsys):
    call_command("stations", "plan", format="json", time_limit=10)
    result = json.loads(capsys.readouterr().out)
    assert result["phase"] == "fewest_points" and result["targets_met"] and result["new_points"] == 2


def test_plan_command_names_the_blocking_villages(sites, capsys):
    # a point 800 m from 丁's only place makes the poverty target unreachable
    lat, lng = spatial.offset(*position(f"{NANXI}202"), 180, 800)
    make_station(f"{NANXI}201", at=(lat, lng))
    with pytest.raises(SystemExit):
        call_command("stations", "plan", time_limit=10, no_progress=True)
    out = capsys.readouterr().out
    assert "best_coverage" in out and f"{NANXI}202" in out and "too_close" in out


def test_township_official_may_look_but_not_run(sites):
    township = login(make_user("hongyang-user", "township", HONGYANG))
    assert township.get("/stations/plan/").status_code == 200
    assert (
        township.post(
            "/stations/plan/", {"village_target": "50", "poverty_target": "100", "time_limit": "5"}
        ).status_code
        == 302
    )
    # township officials hold add_station, so they may run it for their township's view; the job is theirs
    assert Job.objects.filter(kind="stations.plan", created_by__username="hongyang-user").exists()
