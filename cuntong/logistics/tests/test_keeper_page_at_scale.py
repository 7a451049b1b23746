"""The keeper's pickup page costs the same queries with 10,000 parcels in the county as with a handful: it reads its
own station's waiting parcels, never the county's (issue 17's pin)."""

import datetime

from cuntong.logistics import rules
from cuntong.logistics.models import Parcel
from cuntong.logistics.tests.factories import at_station, carrier, outlet
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, NANXI, area, frozen_clock, login, make_user, programme

KEEPER_PAGE_QUERIES = 6


def _county_parcels(count: int, station) -> None:
    """``count`` parcels waiting at another township's station (bulk: the county's traffic, not the keeper's)."""
    zto, township = outlet("zto"), area(NANXI)
    arrived = datetime.datetime(2026, 11, 30, 9, tzinfo=datetime.UTC)
    Parcel.objects.bulk_create(
        Parcel(
            programme=programme(),
            carrier=carrier("zto"),
            outlet=zto,
            waybill=f"SCALE{n:06d}",
            township=township,
            station=station,
            status=rules.AT_STATION,
            arrived_at=arrived,
            delivered_at=arrived,
            held_until=datetime.date(2026, 12, 7),
            is_generated=True,
        )
        for n in range(count)
    )


@frozen_clock("2026-12-01")
def test_the_keepers_page_does_not_grow_with_the_county(base_data, django_assert_max_num_queries):
    keeper = make_user("keeper-scale", "station_operator", HONGYANG)
    make_station(f"{HONGYANG}201", operator_user=keeper)
    other = make_station(f"{NANXI}201")
    for n in range(3):
        at_station(f"OWN{n:03d}", HONGYANG, f"{HONGYANG}201")
    client = login(keeper)
    client.get("/logistics/keeper/")
    with django_assert_max_num_queries(KEEPER_PAGE_QUERIES) as few:
        html = client.get("/logistics/keeper/").content.decode()
    assert html.count('data-waybill="OWN') == 3

    _county_parcels(10_000, other)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/logistics/keeper/").content.decode()
    assert html.count('data-waybill="OWN') == 3 and "SCALE" not in html
