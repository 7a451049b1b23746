"""Positions that make sense (issue 9.6): a station or candidate site lies near its area's recorded centre and inside
the county's bounds the plan states — Seoul and Hanoi rows are refused on import, form and API alike."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError

from cuntong.core.importer import IMPORTERS
from cuntong.geo.models import Area
from cuntong.programme.plan import PlanInvalid, parse_plan
from cuntong.stations import rules, services, spatial
from cuntong.stations.models import CandidateSite, Station
from cuntong.web.testing import HONGYANG, area, login, make_user, programme, xlsx_upload

SEOUL = (37.5665, 126.978)
HANOI = (21.0285, 105.8542)
PUNING = rules.PositionRules(
    max_distance_from_centre_m=10_000, county=rules.CountyBounds(centre=(23.30, 116.17), radius_m=50_000)
)


@pytest.mark.parametrize("place", [SEOUL, HANOI])
def test_positions_outside_the_county_are_refused(place):
    problem = rules.position_problem(*place, None, "测试村", PUNING)
    assert problem and "不在本县范围内" in problem


def test_a_position_far_from_its_area_centre_is_refused():
    centre = (23.43, 116.275)
    assert rules.position_problem(*spatial.offset(*centre, 45, 9_900), centre, "洪阳镇", PUNING) is None
    problem = rules.position_problem(*spatial.offset(*centre, 45, 12_000), centre, "洪阳镇", PUNING)
    assert "距洪阳镇中心 12,000.0 米，超过 10,000 米" in problem


def test_county_bounds_as_a_polygon():
    square = rules.CountyBounds(polygon=((23.0, 115.8), (23.0, 116.5), (23.6, 116.5), (23.6, 115.8)))
    assert square.contains(23.3, 116.17) and not square.contains(*SEOUL) and not square.contains(*HANOI)


def test_the_puning_plan_states_its_bounds_and_every_fixture_lies_inside():
    text = (Path(settings.BASE_DIR) / "plans" / "puning-2019.yaml").read_text(encoding="utf-8")
    section = parse_plan(text).data["rules"]["stations"]
    position = rules.StationRules.from_plan(section).position
    assert position.county.centre == (23.30, 116.17) and position.county.radius_m == 50_000
    from cuntong.geo.demo import APPROXIMATE_CENTRES  # every demo township centre, with its villages' spread

    for lat, lng in APPROXIMATE_CENTRES.values():
        assert rules.position_problem(lat - 0.045, lng - 0.05, None, "", position) is None
        assert rules.position_problem(lat + 0.045, lng + 0.05, None, "", position) is None
    data = yaml.safe_load(text)
    data["rules"]["stations"]["position"]["county_bounds"] = {"polygon": [[23.0, 115.8], [23.6, 116.5]]}
    with pytest.raises(PlanInvalid):  # a polygon needs three corners
        parse_plan(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize("place", [SEOUL, HANOI])
def test_import_refuses_rows_abroad(base_data, place):
    office = make_user("office", "office")
    header = ["站点名称", "层级", "服务区域代码", "纬度", "经度"]
    stream = xlsx_upload(header, [["海外点", "村级服务点", f"{HONGYANG}201", *place]])
    report = IMPORTERS["stations"](user=office, programme=programme()).run(stream, "s.xlsx")
    assert not report.committed and not Station.objects.exists()
    assert "不在本县范围内" in report.errors[0].message
    stream = xlsx_upload(["行政村代码", "点位名称", "纬度", "经度"], [[f"{HONGYANG}201", "海外", *place]])
    report = IMPORTERS["station-candidates"](user=office, programme=programme()).run(stream, "c.xlsx")
    assert not report.committed and not CandidateSite.objects.exists()


def test_form_and_api_refuse_seoul(base_data):
    client = login(make_user("office", "office"))
    form = {"name": "首尔点", "level": "village", "area": area(f"{HONGYANG}201").pk, "services": ["express"]}
    response = client.post("/stations/add/", {**form, "latitude": SEOUL[0], "longitude": SEOUL[1]})
    assert response.status_code == 200 and "不在本县范围内" in response.content.decode()
    body = {**form, "latitude": f"{SEOUL[0]:.6f}", "longitude": f"{SEOUL[1]:.6f}"}
    response = client.post("/api/v1/stations/", body, content_type="application/json")
    assert response.status_code == 400 and "不在本县范围内" in response.json()["latitude"][0]
    site = {
        "village": area(f"{HONGYANG}201").pk,
        "name": "河内",
        "latitude": f"{HANOI[0]:.6f}",
        "longitude": "105.854200",
    }
    response = client.post("/api/v1/station-candidates/", site, content_type="application/json")
    assert response.status_code == 400 and "latitude" in response.json()
    assert not Station.objects.exists() and not CandidateSite.objects.exists()


def test_a_village_point_keeps_near_its_recorded_centre(base_data):
    Area.objects.filter(code=f"{HONGYANG}201").update(latitude=Decimal("23.43"), longitude=Decimal("116.275"))
    lat, lng = spatial.offset(23.43, 116.275, 180, 15_000)  # inside the county, 15 km from its village
    station = Station(
        programme=programme(),
        name="远点",
        level=rules.VILLAGE,
        area=area(f"{HONGYANG}201"),
        latitude=Decimal(f"{lat:.6f}"),
        longitude=Decimal(f"{lng:.6f}"),
    )
    with pytest.raises(ValidationError) as refused:
        services.save_station(station, user=services.SYSTEM)
    assert "距测试甲村委会中心" in " ".join(refused.value.messages)
