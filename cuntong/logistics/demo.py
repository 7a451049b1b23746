"""The logistics demo (generated, deterministic, idempotent): outlets of the carriers, fee bands, the postal
administration's monthly volumes for three years (growing about a quarter a year), shared-delivery routes, runs and
parcels through every step up to the demo's day, and price samples with a few jumps for the price watch.

Every row it makes says so: ``is_generated``, ``source = demo`` on volumes, "演示" in names and plates.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from cuntong.audit import bulk as history
from cuntong.core.actors import SYSTEM
from cuntong.core.demo import demo_step
from cuntong.geo.models import Area
from cuntong.stations import rules as station_rules
from cuntong.stations.demo import as_of
from cuntong.stations.models import Station

from . import rules, services
from .models import Carrier, ExpressVolume, FeeBand, Outlet, Parcel, PriceSample, Route, Source, VehicleRun, Zone

# market shares of the county's volume (plan silent; of the order of rural Guangdong's)
SHARES = {
    "ems": 14,
    "sf": 6,
    "zto": 18,
    "yto": 14,
    "sto": 9,
    "yunda": 13,
    "jtexpress": 16,
    "jd": 5,
    "best": 3,
    "deppon": 2,
}
BANDS = ((500, "1.00"), (1000, "1.50"), (3000, "2.50"), (10000, "4.00"))
SEASON = {1: 1.1, 2: 0.7, 3: 0.95, 4: 0.95, 5: 1.0, 6: 1.05, 7: 0.95, 8: 0.95, 9: 1.0, 10: 1.05, 11: 1.4, 12: 1.2}
PRICE_BASE = {"ems": "12", "sf": "15", "zto": "8", "yto": "8", "yunda": "7.5", "jtexpress": "6.5"}
PARCELS = 240
DEMO_ROUTES = 6


@demo_step(70, "快递物流：网点、业务量、共同配送、价格（演示）")
def build_logistics(context):
    programme = context.programme
    if Outlet.objects.filter(programme=programme, is_generated=True).exists():
        return
    rng = context.rng("logistics")
    today = as_of(programme)
    carriers = list(Carrier.objects.all())
    context.progress(0, 4, "outlets, fees")
    outlets = _outlets(programme, carriers)
    history.bulk_create(
        FeeBand,
        [
            FeeBand(programme=programme, carrier=c, max_weight_g=w, fee=Decimal(fee), is_generated=True)
            for c in carriers
            for w, fee in BANDS
        ],
    )
    context.progress(1, 4, "volumes")
    _volumes(programme, carriers, today, rng)
    context.progress(2, 4, "parcels")
    _parcels(programme, outlets, today, rng)
    context.progress(3, 4, "prices")
    _prices(programme, carriers, today, rng)


def _outlets(programme, carriers) -> dict[int, Outlet]:
    county = programme.county
    outlets = {}
    for carrier in carriers:
        outlets[carrier.pk] = Outlet.objects.create(
            programme=programme,
            carrier=carrier,
            name=f"{carrier.short_name}{county.name}营业部（演示）",
            area=county,
            address=f"{county.name}流沙（演示地址）",
            is_generated=True,
        )
    return outlets


def _volumes(programme, carriers, today, rng) -> None:
    townships = list(Area.objects.current().filter(level="township", code__startswith=programme.county.code))
    last = rules.add_months(rules.month_start(today), -1)
    first = datetime.date(last.year - 2, 1, 1)
    rows = []
    for township in townships:
        base = rng.uniform(9000, 50000)
        month = first
        while month <= last:
            years = (month.year - first.year) + (month.month - 1) / 12
            total = base * SEASON[month.month] * (1.25**years) * rng.uniform(0.95, 1.05)
            for carrier in carriers:
                share = SHARES.get(carrier.code, 2) / 100
                inbound = int(total * share * rng.uniform(0.9, 1.1))
                rows.append(
                    ExpressVolume(
                        programme=programme,
                        township=township,
                        carrier=carrier,
                        month=month,
                        inbound=inbound,
                        outbound=int(inbound * rng.uniform(0.25, 0.45)),
                        source=Source.DEMO,
                    )
                )
            month = rules.add_months(month, 1)
    history.bulk_create(ExpressVolume, rows, batch_size=2000)


def _parcels(programme, outlets, today, rng) -> None:
    stations = list(
        Station.objects.filter(programme=programme, status__in=station_rules.IN_OPERATION)
        .select_related("area")
        .order_by("code")
    )
    township_stations = [s for s in stations if s.level == station_rules.TOWNSHIP][:DEMO_ROUTES]
    if not township_stations:
        return
    routes = []
    for number, station in enumerate(township_stations, start=1):
        route = Route.objects.create(
            programme=programme,
            code=f"demo-{number:02d}",
            name=f"县中心—{station.area.name}（演示）",
            township=station.area,
            is_generated=True,
        )
        route.stations.set([s for s in stations if s.area.code.startswith(station.area.code)])
        routes.append(route)
    served = {s.area_id: s for s in stations}
    villages = {
        route.pk: [s.area for s in stations if s.area.code.startswith(route.township.code) and s.area_id in served]
        for route in routes
    }
    noon = datetime.time(12, 0)
    carriers = list(outlets)
    for day_back in range(14, -1, -1):
        day = today - datetime.timedelta(days=day_back)
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))
        for route in routes:
            run = VehicleRun.objects.create(route=route, on=day, vehicle=f"粤V·演示{route.code[-2:]}", departed_at=at)
            count = PARCELS // (15 * len(routes)) + rng.randint(0, 2)
            rows = []
            for n in range(count):
                area = rng.choice(villages[route.pk]) if villages[route.pk] else route.township
                rows.append(
                    services.ManifestRow(
                        waybill=f"DEMO{day:%m%d}{route.code[-2:]}{n:03d}",
                        township_code=route.township.code,
                        village_code=area.code if area.level == "village" else "",
                        weight_g=rng.choice((300, 450, 800, 1200, 2500, 6000)),
                    )
                )
            outlet = outlets[rng.choice(carriers)]
            parcels = services.announce(outlet, rows, user=SYSTEM, source_note="demo")
            Parcel.objects.filter(pk__in=[p.pk for p in parcels]).update(is_generated=True)
            waybills = [p.waybill for p in parcels]
            services.run_step(programme, waybills, "arrive", user=SYSTEM, at=at - datetime.timedelta(hours=2))
            services.run_step(programme, waybills, "sort", user=SYSTEM, at=at - datetime.timedelta(hours=1))
            services.run_step(programme, waybills, "load", user=SYSTEM, run=run, at=at)
            deliver_at = timezone.make_aware(datetime.datetime.combine(day, noon))
            codes = services.run_step(programme, waybills, "deliver", user=SYSTEM, at=deliver_at)
            for waybill, code in codes.items():
                parcel = Parcel.objects.select_related("station").get(programme=programme, waybill=waybill)
                wait = rng.choice((0, 1, 1, 2, 3, 5, 9))
                picked = deliver_at + datetime.timedelta(days=wait, hours=rng.randint(1, 6))
                if picked.date() <= today and wait < 9:
                    services.hand_over(parcel.station, code, user=SYSTEM, at=picked)
    services.return_overdue(programme, user=SYSTEM, today=today)


def _prices(programme, carriers, today, rng) -> None:
    rows = []
    first = rules.add_months(rules.month_start(today), -23)
    for carrier in carriers:
        if carrier.code not in PRICE_BASE:
            continue
        for zone, factor in ((Zone.PROVINCE, Decimal("1")), (Zone.FAR, Decimal("1.6"))):
            price = Decimal(PRICE_BASE[carrier.code]) * factor
            month = first
            for number in range(24):
                drift = Decimal(str(round(rng.uniform(-0.03, 0.03), 3)))
                if rng.random() < 0.04:  # a rare jump the watch should flag
                    drift = Decimal(str(round(rng.choice((-0.2, 0.25)), 2)))
                price = (price * (1 + drift)).quantize(Decimal("0.01"))
                rows.append(
                    PriceSample(
                        programme=programme,
                        carrier=carrier,
                        weight_kg=Decimal("1.0"),
                        zone=zone,
                        price=price,
                        on=month.replace(day=15),
                        source="网点牌价（演示）",
                        is_generated=True,
                    )
                )
                month = rules.add_months(first, number + 1)
    history.bulk_create(PriceSample, rows, batch_size=1000)
