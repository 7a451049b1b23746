"""Stations and reports for tests, placed around the test villages of ``web.testing.load_base_data``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from cuntong.stations import rules, services, spatial
from cuntong.stations.models import MonthlyReport, Station
from cuntong.web.testing import HONGYANG, NANXI, area, programme

# Far enough apart that the spacing rule never interferes unless a test wants it to.
CENTRES = {HONGYANG: (23.43, 116.275), NANXI: (23.455, 116.43)}
VILLAGE_OFFSETS_M = {"201": (0, 0), "202": (90, 4000)}


def position(area_code: str) -> tuple[float, float]:
    lat, lng = CENTRES.get(area_code[:9], (23.3, 116.17))
    if len(area_code) == 12:
        azimuth, distance = VILLAGE_OFFSETS_M.get(area_code[-3:], (180, 8000))
        lat, lng = spatial.offset(lat, lng, azimuth, distance)
    return lat, lng


def make_station(
    area_code: str,
    *,
    status: str = rules.OPERATING,
    name: str | None = None,
    at: tuple[float, float] | None = None,
    opened_on: datetime.date = datetime.date(2020, 1, 15),
    **fields,
) -> Station:
    """A station serving ``area_code`` (township → township station, village → point), stepped to ``status``."""
    served = area(area_code)
    lat, lng = at or position(area_code)
    level = rules.TOWNSHIP if len(area_code) == 9 else rules.VILLAGE
    station = services.save_station(
        Station(
            programme=programme(),
            name=name or f"{served.name}{'服务站' if level == rules.TOWNSHIP else '服务点'}",
            level=level,
            area=served,
            latitude=Decimal(f"{lat:.6f}"),
            longitude=Decimal(f"{lng:.6f}"),
            services=fields.pop("services", ["express", "finance"]),
            **fields,
        ),
        user=services.SYSTEM,
    )
    path = {
        rules.PROPOSED: [],
        rules.APPROVED: [rules.APPROVED],
        rules.BUILT: [rules.APPROVED, rules.BUILT],
        rules.OPERATING: [rules.APPROVED, rules.BUILT, rules.OPERATING],
        rules.PROBATION: [rules.APPROVED, rules.BUILT, rules.OPERATING, rules.PROBATION],
        rules.ELIMINATED: [rules.APPROVED, rules.BUILT, rules.OPERATING, rules.ELIMINATED],
        rules.REJECTED: [rules.REJECTED],
    }[status]
    for step in path:
        day = opened_on if step == rules.OPERATING else opened_on - datetime.timedelta(days=30)
        if step in (rules.PROBATION, rules.ELIMINATED):
            day = opened_on + datetime.timedelta(days=200)
        services.transition(station, step, user=services.SYSTEM, on=day, reason="测试")
    station.refresh_from_db()
    return station


FIGURES = {
    "parcels_in": 1000,
    "parcels_out": 400,
    "agri_sales": Decimal("20000.00"),
    "purchases_for_villagers": Decimal("8000.00"),
    "financial_count": 50,
    "financial_amount": Decimal("30000.00"),
    "live_sessions": 4,
    "live_sales": Decimal("6000.00"),
    "visitors": 600,
}


def make_report(station: Station, month: datetime.date, *, on_time: bool = True, **figures) -> MonthlyReport:
    due = rules.due_date(month, 10)
    submitted = due - datetime.timedelta(days=3) if on_time else due + datetime.timedelta(days=5)
    return MonthlyReport.objects.create(
        station=station,
        month=month,
        due_on=due,
        submitted_at=timezone.make_aware(datetime.datetime.combine(submitted, datetime.time(10))),
        **{**FIGURES, **figures},
    )


def make_benchmark_station(area_code: str, **fields) -> Station:
    """A station in operation meeting every benchmark criterion of the plan today (whatever today is): the required
    and enough services, the floor area, and strong reports on time for the last closed months."""
    plan_rules = services.station_rules(programme())
    criteria = plan_rules.benchmark
    offered = list(dict.fromkeys([*criteria.required_services, *rules.SERVICES]))[: max(criteria.min_services, 4)]
    station = make_station(area_code, services=offered, **fields)
    Station.objects.filter(pk=station.pk).update(floor_area_m2=max(criteria.min_floor_area_m2.values()))
    last = rules.last_closed_month(timezone.localdate(), plan_rules.report_due_day)
    for back in range(criteria.months):
        make_report(station, rules.add_months(last, -back))
    station.refresh_from_db()
    return station


LIUSHA_EAST = "445281001"  # 流沙东街道: no test villages


def make_hand_counted_network() -> None:
    """The coverage tests' network, counted by hand (see stations/tests/test_coverage.py): township stations in 洪阳
    (operating), 南溪 (probation) and 流沙东 (built); village points 甲 operating and a benchmark, 乙 on probation,
    丙 proposed though flagged a benchmark, 丁 eliminated."""
    make_station(HONGYANG)
    make_station(NANXI, status=rules.PROBATION)
    make_station(LIUSHA_EAST, status=rules.BUILT)
    make_benchmark_station(f"{HONGYANG}201")
    make_station(f"{HONGYANG}202", status=rules.PROBATION)
    make_station(f"{NANXI}201", status=rules.PROPOSED, is_benchmark=True)
    make_station(f"{NANXI}202", status=rules.ELIMINATED)
