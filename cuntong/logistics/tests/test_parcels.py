"""Shared delivery: the steps and their events, the keeper's hand-over with the pickup code (single use, also when
two hand-overs race), returns after the holding period, and the carrier's token, which reads and writes its own
parcels only."""

import datetime

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cuntong.accounts.api_auth import issue_token
from cuntong.core.actors import SYSTEM
from cuntong.funds.tests.factories import race
from cuntong.logistics import pickup, rules, services
from cuntong.logistics.models import FeeBand, Parcel, ParcelEvent
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, NANXI, frozen_clock, load_base_data, login, make_user, programme

from .factories import at_station, carrier, carrier_user, outlet, parcel

VILLAGE = f"{HONGYANG}201"


def keeper_of(station, username="keeper-1"):
    user = make_user(username, "station_operator", HONGYANG)
    station.operator_user = user
    station.save(update_fields=["operator_user"])
    return user


@pytest.fixture
def point(base_data):
    return make_station(VILLAGE, name="交付测试服务点")


def token_client(user) -> APIClient:
    _token, key = issue_token(user, "carrier")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_steps_are_recorded_with_time_and_who_and_the_fee_from_the_schedule(point):
    FeeBand.objects.create(programme=programme(), carrier=carrier("zto"), max_weight_g=1000, fee="1.50")
    hub = make_user("hub-1", "office")
    made = parcel("ZT0001", HONGYANG, VILLAGE)
    services.run_step(programme(), ["ZT0001"], "arrive", user=hub)
    services.run_step(programme(), ["ZT0001"], "sort", user=hub)
    codes = services.run_step(programme(), ["ZT0001"], "deliver", user=hub)
    made.refresh_from_db()
    assert made.status == rules.AT_STATION and made.station == point and str(made.fee) == "1.50"
    assert made.pickup_code_hash and codes["ZT0001"] not in made.pickup_code_hash
    events = list(made.events.order_by("pk").values_list("step", "status", "by__username"))
    assert events == [
        ("manifest", "announced", None),
        ("arrive", "arrived", "hub-1"),
        ("sort", "sorted", "hub-1"),
        ("deliver", "at_station", "hub-1"),
    ]


def test_a_step_out_of_order_refuses_the_whole_batch(point):
    parcel("ZT0002", HONGYANG, VILLAGE)
    parcel("ZT0003", HONGYANG, VILLAGE)
    services.run_step(programme(), ["ZT0002"], "arrive", user=SYSTEM)
    with pytest.raises(services.StepFailed) as refused:
        services.run_step(programme(), ["ZT0002", "ZT0003"], "sort", user=SYSTEM)
    assert set(refused.value.errors) == {"ZT0003"}
    assert Parcel.objects.get(waybill="ZT0002").status == rules.ARRIVED  # nothing written
    assert not ParcelEvent.objects.filter(step="sort").exists()


def test_the_keeper_hands_over_once_with_the_code(point):
    keeper = keeper_of(point)
    made, code = at_station("ZT0004", HONGYANG, VILLAGE)
    client = login(keeper)
    page = client.get("/logistics/keeper/")
    assert "ZT0004" in page.content.decode()
    wrong = client.post("/logistics/keeper/", {"station": point.pk, "code": "ABCDEFGH"})
    assert "取件码无效或已使用" in wrong.content.decode()
    done = client.post("/logistics/keeper/", {"station": point.pk, "code": pickup.display(code).lower()})
    assert done.status_code == 302
    made.refresh_from_db()
    assert made.status == rules.PICKED_UP and made.pickup_code_hash == ""
    again = client.post("/logistics/keeper/", {"station": point.pk, "code": code})
    assert "取件码无效或已使用" in again.content.decode()
    with pytest.raises(services.HandOverRefused):
        services.hand_over(point, code, user=keeper)
    assert made.events.filter(step="hand_over").count() == 1


def test_another_stations_keeper_cannot_hand_over(point):
    _made, code = at_station("ZT0005", HONGYANG, VILLAGE)
    other = make_station(f"{HONGYANG}202", name="别的服务点")
    stranger = keeper_of(other, "keeper-2")
    with pytest.raises(services.HandOverRefused):
        services.hand_over(other, code, user=stranger)  # the code is bound to its station
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.hand_over(point, code, user=stranger)
    assert Parcel.objects.get(waybill="ZT0005").status == rules.AT_STATION


def test_overdue_parcels_go_back(point):
    keeper_of(point)
    with frozen_clock("2020-05-01"):
        at_station("ZT0006", HONGYANG, VILLAGE)
    with frozen_clock("2020-05-08"):
        assert services.return_overdue(programme(), user=SYSTEM) == 0
    with frozen_clock("2020-05-09"):
        assert services.return_overdue(programme(), user=SYSTEM) == 1
    assert Parcel.objects.get(waybill="ZT0006").status == rules.RETURNED


def test_a_carrier_token_reads_and_writes_only_its_own_parcels(point):
    mine = carrier_user("zto-api", "zto")
    carrier_user("yto-api", "yto")
    theirs = parcel("YT0001", HONGYANG, code="yto")
    own = parcel("ZT0100", HONGYANG, code="zto")
    client = token_client(mine)
    listed = client.get("/api/v1/logistics/parcels/", {"limit": 100}).json()["results"]
    assert [row["waybill"] for row in listed] == ["ZT0100"]
    assert client.get(f"/api/v1/logistics/parcels/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/logistics/parcels/{own.pk}/").json()["recipient_phone"] == "138****1234"
    # a manifest for its own outlet is accepted; for another carrier's outlet refused, nothing written
    manifest = {"outlet": outlet("zto").pk, "parcels": [{"waybill": "ZT0101", "township_code": NANXI}]}
    assert client.post("/api/v1/logistics/parcels/manifest/", manifest, format="json").status_code == 201
    foreign = {"outlet": outlet("yto").pk, "parcels": [{"waybill": "YT0101", "township_code": NANXI}]}
    assert client.post("/api/v1/logistics/parcels/manifest/", foreign, format="json").status_code == 400
    assert not Parcel.objects.filter(waybill="YT0101").exists()
    # status events: on its own parcel yes, on another's no (not even by waybill)
    assert client.post("/api/v1/logistics/parcel-events/", {"parcel": own.pk, "note": "已发出"}).status_code == 201
    assert client.post("/api/v1/logistics/parcel-events/", {"parcel": theirs.pk, "note": "x"}).status_code == 400
    assert client.post("/api/v1/logistics/parcel-events/", {"waybill": "YT0001", "note": "x"}).status_code == 400
    assert not theirs.events.filter(step="carrier").exists()
    batch = {"events": [{"waybill": "ZT0100", "note": "派送中"}, {"waybill": "YT0001", "note": "x"}]}
    assert client.post("/api/v1/logistics/parcel-events/batch/", batch, format="json").status_code == 400
    assert not theirs.events.filter(step="carrier").exists() and own.events.filter(step="carrier").count() == 1
    batch = {"events": [{"waybill": "ZT0100", "note": "派送中"}, {"waybill": "ZT0101", "note": "派送中"}]}
    assert client.post("/api/v1/logistics/parcel-events/batch/", batch, format="json").json() == {"created": 2}
    events = client.get("/api/v1/logistics/parcel-events/", {"limit": 100}).json()["results"]
    assert {row["parcel"] for row in events} == {own.pk, Parcel.objects.get(waybill="ZT0101").pk}
    # and nothing else of the programme
    assert client.get("/api/v1/logistics/volumes/").status_code == 403
    assert client.get("/api/v1/stations/").status_code == 403


def test_the_carrier_sees_the_hand_over_through_its_token(point):
    keeper = keeper_of(point)
    client = token_client(carrier_user("zto-api-2", "zto"))
    made, code = at_station("ZT0200", HONGYANG, VILLAGE)
    services.hand_over(point, code, user=keeper)
    row = client.get(f"/api/v1/logistics/parcels/{made.pk}/").json()
    assert row["status"] == "picked_up" and row["picked_up_at"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_hand_overs_of_one_code_only_one_wins():
    load_base_data()
    station = make_station(VILLAGE, name="并发服务点")
    keeper = keeper_of(station, "keeper-race")
    made, code = at_station("ZT0300", HONGYANG, VILLAGE)
    outcomes = []

    def hand(_n):
        try:
            services.hand_over(station, code, user=keeper)
            outcomes.append("handed")
        except services.HandOverRefused:
            outcomes.append("refused")

    race(range(6), hand)
    assert sorted(outcomes) == ["handed"] + ["refused"] * 5
    assert ParcelEvent.objects.filter(parcel=made, step="hand_over").count() == 1
    assert connection.vendor == "postgresql"


def test_the_hub_page_issues_codes_once(point):
    parcel("ZT0400", HONGYANG, VILLAGE)
    client = login(make_user("hub-2", "office"))
    for step in ("arrive", "sort"):
        assert client.post("/logistics/hub/", {"step": step, "waybills": "ZT0400"}).status_code == 302
    page = client.post("/logistics/hub/", {"step": "deliver", "waybills": "ZT0400\n"})
    assert 'id="pickup-codes"' in page.content.decode()
    assert datetime.date.today  # the code itself is not stored: only its hash
    assert Parcel.objects.get(waybill="ZT0400").pickup_code_hash not in page.content.decode()
