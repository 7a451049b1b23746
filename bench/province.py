"""A province's worth of generated programmes: Guangdong's real county and township list, generated villages,
stations and monthly reports, for benchmarks and tests at province scale.

``build_province(counties=124, villages_per_township=3, stations_per_township=2, report_months=0, seed=…)`` reads
``data/guangdong-townships.csv`` (1,757 township-level units of the 124 county-level units; the same file
``cuntong import areas`` reads), creates the province, cities, counties and townships not already present, and for
each of the first ``counties`` counties a programme with generated villages, stations and, if asked, that many
months of reports. Everything generated is marked: villages and stations carry ``is_generated`` (shown as 演示生成,
as the demo's are), and generated names end in ``（生成）``. The random seed is fixed, so two builds are identical.

Rows go in with ``bulk_create`` in a few statements per table (no change history: generated benchmark data, as in
``bench_funds``), so 124 programmes with small counties build in seconds. Run it again and it adds nothing for the
programmes that exist. Returns a :class:`Province` summary (counts and the programme codes).

    from bench.province import build_province
    summary = build_province(counties=124, villages_per_township=2, stations_per_township=1, report_months=3)
"""

from __future__ import annotations

import csv
import datetime
import functools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

TOWNSHIPS_FILE = Path(__file__).resolve().parents[1] / "data" / "guangdong-townships.csv"
SEED = 20260124
GENERATED = "（生成）"
CODE_PREFIX = "gd-"
FIRST_MONTH = datetime.date(2020, 1, 1)
# Guangdong's extent (WGS-84), for generated positions.
LATITUDES, LONGITUDES = (20.3, 25.4), (109.8, 117.2)
NAME_HEADS = "东西南北新老大小上下前后中高埔坑寨湖塘山溪田洋美和安乐兴"
NAME_TAILS = "寮厝围坑埔寨洋头尾田山溪湖塘林坪光丰美联"


@dataclass
class Province:
    """What one build produced (counts include what already existed of the programmes' records)."""

    programmes: list[str] = field(default_factory=list)
    counties: int = 0
    townships: int = 0
    villages: int = 0
    stations: int = 0
    reports: int = 0
    province_code: str = "44"

    def __str__(self) -> str:
        return (
            f"{len(self.programmes)} programmes, {self.townships} townships, {self.villages} villages, "
            f"{self.stations} stations, {self.reports} monthly reports"
        )


def read_townships(path: Path = TOWNSHIPS_FILE) -> dict[str, list[dict]]:
    """The file's rows by county code, counties in file order (cities' districts first, as NBS lists them)."""
    by_county: dict[str, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            by_county[row["county_code"]].append(row)
    return dict(by_county)


def _add_month(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@functools.cache
def _pinyin(name: str) -> tuple[str, str]:
    from cuntong.geo import rules

    return rules.pinyin_of(name)  # generated village names repeat across townships: each is spelled once


def _area(code: str, name: str, parent, *, generated: bool = False, kind: str | None = None, position=None):
    from cuntong.geo import rules
    from cuntong.geo.models import Area

    pinyin, initials = _pinyin(name)
    latitude, longitude = position or (None, None)
    return Area(
        code=code,
        name=name,
        level=rules.level_of(code),
        kind=kind or rules.kind_of(code, name),
        parent=parent,
        pinyin=pinyin,
        pinyin_initials=initials,
        is_generated=generated,
        latitude=latitude,
        longitude=longitude,
    )


def _ensure_areas(rows_by_county: dict[str, list[dict]], chosen: list[str]):
    """Province, cities, the chosen counties and their townships, created where missing; returns areas by code."""
    from cuntong.geo.models import Area

    wanted: dict[str, tuple[str, str | None]] = {}  # code → (name, parent code), parents before children
    for county in chosen:
        for row in rows_by_county[county]:
            wanted.setdefault(row["province_code"], (row["province_name"], None))
            wanted.setdefault(row["city_code"], (row["city_name"], row["province_code"]))
            wanted.setdefault(row["county_code"], (row["county_name"], row["city_code"]))
            wanted.setdefault(row["code"], (row["name"], row["county_code"]))
    known = {area.code: area for area in Area.objects.current().filter(code__in=wanted)}
    for length in (2, 4, 6, 9):
        new = [
            _area(code, name, known[parent] if parent else None)
            for code, (name, parent) in wanted.items()
            if len(code) == length and code not in known
        ]
        for area in Area.objects.bulk_create(new, batch_size=1000):
            known[area.code] = area
    return known


def build_province(
    counties: int = 124,
    villages_per_township: int = 3,
    stations_per_township: int = 2,
    report_months: int = 0,
    seed: int = SEED,
    *,
    path: Path = TOWNSHIPS_FILE,
) -> Province:
    """Build (or complete) ``counties`` generated programmes of Guangdong; see the module's docstring."""
    from django.db import transaction

    from cuntong.geo.models import Area
    from cuntong.programme.models import Programme
    from cuntong.stations import rules as station_rules
    from cuntong.stations.models import MonthlyReport, Station

    if stations_per_township > villages_per_township + 1:
        raise ValueError("a township has one township station and at most one village point per village")
    rows_by_county = read_townships(path)
    chosen = list(rows_by_county)[:counties]
    rng = random.Random(seed)
    summary = Province()
    with transaction.atomic():
        areas = _ensure_areas(rows_by_county, chosen)
        existing = set(
            Programme.objects.filter(code__in=[CODE_PREFIX + c for c in chosen]).values_list("code", flat=True)
        )
        new_programmes = [
            Programme(
                code=CODE_PREFIX + county,
                name=f"{areas[county].name}电子商务进农村综合示范项目{GENERATED}",
                short_name=f"{areas[county].name}{GENERATED}",
                county=areas[county],
                batch_year=2020,
                start_date=datetime.date(2020, 1, 1),
                end_date=datetime.date(2022, 12, 31),
            )
            for county in chosen
            if CODE_PREFIX + county not in existing
        ]
        Programme.objects.bulk_create(new_programmes, batch_size=500)
        programmes = {p.county_id: p for p in Programme.objects.filter(code__in=[CODE_PREFIX + c for c in chosen])}
        fresh = {p.code for p in new_programmes}

        # Villages: generated under each township of a new programme (a township that already has villages keeps them).
        townships = [areas[row["code"]] for county in chosen for row in rows_by_county[county]]
        has_villages = set(
            Area.objects.filter(parent__in=townships, level="village").values_list("parent_id", flat=True).distinct()
        )
        positions: dict[str, tuple[Decimal, Decimal]] = {}
        villages = []
        for township in townships:
            county = areas[township.code[:6]]
            if CODE_PREFIX + county.code not in fresh or township.pk in has_villages:
                continue
            lat0, lng0 = rng.uniform(*LATITUDES), rng.uniform(*LONGITUDES)
            positions[township.code] = (Decimal(f"{lat0:.6f}"), Decimal(f"{lng0:.6f}"))
            used: set[str] = set()
            for number in range(villages_per_township):
                while (name := rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS)) in used:
                    pass
                used.add(name)
                place = (
                    Decimal(f"{lat0 + rng.uniform(-0.04, 0.04):.6f}"),
                    Decimal(f"{lng0 + rng.uniform(-0.04, 0.04):.6f}"),
                )
                code = f"{township.code}{201 + number:03d}"
                positions[code] = place
                villages.append(
                    _area(code, f"{name}村委会{GENERATED}", township, generated=True, kind="village", position=place)
                )
        Area.objects.bulk_create(villages, batch_size=2000)
        village_rows = defaultdict(list)
        for village in villages:
            village_rows[village.parent_id].append(village)

        # Stations: one township station, then village points, per township of a new programme.
        stations = []
        for township in townships:
            if township.code not in positions:
                continue
            programme = programmes[areas[township.code[:6]].pk]
            served = [township, *village_rows[township.pk]][:stations_per_township]
            for number, area in enumerate(served, start=1):
                level = station_rules.TOWNSHIP if area is township else station_rules.VILLAGE
                lat, lng = positions[area.code]
                base = area.name.removesuffix(GENERATED)
                suffix = "电子商务服务站" if level == station_rules.TOWNSHIP else "电商服务点"
                stations.append(
                    Station(
                        programme=programme,
                        code=f"{township.code}-{number:02d}",
                        name=f"{base}{suffix}{GENERATED}",
                        level=level,
                        area=area,
                        latitude=lat,
                        longitude=lng,
                        services=list(station_rules.SERVICES[: 1 + rng.randrange(len(station_rules.SERVICES))]),
                        status=station_rules.OPERATING,
                        opened_on=FIRST_MONTH,
                        status_changed_on=FIRST_MONTH,
                        is_generated=True,
                    )
                )
        Station.objects.bulk_create(stations, batch_size=2000)

        reports = []
        for station in stations:
            for offset in range(report_months):
                month = _add_month(FIRST_MONTH, offset)
                reports.append(
                    MonthlyReport(
                        station=station,
                        month=month,
                        parcels_in=rng.randrange(50, 3000),
                        parcels_out=rng.randrange(10, 800),
                        agri_sales=Decimal(rng.randrange(0, 5_000_000)) / 100,
                        visitors=rng.randrange(0, 600),
                        due_on=_add_month(month, 1) + datetime.timedelta(days=9),
                        submitted_at=datetime.datetime.combine(
                            _add_month(month, 1), datetime.time(2), tzinfo=datetime.UTC
                        ),
                    )
                )
            if len(reports) >= 20_000:
                MonthlyReport.objects.bulk_create(reports, batch_size=5000)
                reports = []
        MonthlyReport.objects.bulk_create(reports, batch_size=5000)

    codes = sorted(p.code for p in programmes.values())
    summary.programmes = codes
    summary.counties = len(chosen)
    summary.townships = len(townships)
    summary.villages = Area.objects.filter(parent__in=townships, level="village").count()
    summary.stations = Station.objects.filter(programme__code__in=codes).count()
    summary.reports = MonthlyReport.objects.filter(station__programme__code__in=codes).count()
    summary.province_code = next(iter(rows_by_county.values()))[0]["province_code"]
    return summary


def analyse() -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL ANALYZE; SQLite's ANALYZE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
