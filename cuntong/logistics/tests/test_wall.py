"""The shared delivery's figures on the wall dashboard (core.wall): parcels waiting at the stations, handed out this
month, overdue and the average days from arrival to pickup, in the viewer's scope; a hand-over moves them on the
next request although the wall's payload is cached (every parcel step bumps the programme's data version)."""

import pytest

from cuntong.logistics import services
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, NANXI, frozen_clock, login, make_user

from .factories import at_station

VILLAGE = f"{HONGYANG}201"


@pytest.fixture
def point(base_data):
    station = make_station(VILLAGE, name="大屏配送服务点")
    keeper = make_user("keeper-1", "station_operator", HONGYANG)
    station.operator_user = keeper
    station.save(update_fields=["operator_user"])
    return station, keeper


@pytest.fixture
def delivered(point):
    """One parcel left since April (overdue), three delivered on 5 May, one of them handed out on the 7th."""
    station, keeper = point
    with frozen_clock("2020-04-20T10:00"):
        at_station("ZT9001", HONGYANG, VILLAGE)
    codes = {}
    with frozen_clock("2020-05-05T09:00"):
        for waybill in ("ZT9002", "ZT9003", "ZT9004"):
            codes[waybill] = at_station(waybill, HONGYANG, VILLAGE)[1]
    with frozen_clock("2020-05-07T09:00"):
        services.hand_over(station, codes["ZT9002"], user=keeper)
    return station, keeper, codes


def _logistics(data) -> dict:
    return {k.removeprefix("wall-logistics-"): v for k, v in data["text"].items() if k.startswith("wall-logistics-")}


@frozen_clock("2020-05-08T12:00")
def test_the_wall_shows_the_parcels_and_a_hand_over_moves_them(delivered):
    station, keeper, codes = delivered
    office = login(make_user("office-user", "office"))
    data = office.get("/stations/wall/data/").json()
    assert _logistics(data) == {"waiting": "3", "picked-up": "1", "overdue": "1", "days-to-pickup": "2.0"}
    section = next(s for s in data["sections"] if s["name"] == "logistics")
    assert section["title"] == "共同配送" and section["figures"][0]["label"] == "站点待取包裹"
    html = office.get("/stations/wall/").content.decode()
    assert 'id="wall-logistics-waiting">3<' in html and "本月平均到件至取件（天）" in html

    services.hand_over(station, codes["ZT9003"], user=keeper)  # 3.125 days after arrival
    data = office.get("/stations/wall/data/").json()
    assert _logistics(data) == {"waiting": "2", "picked-up": "2", "overdue": "1", "days-to-pickup": "2.6"}


@frozen_clock("2020-06-02T12:00")
def test_handed_out_counts_this_month_only(delivered):
    data = login(make_user("office-user", "office")).get("/stations/wall/data/").json()
    assert _logistics(data) == {"waiting": "3", "picked-up": "0", "overdue": "3", "days-to-pickup": "—"}


@frozen_clock("2020-05-08T12:00")
def test_another_townships_wall_does_not_count_these_parcels(delivered):
    hongyang = login(make_user("hongyang-user", "township", HONGYANG)).get("/stations/wall/data/").json()
    nanxi = login(make_user("nanxi-user", "township", NANXI)).get("/stations/wall/data/").json()
    assert _logistics(hongyang)["waiting"] == "3"
    assert _logistics(nanxi)["waiting"] == "0"


def test_no_section_for_a_scope_that_sees_no_parcels(point):
    _station, keeper = point
    # A station keeper's grant opens its own rows but no totals (programme.kpi.AreaScope).
    data = login(keeper).get("/stations/wall/data/").json()
    assert "logistics" not in {s["name"] for s in data.get("sections", [])}
    assert _logistics(data) == {}
