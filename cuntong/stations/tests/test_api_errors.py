"""Errors as errors (issues 9.7 and 10.4): a refused change through the API is a 400 with field messages, never a
500 — a move into a rule violation, a station code or candidate name already used."""

from cuntong.stations import rules, services, spatial
from cuntong.stations.models import CandidateSite, Station
from cuntong.web.testing import HONGYANG, area, login, make_user, programme

from .factories import make_station


def test_patch_moving_an_approved_station_into_a_violation_is_400(base_data):
    office = login(make_user("office", "office"))
    first = make_station(f"{HONGYANG}201")
    moving = make_station(f"{HONGYANG}202", status=rules.APPROVED)
    lat, lng = spatial.offset(float(first.latitude), float(first.longitude), 0, 900)
    response = office.patch(
        f"/api/v1/stations/{moving.pk}/",
        {"latitude": f"{lat:.6f}", "longitude": f"{lng:.6f}"},
        content_type="application/json",
    )
    assert response.status_code == 400
    [message] = response.json()["non_field_errors"]
    assert "须超过 2,000 米" in message
    assert Station.objects.get(pk=moving.pk).latitude == moving.latitude


def test_put_with_a_code_already_used_is_400(base_data):
    office = login(make_user("office", "office"))
    first = make_station(f"{HONGYANG}201")
    second = make_station(f"{HONGYANG}202", status=rules.PROPOSED)
    body = office.get(f"/api/v1/stations/{second.pk}/").json()
    body.update(code=first.code, area=second.area_id, operator_user=None, organisation=None, replaces=None)
    for key in ("operator_phone", "id", "programme", "status", "area_code"):
        body.pop(key)
    response = office.put(f"/api/v1/stations/{second.pk}/", body, content_type="application/json")
    assert response.status_code == 400 and "code" in response.json(), response.content


def test_post_a_candidate_name_already_used_is_400(base_data):
    office = login(make_user("office", "office"))
    body = {"village": area(f"{HONGYANG}201").pk, "name": "村委会", "latitude": "23.430000", "longitude": "116.275000"}
    assert office.post("/api/v1/station-candidates/", body, content_type="application/json").status_code == 201
    response = office.post("/api/v1/station-candidates/", body, content_type="application/json")
    assert response.status_code == 400 and "name" in response.json()
    assert CandidateSite.objects.filter(programme=programme()).count() == 1


def test_a_value_breaking_a_database_constraint_is_400_naming_the_field(base_data):
    office = login(make_user("office", "office"))
    station = make_station(f"{HONGYANG}201", status=rules.PROPOSED)
    response = office.patch(f"/api/v1/stations/{station.pk}/", {"floor_area_m2": "-1"}, content_type="application/json")
    assert response.status_code == 400 and "floor_area_m2" in response.json(), response.content
    # and the service refuses it whatever the caller (a form, an import), before the database would
    station.floor_area_m2 = -1
    assert "floor_area_m2" in services.station_errors(station)
