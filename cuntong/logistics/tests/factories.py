"""Logistics records for tests: outlets with a carrier organisation, volumes, parcels walked to a station."""

from __future__ import annotations

import datetime

from cuntong.accounts.models import Organisation
from cuntong.core.actors import SYSTEM
from cuntong.logistics import services
from cuntong.logistics.models import Carrier, Outlet, Parcel
from cuntong.web.testing import PUNING, area, make_user, programme


def carrier(code: str = "zto") -> Carrier:
    return Carrier.objects.get(code=code)


def outlet(code: str = "zto", *, with_organisation: bool = True) -> Outlet:
    found = Outlet.objects.filter(carrier__code=code, programme=programme()).first()
    if found:
        return found
    organisation = None
    if with_organisation:
        organisation = Organisation.objects.create(
            name=f"{carrier(code).short_name}普宁分公司", kind="enterprise", area=area(PUNING), programme=programme()
        )
    return Outlet.objects.create(
        programme=programme(),
        carrier=carrier(code),
        name=f"{carrier(code).short_name}普宁网点",
        area=area(PUNING),
        organisation=organisation,
    )


def carrier_user(username: str, code: str = "zto"):
    """A carrier's account: an own-records membership (contractor) with the carrier's organisation."""
    return make_user(username, "contractor", organisation=outlet(code).organisation)


def volume(township: str, code: str, month: datetime.date, inbound: int, outbound: int = 0):
    return services.save_volume(programme(), area(township), carrier(code), month, inbound, outbound, user=SYSTEM)


def parcel(waybill: str, township: str, village: str = "", *, code: str = "zto", weight_g: int = 800) -> Parcel:
    rows = [services.ManifestRow(waybill, township, village, weight_g, "13800001234")]
    return services.announce(outlet(code), rows, user=SYSTEM)[0]


def at_station(waybill: str, township: str, village: str = "", *, code: str = "zto") -> tuple[Parcel, str]:
    """A parcel announced, scanned in, sorted, delivered to its station: (parcel, its pickup code)."""
    made = parcel(waybill, township, village, code=code)
    for step in ("arrive", "sort"):
        services.run_step(programme(), [waybill], step, user=SYSTEM)
    codes = services.run_step(programme(), [waybill], "deliver", user=SYSTEM)
    made.refresh_from_db()
    return made, codes[waybill]
