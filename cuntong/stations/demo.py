"""Demo service-station network (generated data, every station flagged ``is_generated``).

A township station in every township-level unit; village points where the placement optimiser puts them — all
provincial poverty villages and about half of the villages, 2 km apart — from generated candidate sites; their
life cycle stepped through the real services (so the rule check runs at every approval); monthly reports since
each station opened, ten benchmark stations, a few weak stations on probation or proposed for it, the day's
check-ins. The demo operator ``zhanzhang`` runs a village point in 洪阳镇 with every report up to the month before.

The network stands as it did on the programme's last day (``as_of``), whatever today's date: its history is fixed
relative to the plan's dates, so the same database results on every day of the year. Deterministic (seeded
generator) and idempotent: nothing is added once the programme has stations.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from django.utils import timezone

from cuntong.accounts.models import Organisation, User
from cuntong.audit import bulk as history
from cuntong.core.demo import demo_step
from cuntong.programme.models import SubItem

from . import rules, services, spatial
from .models import CandidateSite, CheckIn, MonthlyReport, Station

DEMO_OPERATOR = "zhanzhang"
DEMO_TOWNSHIP = "445281104"  # 洪阳镇
SITE_NAMES = ("村委会", "村口商店", "邮政代办点", "农资店")
SITE_RADIUS_M = 1200
SURNAMES = "陈林黄郑许吴李张杨王刘蔡谢方罗赖"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洁",
    "勇",
    "军",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "桂英",
    "建华",
    "志强",
    "晓燕",
)
ALL_SERVICES = list(rules.SERVICES)
# Month factors: Spring Festival lull, the 11.11 and 12.12 peaks.
SEASON = {1: 0.85, 2: 0.7, 3: 0.95, 4: 1.0, 5: 1.0, 6: 1.1, 7: 0.95, 8: 0.95, 9: 1.0, 10: 1.05, 11: 1.35, 12: 1.2}
OPENED_FROM = datetime.date(2019, 12, 1)
REPLACED_ON = datetime.date(2021, 6, 8)
PLANNED_PERCENT = 50.6
PENDING = 3
WEAK_ON_PROBATION = 3
WEAK_OPERATING = 4
BENCHMARKS_TOWNSHIP = 4
BENCHMARKS_VILLAGE = 6


@demo_step(50, "服务站点网络（生成数据）")
def build_network(context):
    programme = context.programme
    if Station.objects.filter(programme=programme).exists():
        return
    rng = context.rng("stations")
    today = as_of(programme)
    context.progress(0, 6, "candidate sites")
    _candidate_sites(programme, rng)
    context.progress(1, 6, "township stations, poverty villages")
    first = _township_stations(programme, rng) + _poverty_points(programme, rng)
    _open(first, rng)
    context.progress(2, 6, "village points")
    points = _planned_points(programme, rng)
    stations = first + points
    weak, probation, benchmarks = _roles(stations, rng)
    _replacement_history(programme, points, rng)
    _open(points[:-PENDING], rng)
    _pending(programme, points[-PENDING:], today, rng)
    context.progress(3, 6, "monthly reports")
    last_month = rules.add_months(rules.month_start(today), -1)
    _reports(programme, stations, weak | probation, benchmarks, last_month, today, rng)
    context.progress(4, 6, "probation, check-ins")
    _probation(programme, probation, today)
    _check_ins(stations, today, rng)
    context.progress(5, 6, "dynamic management")
    services.review_activity(programme, user=services.SYSTEM, today=today)


def as_of(programme) -> datetime.date:
    """The day the demo network stands at: the programme's last day, when its acceptance check looks at it."""
    return programme.end_date


def _person(rng) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    return name, f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


def _candidate_sites(programme, rng) -> None:
    """Four places per village: the village committee and three within 1.2 km (uniform over the disc)."""
    sites = []
    for village in services.villages_of(programme).exclude(latitude=None).order_by("code"):
        lat0, lng0 = float(village.latitude), float(village.longitude)
        for index, label in enumerate(SITE_NAMES):
            lat, lng = (
                (lat0, lng0)
                if index == 0
                else spatial.offset(lat0, lng0, rng.uniform(0, 360), SITE_RADIUS_M * math.sqrt(rng.random()))
            )
            sites.append(
                CandidateSite(
                    programme=programme,
                    village=village,
                    name=label,
                    latitude=Decimal(f"{lat:.6f}"),
                    longitude=Decimal(f"{lng:.6f}"),
                    note="演示生成数据",
                    is_generated=True,
                )
            )
    history.bulk_create(CandidateSite, sites)


def _sub_item(programme, code):
    return SubItem.objects.filter(project__programme=programme, code=code).first()


def _township_stations(programme, rng) -> list[Station]:
    organisation = Organisation.objects.filter(programme=programme, kind=Organisation.Kind.CONTRACTOR).first()
    sub_item = _sub_item(programme, "town_stations")
    stations = []
    for township in services.townships_of(programme).order_by("code"):
        lat0 = float(township.latitude or programme.county.latitude or 23.3)
        lng0 = float(township.longitude or programme.county.longitude or 116.17)
        lat, lng = spatial.offset(lat0, lng0, rng.uniform(0, 360), rng.uniform(50, 400))
        person = _person(rng)
        services_offered = sorted(rng.sample(ALL_SERVICES, rng.randint(5, 7)) + ["express", "live_streaming"])
        stations.append(
            _new_station(
                programme,
                person,
                lat,
                lng,
                name=f"{township.name}电子商务服务站",
                level=rules.TOWNSHIP,
                area=township,
                address=f"{township.name}圩镇（演示地址）",
                organisation=organisation,
                floor_area_m2=Decimal(rng.randint(90, 320)),
                services=sorted(set(services_offered)),
                sub_item=sub_item,
            )
        )
    return stations


def _new_station(programme, person: tuple[str, str], lat: float, lng: float, **fields) -> Station:
    """A generated station, proposed (its first event), operated by a generated person."""
    name, phone = person
    return services.save_station(
        Station(
            programme=programme,
            latitude=Decimal(f"{lat:.6f}"),
            longitude=Decimal(f"{lng:.6f}"),
            operator_name=name,
            operator_phone=phone,
            note="演示生成数据",
            is_generated=True,
            **fields,
        ),
        user=services.SYSTEM,
    )


def _poverty_points(programme, rng) -> list[Station]:
    """Provincial poverty villages first (the plan wants every one): at the first of their sites that keeps 2 km
    from the points placed so far, else at the village committee — approved later as a recorded exception."""
    sub_item = _sub_item(programme, "village_points")
    placed: list[rules.Site] = []
    created = []
    rules_ = services.station_rules(programme)
    for village in services.villages_of(programme).filter(is_provincial_poverty_village=True).order_by("code"):
        sites = list(CandidateSite.objects.filter(village=village).order_by("pk"))
        if not sites:
            continue
        chosen = next(
            (
                s
                for s in sites
                if not rules.check_site(
                    rules.Site(None, rules.VILLAGE, village.code, float(s.latitude), float(s.longitude)),
                    placed,
                    village.population,
                    rules_,
                )
            ),
            sites[0],
        )
        point = _point(programme, village, float(chosen.latitude), float(chosen.longitude), chosen.name, sub_item, rng)
        placed.append(point.as_site())
        created.append(point)
    return created


def _planned_points(programme, rng) -> list[Station]:
    """The optimiser's fewest points that lift village coverage a little above half, around the points already
    there (the last few of them are still being approved or built)."""
    plan = services.run_placement(programme, time_limit=120, village_target=PLANNED_PERCENT)
    villages = {v.code: v for v in services.villages_of(programme)}
    sub_item = _sub_item(programme, "village_points")
    return [
        _point(programme, villages[site["village_code"]], site["lat"], site["lng"], site["site"], sub_item, rng)
        for site in plan["sites"]
    ]


def _point(programme, village, lat, lng, site_name, sub_item, rng) -> Station:
    person = _person(rng)
    base = village.name.removesuffix("村委会").removesuffix("社区居委会")
    offered = {"express", "purchase_for_villagers"} | set(rng.sample(ALL_SERVICES, rng.randint(1, 4)))
    if rng.random() < 0.9:
        offered.add("finance")  # most points pay out cash for the rural commercial bank (助农取款)
    return _new_station(
        programme,
        person,
        lat,
        lng,
        name=f"{base}村电商服务点",
        level=rules.VILLAGE,
        area=village,
        address=f"{village.name}{site_name}（演示地址）",
        floor_area_m2=Decimal(rng.randint(12, 60)),
        services=sorted(offered),
        sub_item=sub_item,
    )


def _roles(stations, rng) -> tuple[set[int], set[int], set[int]]:
    """Pick the weak stations (some already on probation), the benchmarks and zhanzhang's point."""
    village_points = [s for s in stations if s.level == rules.VILLAGE and not s.area.is_provincial_poverty_village]
    hongyang = [s for s in village_points if s.area.code.startswith(DEMO_TOWNSHIP)]
    operator = User.objects.filter(username=DEMO_OPERATOR).first()
    own = hongyang[0] if hongyang else None
    if own is not None and operator is not None:
        own.operator_user = operator
        own.operator_name = operator.display_name
        own.save(update_fields=["operator_user", "operator_name"])
    others = [s for s in village_points if s is not own]
    rng.shuffle(others)
    weak = {s.pk for s in others[:WEAK_OPERATING]}
    probation = {s.pk for s in others[WEAK_OPERATING : WEAK_OPERATING + WEAK_ON_PROBATION]}
    strong_villages = others[
        WEAK_OPERATING + WEAK_ON_PROBATION : WEAK_OPERATING + WEAK_ON_PROBATION + BENCHMARKS_VILLAGE
    ]
    strong_towns = rng.sample([s for s in stations if s.level == rules.TOWNSHIP], BENCHMARKS_TOWNSHIP)
    benchmarks = set()
    for station in [*strong_towns, *strong_villages]:
        station.is_benchmark = True
        station.services = sorted(set(station.services) | {"express", "live_streaming", "finance", "agri_online"})
        station.floor_area_m2 = max(station.floor_area_m2, Decimal(120 if station.level == rules.TOWNSHIP else 40))
        station.sub_item = _sub_item(station.programme, "benchmark_stations") or station.sub_item
        station.save(update_fields=["is_benchmark", "services", "floor_area_m2", "sub_item", "updated_at"])
        benchmarks.add(station.pk)
    return weak, probation, benchmarks


def _open(stations, rng) -> None:
    """Proposed → approved → built → operating, dated over the implementation phase; overrides where needed."""
    for station in stations:
        station.refresh_from_db()
        opened = OPENED_FROM + datetime.timedelta(days=rng.randint(0, 300))
        if station.replaces_id:  # the successor of the point eliminated in 2021
            opened = REPLACED_ON + datetime.timedelta(days=rng.randint(60, 120))
        _step(station, rules.APPROVED, opened - datetime.timedelta(days=rng.randint(45, 90)))
        _step(station, rules.BUILT, opened - datetime.timedelta(days=rng.randint(5, 30)))
        _step(station, rules.OPERATING, opened)


def _step(station, target, day, reason="") -> None:
    """A dated step; only a provincial poverty village's point is approved against the spacing rule (an exception
    the office records with its reason) — any other violation stops the demo."""
    override = (
        target == rules.APPROVED
        and station.area.is_provincial_poverty_village
        and bool(services.rule_check_for(station))
    )
    services.transition(
        station,
        target,
        user=services.SYSTEM,
        on=day,
        reason=reason
        or ("省定贫困村须全覆盖，与邻村服务点间距不足2公里，经项目办例外批准（演示）" if override else ""),
        override=override,
    )


def _replacement_history(programme, points, rng) -> None:
    """One point eliminated in 2021 and replaced by a new operator a few doors away."""
    if not points:
        return
    successor = points[0]
    lat, lng = spatial.offset(float(successor.latitude), float(successor.longitude), rng.uniform(0, 360), 60)
    person = _person(rng)
    old = _new_station(
        programme,
        person,
        lat,
        lng,
        name=f"{successor.name}（原）",
        level=rules.VILLAGE,
        area=successor.area,
        address=f"{successor.area.name}（演示地址）",
        floor_area_m2=Decimal(15),
        services=["express"],
    )
    # The old point ran first; its successor (which now holds the village) opens after it was eliminated.
    history.update(Station.objects.filter(pk=successor.pk), replaces=old)
    for target, day, reason in (
        (rules.APPROVED, datetime.date(2019, 10, 20), ""),
        (rules.BUILT, datetime.date(2019, 11, 25), ""),
        (rules.OPERATING, datetime.date(2019, 12, 1), ""),
        (rules.PROBATION, datetime.date(2021, 3, 5), "连续3个月活跃度低于40分（演示）"),
        (rules.ELIMINATED, REPLACED_ON, "观察期满仍不活跃，站长退出经营（演示）"),
    ):
        services.transition(old, target, user=services.SYSTEM, on=day, reason=reason)


def _pending(programme, planned, today, rng) -> None:
    """The plan's last points are still on their way (approved, built); and one township proposal that the rule
    check blocks — too close to a point — waits for the office."""
    for index, station in enumerate(planned):
        _step(station, rules.APPROVED, today - datetime.timedelta(days=rng.randint(30, 60)))
        if index % 2:
            _step(station, rules.BUILT, today - datetime.timedelta(days=rng.randint(3, 25)))
    covered = Station.objects.filter(programme=programme, level=rules.VILLAGE).values("area_id")
    site = (
        CandidateSite.objects.filter(programme=programme, village__is_provincial_poverty_village=False)
        .exclude(village__in=covered)
        .select_related("village")
        .order_by("village__code", "pk")
        .first()
    )
    if site is not None:
        point = _point(
            programme,
            site.village,
            float(site.latitude),
            float(site.longitude),
            site.name,
            _sub_item(programme, "village_points"),
            rng,
        )
        point.note = "演示生成数据；乡镇新申报，待项目办审核"
        point.save(update_fields=["note"])


def _reports(programme, stations, weak, benchmarks, last_month, today, rng) -> None:
    due_day = services.station_rules(programme).report_due_day
    rows = []
    for station in stations:
        station.refresh_from_db()
        if station.opened_on is None:
            continue
        town = station.level == rules.TOWNSHIP
        scale = rng.lognormvariate(0, 0.25) * (6 if town else 1)
        live = "live_streaming" in station.services
        finance = "finance" in station.services
        for month in rules.months_between(station.opened_on, last_month):
            recent = (last_month.year - month.year) * 12 + last_month.month - month.month
            factor = scale * SEASON[month.month] * rng.lognormvariate(0, 0.2) * (1 + 0.04 * min(24, 80 - recent))
            if station.pk in weak and recent < 7:
                factor *= 0.04
            if station.pk in benchmarks and recent < 12:
                factor *= 2.2
            due = rules.due_date(month, due_day)
            late = rng.random() < 0.03 and station.pk not in benchmarks
            submitted_on = min(
                today,
                due + datetime.timedelta(days=rng.randint(1, 12))
                if late
                else due - datetime.timedelta(days=rng.randint(0, 8)),
            )
            if month == last_month and today <= due and rng.random() < 0.25:
                continue  # not in yet, and not due yet
            rows.append(
                MonthlyReport(
                    station=station,
                    month=month,
                    parcels_in=int(900 * factor),
                    parcels_out=int(380 * factor * rng.uniform(0.6, 1.6)),
                    agri_sales=Decimal(int(16000 * factor * rng.uniform(0.5, 1.5))),
                    purchases_for_villagers=Decimal(int(9000 * factor)),
                    financial_count=int(60 * factor) if finance else 0,
                    financial_amount=Decimal(int(42000 * factor)) if finance and int(60 * factor) else Decimal(0),
                    live_sessions=max(0, int(6 * factor)) if live else 0,
                    live_sales=Decimal(int(12000 * factor)) if live and int(6 * factor) else Decimal(0),
                    visitors=int(700 * factor),
                    submitted_at=timezone.make_aware(
                        datetime.datetime.combine(
                            submitted_on, datetime.time(9 + rng.randint(0, 9), rng.randint(0, 59))
                        )
                    ),
                    due_on=due,
                    source="form",
                )
            )
    history.bulk_create(MonthlyReport, rows, batch_size=2000)


def _probation(programme, probation, today) -> None:
    """The stations already on probation went there, with the rule's reason, in the month before the months the
    activity review weighs for elimination — so the review on ``today`` proposes eliminating the still weak."""
    rules_ = services.station_rules(programme)
    weighed = rules_.activity.elimination_after_probation_months
    day = rules.add_months(rules.last_closed_month(today, rules_.report_due_day), -weighed).replace(day=12)
    for station in Station.objects.filter(pk__in=probation):
        services.transition(
            station, rules.PROBATION, user=services.SYSTEM, on=day, reason="连续3个月活跃度低于阈值或处于末位（演示）"
        )


def _check_ins(stations, today, rng) -> None:
    rows = []
    for station in Station.objects.filter(pk__in=[s.pk for s in stations], status__in=rules.IN_OPERATION):
        if rng.random() < 0.72:
            rows.append(
                CheckIn(
                    station=station,
                    day=today,
                    checked_at=timezone.make_aware(
                        datetime.datetime.combine(today, datetime.time(8, rng.randint(0, 59)))
                    ),
                    is_open=rng.random() < 0.96,
                    note="演示生成数据",
                )
            )
    history.bulk_create(CheckIn, rows)
