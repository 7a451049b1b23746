"""The services are the one gate (issue 9.2): every change names its actor, None is refused, the system acts only
when code says so, and a station's particulars, scope and moves are checked by the service itself."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cuntong.core.importer import IMPORTERS
from cuntong.stations import rules, services, spatial
from cuntong.stations.models import Station, StationEvent
from cuntong.stations.rules import Figures
from cuntong.web.testing import HONGYANG, NANXI, area, make_user, programme, xlsx_upload

from .factories import make_station, position


def _new(code: str, **fields) -> Station:
    lat, lng = position(code)
    return Station(
        programme=programme(),
        name=fields.pop("name", "新点"),
        level=rules.VILLAGE if len(code) == 12 else rules.TOWNSHIP,
        area=area(code),
        latitude=Decimal(f"{lat:.6f}"),
        longitude=Decimal(f"{lng:.6f}"),
        **fields,
    )


def test_no_actor_is_refused_by_every_service(base_data):
    station = make_station(f"{HONGYANG}201")
    with pytest.raises(PermissionDenied):
        services.save_station(_new(f"{HONGYANG}202"), user=None)
    with pytest.raises(PermissionDenied):
        services.transition(station, rules.PROBATION, user=None, reason="无人")
    with pytest.raises(PermissionDenied):
        services.save_report(station, datetime.date(2020, 5, 1), Figures(parcels_in=1), user=None)
    with pytest.raises(PermissionDenied):
        services.review_activity(programme(), user=None)
    with pytest.raises(PermissionDenied):
        services.refresh_benchmarks(programme(), user=None)
    with pytest.raises(TypeError):  # the actor is never implied
        services.save_station(_new(f"{HONGYANG}202"))
    assert Station.objects.count() == 1 and station.events.count() == 4


def test_system_actor_acts_and_is_recorded_as_nobody(base_data):
    station = services.save_station(_new(f"{HONGYANG}202"), user=services.SYSTEM)
    assert station.events.get().by is None


def test_save_station_checks_scope_before_and_after(base_data):
    hongyang = make_user("hongyang", "township", HONGYANG)
    with pytest.raises(PermissionDenied):
        services.save_station(_new(f"{NANXI}201"), user=hongyang)
    assert not Station.objects.exists()
    nanxi_point = make_station(f"{NANXI}201", status=rules.PROPOSED)
    nanxi_point.name = "改名"
    with pytest.raises(PermissionDenied):
        services.save_station(nanxi_point, user=hongyang)
    assert Station.objects.get(pk=nanxi_point.pk).name != "改名"
    own = services.save_station(_new(f"{HONGYANG}201"), user=hongyang)
    own.area = area(f"{NANXI}202")  # moving it out of the township is refused too
    with pytest.raises(PermissionDenied):
        services.save_station(own, user=hongyang)
    assert Station.objects.get(pk=own.pk).area.code == f"{HONGYANG}201"


def test_a_new_station_is_a_proposal_whatever_the_caller_set(base_data):
    office = make_user("office", "office")
    station = _new(f"{HONGYANG}201", status=rules.OPERATING, opened_on=datetime.date(2019, 1, 1))
    station = services.save_station(station, user=office)
    station.refresh_from_db()
    assert station.status == rules.PROPOSED and station.opened_on is None
    assert list(station.events.values_list("to_status", flat=True)) == [rules.PROPOSED]


def test_moves_are_checked_by_the_service_not_the_model(base_data):
    office = make_user("office", "office")
    first = make_station(f"{HONGYANG}201")
    moving = make_station(f"{HONGYANG}202", status=rules.APPROVED)
    near = spatial.offset(float(first.latitude), float(first.longitude), 0, 900)
    moving.latitude, moving.longitude = Decimal(f"{near[0]:.6f}"), Decimal(f"{near[1]:.6f}")
    moving.clean()  # the model never calls services: it has no opinion about the network
    with pytest.raises(ValidationError) as refused:
        services.save_station(moving, user=office)
    assert "须超过 2,000 米" in " ".join(refused.value.messages)
    assert Station.objects.get(pk=moving.pk).latitude != moving.latitude


def test_every_importer_needs_an_actor(base_data):
    for name, importer in IMPORTERS.items():
        with pytest.raises(PermissionDenied):
            importer(programme=programme())  # no user: refused, whatever the channel
        assert importer(user=services.SYSTEM, programme=programme()).user is services.SYSTEM, name


def test_import_spacing_is_checked_by_the_approval_under_the_lock(base_data):
    """An imported network station is approved through ``transition`` (inside the programme lock) — the file's
    earlier rows hold their place, so a second point too close is refused there, with the reason."""
    office = make_user("office", "office")
    lat, lng = position(f"{HONGYANG}201")
    near = spatial.offset(lat, lng, 90, 1500)
    header = ["站点名称", "层级", "服务区域代码", "纬度", "经度", "状态"]
    rows = [
        ["甲点", "村级服务点", f"{HONGYANG}201", lat, lng, "已批准"],
        ["乙点", "村级服务点", f"{HONGYANG}202", near[0], near[1], "已批准"],
    ]
    report = IMPORTERS["stations"](user=office, programme=programme()).run(xlsx_upload(header, rows), "s.xlsx")
    assert not report.committed and not Station.objects.exists()
    [error] = report.errors
    assert error.row == 3 and "须超过 2,000 米" in error.message
    assert not StationEvent.objects.exists()
