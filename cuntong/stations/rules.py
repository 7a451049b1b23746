"""The station rules of the plan (普府办〔2020〕10号 二(二)) as pure functions: dataclasses in, results out, no ORM.

- one township station per township-level unit (``stations_per_township``);
- one point per village, plus one per further full ``extra_point_per_residents`` residents above that number
  (5,000 → 1, 9,999 → 1, 10,000 → 2, 14,999 → 2, 15,000 → 3);
- village points strictly more than ``min_spacing_m`` apart, measured along the ellipsoid (see :mod:`.spatial`);
- coverage: township stations 100 %, villages ≥ 50 %, provincial poverty villages 100 %; only stations in operation
  count (operating, or operating on probation);
- dynamic management (定期淘汰 … 并进行增补): an activity score from the monthly figures, probation and
  elimination for stations that stay weak, replacement villages the rules allow.

Every parameter comes from the plan (``Programme.rule("stations")``) through :class:`StationRules`.
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cuntong.core.claims import Claim, Priced
from cuntong.core.money import percent, yuan

from . import spatial

# --- levels, services, life cycle ------------------------------------------------------------------------------
TOWNSHIP = "township"
VILLAGE = "village"

LEVEL_LABELS = {TOWNSHIP: gettext_lazy("镇级服务站"), VILLAGE: gettext_lazy("村级服务点")}
SERVICE_LABELS = {
    "express": gettext_lazy("快递收发"),
    "agri_online": gettext_lazy("农产品网上销售（上行）"),
    "purchase_for_villagers": gettext_lazy("代购（下行）"),
    "finance": gettext_lazy("金融服务（助农取款）"),
    "bill_payment": gettext_lazy("缴费"),
    "live_streaming": gettext_lazy("直播带货"),
    "training_venue": gettext_lazy("培训场地"),
}
SERVICES = tuple(SERVICE_LABELS)

PROPOSED = "proposed"
APPROVED = "approved"
REJECTED = "rejected"
BUILT = "built"
OPERATING = "operating"
PROBATION = "probation"
ELIMINATED = "eliminated"
REPLACED = "replaced"
STATUS_LABELS = {
    PROPOSED: gettext_lazy("拟建"),
    APPROVED: gettext_lazy("已批准"),
    REJECTED: gettext_lazy("未批准"),
    BUILT: gettext_lazy("已建成"),
    OPERATING: gettext_lazy("运营中"),
    PROBATION: gettext_lazy("观察期"),
    ELIMINATED: gettext_lazy("已淘汰"),
    REPLACED: gettext_lazy("已替换"),
}
STATUSES = tuple(STATUS_LABELS)
# Stations that hold their place in the network: spacing and quotas are checked against these.
ACTIVE_STATUSES = (APPROVED, BUILT, OPERATING, PROBATION)
# Stations serving villagers: coverage, monthly reports and activity scores are about these.
IN_OPERATION = (OPERATING, PROBATION)
CLOSED_STATUSES = (REJECTED, ELIMINATED, REPLACED)

# Who may make each step: the permission's action on the station model (stations.<action>_station).
APPROVE, CHANGE, MANAGE = "approve", "change", "manage"
TRANSITIONS: dict[str, dict[str, str]] = {
    PROPOSED: {APPROVED: APPROVE, REJECTED: APPROVE},
    APPROVED: {BUILT: CHANGE, REJECTED: APPROVE},
    BUILT: {OPERATING: CHANGE},
    OPERATING: {PROBATION: MANAGE, ELIMINATED: MANAGE},
    PROBATION: {OPERATING: MANAGE, ELIMINATED: MANAGE, REPLACED: MANAGE},
    ELIMINATED: {REPLACED: MANAGE},
    REJECTED: {},
    REPLACED: {},
}
# Steps that must say why.
REASON_REQUIRED = {REJECTED, PROBATION, ELIMINATED, REPLACED}


class IllegalTransition(ValueError):
    pass


def check_transition(current: str, target: str, reason: str = "") -> str:
    """The permission action the step needs; raises IllegalTransition for a step the life cycle does not have."""
    allowed = TRANSITIONS.get(current, {})
    if target not in allowed:
        raise IllegalTransition(
            _("站点状态不能从“%(a)s”变为“%(b)s”。") % {"a": status_label(current), "b": status_label(target)}
        )
    if target in REASON_REQUIRED and not reason.strip():
        raise IllegalTransition(_("变为“%(b)s”须填写原因。") % {"b": status_label(target)})
    if current == PROBATION and target == OPERATING and not reason.strip():
        raise IllegalTransition(_("解除观察期须填写原因。"))
    return allowed[target]


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def steps_to(target: str, start: str = PROPOSED) -> list[str]:
    """The shortest run of life-cycle steps from ``start`` to ``target`` (empty when already there): how an imported
    station that arrives with a status reaches it, step by step, through the same transitions as any other."""
    paths = {start: []}
    queue = [start]
    while queue:
        current = queue.pop(0)
        if current == target:
            return paths[current]
        for following in TRANSITIONS[current]:
            if following not in paths:
                paths[following] = [*paths[current], following]
                queue.append(following)
    raise IllegalTransition(
        _("站点状态不能从“%(a)s”变为“%(b)s”。") % {"a": status_label(start), "b": status_label(target)}
    )


# --- parameters from the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityRules:
    weights: Mapping[str, float]
    probation_threshold: float
    bottom_share_percent: float
    consecutive_months: int
    elimination_after_probation_months: int


@dataclass(frozen=True)
class StationRules:
    stations_per_township: int = 1
    points_per_village: int = 1
    extra_point_per_residents: int = 5000
    min_spacing_m: float = 2000.0
    benchmark_count: int = 10
    activity: ActivityRules | None = None
    report_due_day: int = 10
    plausible_max: Mapping[str, Mapping[str, Decimal | int]] = field(default_factory=lambda: PLAUSIBLE_MAX)
    benchmark: BenchmarkCriteria = field(default_factory=lambda: BenchmarkCriteria())
    position: PositionRules = field(default_factory=lambda: PositionRules())

    @classmethod
    def from_plan(cls, section: Mapping) -> StationRules:
        """``Programme.rule("stations")`` as typed parameters (the plan schema has already validated them)."""
        report = section.get("report", {})
        activity = section.get("activity")
        weights = dict(activity["weights"]) if activity else {}
        unknown = set(weights) - set(WEIGHT_METRICS)
        if unknown:
            raise ValueError(f"unknown activity weights in the plan: {sorted(unknown)}")
        return cls(
            stations_per_township=int(section.get("stations_per_township", 1)),
            points_per_village=int(section.get("points_per_village", 1)),
            extra_point_per_residents=int(section.get("extra_point_per_residents", 5000)),
            min_spacing_m=float(section.get("min_spacing_m", 2000)),
            benchmark_count=int(section.get("benchmark_count", 10)),
            activity=ActivityRules(
                weights=weights,
                probation_threshold=float(activity["probation_threshold"]),
                bottom_share_percent=float(activity["bottom_share_percent"]),
                consecutive_months=int(activity["consecutive_months"]),
                elimination_after_probation_months=int(
                    activity.get("elimination_after_probation_months", activity["consecutive_months"])
                ),
            )
            if activity
            else None,
            report_due_day=int(report.get("due_day_of_next_month", 10)),
            plausible_max=plausible_bounds(report.get("plausible_max", {})),
            benchmark=BenchmarkCriteria.from_plan(section.get("benchmark_criteria", {})),
            position=PositionRules.from_plan(section.get("position", {})),
        )


# --- quotas ----------------------------------------------------------------------------------------------------


def village_quota(population: int | None, rules: StationRules) -> int:
    """Points a village may have: the base, plus one per further full ``extra_point_per_residents`` above it."""
    step = rules.extra_point_per_residents
    if population is None or population <= step:
        return rules.points_per_village
    return rules.points_per_village + (population - step) // step


def quota_for(level: str, population: int | None, rules: StationRules) -> int:
    return rules.stations_per_township if level == TOWNSHIP else village_quota(population, rules)


# --- positions -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountyBounds:
    """Where the county lies, as its plan states it: a centre and a radius, or a polygon of (lat, lng) corners."""

    centre: tuple[float, float] | None = None
    radius_m: float = 0.0
    polygon: tuple[tuple[float, float], ...] = ()

    @classmethod
    def from_plan(cls, section: Mapping | None) -> CountyBounds | None:
        if not section:
            return None
        if section.get("polygon"):
            return cls(polygon=tuple((float(lat), float(lng)) for lat, lng in section["polygon"]))
        centre = section["centre"]
        return cls(centre=(float(centre["lat"]), float(centre["lng"])), radius_m=float(section["radius_m"]))

    def contains(self, lat: float, lng: float) -> bool:
        if self.polygon:
            return _inside_polygon(lat, lng, self.polygon)
        return spatial.geodesic_m(lat, lng, *self.centre) <= self.radius_m


def _inside_polygon(lat: float, lng: float, corners: Sequence[tuple[float, float]]) -> bool:
    """Ray casting on (lat, lng): a county is small enough for its edges to be straight in degrees."""
    inside = False
    for (lat1, lng1), (lat2, lng2) in zip(corners, [*corners[1:], corners[0]], strict=True):
        if (lat1 > lat) != (lat2 > lat) and lng < lng1 + (lat - lat1) * (lng2 - lng1) / (lat2 - lat1):
            inside = not inside
    return inside


@dataclass(frozen=True)
class PositionRules:
    """A station or candidate site lies where its area is: within ``max_distance_from_centre_m`` of its area's
    recorded centre, and inside the county's bounds (plan silent; Cuntong defaults, bounds from the plan file)."""

    max_distance_from_centre_m: float = 10_000.0
    county: CountyBounds | None = None

    @classmethod
    def from_plan(cls, section: Mapping) -> PositionRules:
        return cls(
            max_distance_from_centre_m=float(section.get("max_distance_from_centre_m", 10_000)),
            county=CountyBounds.from_plan(section.get("county_bounds")),
        )


def position_problem(
    lat: float, lng: float, centre: tuple[float, float] | None, area_name: str, rules: PositionRules
) -> str | None:
    """Why (lat, lng) cannot be a place in ``area_name`` (whose recorded centre is ``centre``, if any); None if it can."""
    if rules.county is not None and not rules.county.contains(lat, lng):
        return _("位置（%(lat)s, %(lng)s）不在本县范围内，请核对经纬度（WGS-84，纬度在前）") % {"lat": lat, "lng": lng}
    if centre is not None:
        distance = spatial.geodesic_m(lat, lng, *centre)
        if distance > rules.max_distance_from_centre_m:
            return _("位置距%(area)s中心 %(d)s 米，超过 %(max)s 米，请核对经纬度与服务区域") % {
                "area": area_name,
                "d": distance_text(distance, rules.max_distance_from_centre_m),
                "max": limit_text(rules.max_distance_from_centre_m),
            }
    return None


# --- spacing and the network check -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A station (or a proposed one) as the rules see it."""

    key: object
    level: str
    area_code: str
    lat: float
    lng: float
    label: str = ""


# A station the reader may not see is never named to them: it is "another township's station", with the distance.
OTHER_STATION = gettext_lazy("其他乡镇的站点")


def _shown(site: Site, visible) -> str:
    if visible is not None and site.key not in visible:
        return str(OTHER_STATION)
    return str(site.label or site.key)


def distance_text(distance_m: float, limit_m: float) -> str:
    """Metres to one decimal (half up), with more decimals — down to the millimetre the rules compare — whenever
    rounding would put the figure on the other side of the limit: 1,999.86 → 1,999.9, 1,999.96 → 1,999.96, never
    "2,000 米，须超过 2,000 米"."""
    exact, limit = Decimal(str(distance_m)), Decimal(str(limit_m))
    for places in range(1, spatial.PRECISION_DECIMALS):
        shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if (shown > limit, shown < limit) == (exact > limit, exact < limit):
            return f"{shown:,}"
    towards_exact = ROUND_DOWN if exact < limit else ROUND_UP
    return f"{exact.quantize(Decimal(1).scaleb(-spatial.PRECISION_DECIMALS), rounding=towards_exact):,}"


def limit_text(limit_m: float) -> str:
    return f"{limit_m:,.0f}" if float(limit_m).is_integer() else f"{limit_m:,}"


@dataclass(frozen=True)
class SpacingViolation:
    a: Site
    b: Site
    distance_m: float
    min_spacing_m: float

    kind = "spacing"

    @property
    def sites(self) -> tuple[Site, ...]:
        return (self.a, self.b)

    @property
    def message(self) -> str:
        return self.message_for(None)

    def message_for(self, visible) -> str:
        """The message for a reader who may see the stations keyed in ``visible`` (None: every station)."""
        return _("%(a)s 与 %(b)s 相距 %(d)s 米，须超过 %(min)s 米") % {
            "a": _shown(self.a, visible),
            "b": _shown(self.b, visible),
            "d": distance_text(self.distance_m, self.min_spacing_m),
            "min": limit_text(self.min_spacing_m),
        }

    def as_dict(self, visible=None) -> dict:
        return {
            "kind": self.kind,
            "stations": [s.key if visible is None or s.key in visible else None for s in self.sites],
            "labels": [_shown(s, visible) for s in self.sites],
            "distance_m": self.distance_m,
            "min_spacing_m": self.min_spacing_m,
            "message": self.message_for(visible),
        }


@dataclass(frozen=True)
class QuotaViolation:
    area_code: str
    level: str
    count: int
    quota: int
    sites: tuple[Site, ...]

    kind = "quota"

    @property
    def message(self) -> str:
        return self.message_for(None)

    def message_for(self, visible) -> str:
        what = LEVEL_LABELS[self.level]
        return _("%(area)s 有%(what)s %(n)d 个，超过上限 %(q)d 个") % {
            "area": self.area_code,
            "what": what,
            "n": self.count,
            "q": self.quota,
        }

    def as_dict(self, visible=None) -> dict:
        return {
            "kind": self.kind,
            "area_code": self.area_code,
            "level": self.level,
            "count": self.count,
            "quota": self.quota,
            "stations": [s.key if visible is None or s.key in visible else None for s in self.sites],
            "labels": [_shown(s, visible) for s in self.sites],
            "message": self.message_for(visible),
        }


@dataclass(frozen=True)
class MissingStationViolation:
    """A township-level unit without a township station holding its place (the plan: 镇级服务站点全覆盖)."""

    area_code: str
    area_name: str

    kind = "missing_station"
    sites: tuple[Site, ...] = ()

    @property
    def message(self) -> str:
        return self.message_for(None)

    def message_for(self, visible) -> str:
        return _("%(name)s（%(area)s）尚无镇级服务站") % {"name": self.area_name, "area": self.area_code}

    def as_dict(self, visible=None) -> dict:
        return {
            "kind": self.kind,
            "area_code": self.area_code,
            "area_name": self.area_name,
            "stations": [],
            "labels": [],
            "message": self.message_for(visible),
        }


Violation = SpacingViolation | QuotaViolation | MissingStationViolation


@dataclass(frozen=True)
class NetworkCheck:
    checked: int
    spacing: tuple[SpacingViolation, ...]
    quota: tuple[QuotaViolation, ...]
    missing: tuple[MissingStationViolation, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def violations(self) -> tuple[Violation, ...]:
        return (*self.missing, *self.quota, *self.spacing)

    def as_dict(self) -> dict:
        return {
            "checked": self.checked,
            "ok": self.ok,
            "missing_township_stations": [v.as_dict() for v in self.missing],
            "spacing_violations": [v.as_dict() for v in self.spacing],
            "quota_violations": [v.as_dict() for v in self.quota],
        }


def spacing_violations(points: Sequence[Site], min_spacing_m: float, *, indexed: bool = True) -> list[SpacingViolation]:
    """Every pair of village points not strictly more than ``min_spacing_m`` apart (KD-tree, or all pairs)."""
    search = spatial.close_pairs if indexed else spatial.close_pairs_all
    pairs = search([p.lat for p in points], [p.lng for p in points], min_spacing_m)
    return [SpacingViolation(points[p.i], points[p.j], p.distance_m, min_spacing_m) for p in pairs]


def quota_violations(
    sites: Iterable[Site], populations: Mapping[str, int | None], rules: StationRules
) -> list[QuotaViolation]:
    grouped: dict[tuple[str, str], list[Site]] = defaultdict(list)
    for site in sites:
        grouped[(site.level, site.area_code)].append(site)
    found = []
    for (level, code), members in sorted(grouped.items()):
        quota = quota_for(level, populations.get(code), rules)
        if len(members) > quota:
            found.append(QuotaViolation(code, level, len(members), quota, tuple(members)))
    return found


def check_network(
    sites: Sequence[Site],
    populations: Mapping[str, int | None],
    rules: StationRules,
    *,
    townships: Mapping[str, str] | None = None,
    indexed: bool = True,
) -> NetworkCheck:
    """The whole network: every township (code → name in ``townships``) without a township station, every spacing
    violation between village points and every quota exceeded."""
    points = [s for s in sites if s.level == VILLAGE]
    served = {s.area_code for s in sites if s.level == TOWNSHIP}
    return NetworkCheck(
        checked=len(sites),
        spacing=tuple(spacing_violations(points, rules.min_spacing_m, indexed=indexed)),
        quota=tuple(quota_violations(sites, populations, rules)),
        missing=tuple(
            MissingStationViolation(code, name)
            for code, name in sorted((townships or {}).items())
            if code not in served
        ),
    )


@dataclass(frozen=True)
class Override:
    """An approval the office made against the rules, as its event recorded it: who, when, why, what it set aside."""

    station: object
    on: datetime.date
    by: str
    reason: str
    violations: tuple[Mapping, ...]


def _covers(recorded: Mapping, violation: Violation) -> bool:
    if recorded.get("kind") != violation.kind:
        return False
    if isinstance(violation, SpacingViolation):
        return set(recorded.get("stations", ())) == {violation.a.key, violation.b.key}
    if isinstance(violation, QuotaViolation):
        return (
            recorded.get("area_code") == violation.area_code
            and recorded.get("level") == violation.level
            and recorded.get("count", 0) >= violation.count
        )
    return False  # a missing township station is never an approved exception: there is no approval to point to


@dataclass(frozen=True)
class RuleReport:
    """The network check told whole: violations still open, and those the office approved as exceptions."""

    check: NetworkCheck
    open: tuple[Violation, ...]
    exceptions: tuple[tuple[Violation, Override], ...]

    @property
    def ok(self) -> bool:
        return not self.open


def judge(check: NetworkCheck, overrides: Iterable[Override]) -> RuleReport:
    """Split the check: a violation an override approved (the same pair of points, or the same area's quota up to the
    count approved) is an exception with its reason, who and when; everything else stays open."""
    overrides = sorted(overrides, key=lambda o: (o.on, str(o.station)))
    open_, exceptions = [], []
    for violation in check.violations:
        approved = next((o for o in overrides if any(_covers(r, violation) for r in o.violations)), None)
        if approved is None:
            open_.append(violation)
        else:
            exceptions.append((violation, approved))
    return RuleReport(check, tuple(open_), tuple(exceptions))


def check_site(site: Site, others: Sequence[Site], population: int | None, rules: StationRules) -> list[Violation]:
    """What approving ``site`` would break, given the ``others`` already holding their place in the network."""
    others = [o for o in others if o.key != site.key]
    found: list[Violation] = []
    same_area = [o for o in others if o.level == site.level and o.area_code == site.area_code]
    quota = quota_for(site.level, population, rules)
    if len(same_area) + 1 > quota:
        found.append(QuotaViolation(site.area_code, site.level, len(same_area) + 1, quota, (*same_area, site)))
    if site.level == VILLAGE:
        points = [o for o in others if o.level == VILLAGE]
        pairs = spatial.close_across(
            [site.lat], [site.lng], [p.lat for p in points], [p.lng for p in points], rules.min_spacing_m
        )
        found.extend(SpacingViolation(site, points[p.j], p.distance_m, rules.min_spacing_m) for p in pairs)
    return found


# --- coverage --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageInfo:
    code: str
    name: str
    township_code: str
    poverty: bool = False


@dataclass(frozen=True)
class Coverage:
    township_total: int
    township_covered: int
    village_total: int
    village_covered: int
    poverty_total: int
    poverty_covered: int
    uncovered_townships: tuple[str, ...]
    uncovered_villages: tuple[str, ...]
    uncovered_poverty_villages: tuple[str, ...]


def coverage(township_codes: Iterable[str], villages: Iterable[VillageInfo], operating: Iterable[Site]) -> Coverage:
    """Which townships and villages have a station in operation (``operating`` holds only those)."""
    township_codes = sorted(set(township_codes))
    villages = sorted(villages, key=lambda v: v.code)
    served = {(s.level, s.area_code) for s in operating}
    uncovered_townships = tuple(c for c in township_codes if (TOWNSHIP, c) not in served)
    uncovered = tuple(v.code for v in villages if (VILLAGE, v.code) not in served)
    uncovered_set = set(uncovered)
    poverty = [v for v in villages if v.poverty]
    uncovered_poverty = tuple(v.code for v in poverty if v.code in uncovered_set)
    return Coverage(
        township_total=len(township_codes),
        township_covered=len(township_codes) - len(uncovered_townships),
        village_total=len(villages),
        village_covered=len(villages) - len(uncovered),
        poverty_total=len(poverty),
        poverty_covered=len(poverty) - len(uncovered_poverty),
        uncovered_townships=uncovered_townships,
        uncovered_villages=uncovered,
        uncovered_poverty_villages=uncovered_poverty,
    )


# --- monthly reports -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One station's month: 下行/上行 parcels, money in yuan (Decimal), counts."""

    parcels_in: int = 0
    parcels_out: int = 0
    agri_sales: Decimal = Decimal(0)
    purchases_for_villagers: Decimal = Decimal(0)
    financial_count: int = 0
    financial_amount: Decimal = Decimal(0)
    live_sessions: int = 0
    live_sales: Decimal = Decimal(0)
    visitors: int = 0

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def of(cls, obj) -> Figures:
        """From any object or mapping carrying the figure names (a report, a form's cleaned data)."""
        get = obj.get if isinstance(obj, Mapping) else (lambda name, default=None: getattr(obj, name, default))
        return cls(**{name: get(name) or 0 for name in cls.names()})


FIGURE_NAMES = Figures.names()
MONEY_FIGURES = ("agri_sales", "purchases_for_villagers", "financial_amount", "live_sales")
# The plan's weight names → the figure each one scores.
WEIGHT_METRICS = {
    "parcels_in": "parcels_in",
    "parcels_out": "parcels_out",
    "agri_sales": "agri_sales",
    "purchases_for_villagers": "purchases_for_villagers",
    "financial_services": "financial_count",
    "live_sessions": "live_sessions",
    "visitors": "visitors",
}

# Plausibility bounds per month (plan silent; Cuntong defaults): above these a figure needs the operator to confirm.
# Puning stations are busy (Jieyang handled 3.7 billion parcels in 2022), so parcel bounds are generous.
PLAUSIBLE_MAX = {
    VILLAGE: {
        "parcels_in": 30_000,
        "parcels_out": 30_000,
        "agri_sales": Decimal(2_000_000),
        "purchases_for_villagers": Decimal(1_000_000),
        "financial_count": 3_000,
        "financial_amount": Decimal(5_000_000),
        "live_sessions": 124,
        "live_sales": Decimal(2_000_000),
        "visitors": 20_000,
    },
}
TOWNSHIP_BOUND_FACTOR = 5  # a township station handles about five village points' business
PLAUSIBLE_MAX[TOWNSHIP] = {name: bound * TOWNSHIP_BOUND_FACTOR for name, bound in PLAUSIBLE_MAX[VILLAGE].items()}


def plausible_bounds(overrides: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, Decimal | int]]:
    """The plan's ``report.plausible_max`` over the defaults: per level, per figure. A village bound the plan sets
    also scales the township default, unless the plan sets the township bound too."""

    def typed(name: str, value) -> Decimal | int:
        return Decimal(str(value)) if name in MONEY_FIGURES else int(value)

    village = {**PLAUSIBLE_MAX[VILLAGE], **{n: typed(n, v) for n, v in overrides.get(VILLAGE, {}).items()}}
    township = {name: bound * TOWNSHIP_BOUND_FACTOR for name, bound in village.items()}
    township.update({n: typed(n, v) for n, v in overrides.get(TOWNSHIP, {}).items()})
    unknown = (set(village) | set(township)) - set(FIGURE_NAMES)
    if unknown:
        raise ValueError(f"unknown report figures in the plan's plausible_max: {sorted(unknown)}")
    return {VILLAGE: village, TOWNSHIP: township}


# A figure more than this many times last month's (and above the floor) is queried too.
JUMP_FACTOR = 5
JUMP_FLOOR = {name: (Decimal(10_000) if name in MONEY_FIGURES else 100) for name in FIGURE_NAMES}


@dataclass(frozen=True)
class Finding:
    field: str
    message: str


@dataclass(frozen=True)
class ReportCheck:
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def warning_codes(self) -> list[str]:
        """Stable identifiers of the warnings, recorded when the operator confirms them."""
        return sorted({w.field for w in self.warnings})


def check_figures(
    figures: Figures,
    level: str,
    previous: Figures | None = None,
    bounds: Mapping[str, Mapping[str, Decimal | int]] = PLAUSIBLE_MAX,
) -> ReportCheck:
    """Errors (never acceptable) and warnings (acceptable once the operator confirms the figure is right).

    ``bounds``: the plausibility bounds per level (``StationRules.plausible_max``)."""
    errors: list[Finding] = []
    warnings: list[Finding] = []
    for name in FIGURE_NAMES:
        value = getattr(figures, name)
        if value < 0:
            errors.append(Finding(name, _("不能为负数")))
    if figures.live_sales > 0 and figures.live_sessions == 0:
        errors.append(Finding("live_sessions", _("有直播销售额却没有直播场次")))
    if figures.financial_amount > 0 and figures.financial_count == 0:
        errors.append(Finding("financial_count", _("有金融服务金额却没有服务笔数")))
    if errors:
        return ReportCheck(tuple(errors), ())
    bounds = bounds[level]
    for name in FIGURE_NAMES:
        value = getattr(figures, name)
        if value > bounds[name]:
            warnings.append(Finding(name, _("数值偏大（一般不超过 %(max)s），请确认") % {"max": f"{bounds[name]:,}"}))
            continue
        if previous is not None:
            before = getattr(previous, name)
            if before > 0 and value > before * JUMP_FACTOR and value - before > JUMP_FLOOR[name]:
                warnings.append(
                    Finding(
                        name, _("是上月（%(before)s）的 %(n)d 倍以上，请确认") % {"before": before, "n": JUMP_FACTOR}
                    )
                )
    return ReportCheck((), tuple(warnings))


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from ``first`` to ``last`` inclusive (as first days)."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def due_date(month: datetime.date, due_day: int) -> datetime.date:
    """A month's report is due on ``due_day`` of the following month."""
    return add_months(month, 1).replace(day=due_day)


def last_closed_month(today: datetime.date, due_day: int) -> datetime.date:
    """The latest month whose reports are already due."""
    previous = add_months(month_start(today), -1)
    return previous if today > due_date(previous, due_day) else add_months(previous, -1)


@dataclass(frozen=True)
class MonthCompleteness:
    month: datetime.date
    due: datetime.date
    expected: int
    received: int
    on_time: int
    late: int
    missing: tuple = ()

    @property
    def completeness(self) -> Decimal | None:
        return percent(self.received, self.expected)

    @property
    def timeliness(self) -> Decimal | None:
        return percent(self.on_time, self.expected)


def completeness(
    month: datetime.date, expected: Iterable, submitted_on: Mapping[object, datetime.date], due_day: int
) -> MonthCompleteness:
    """Reports received and received on time, out of the stations that were in operation that month."""
    expected = sorted(set(expected), key=str)
    due = due_date(month, due_day)
    received = [key for key in expected if key in submitted_on]
    on_time = [key for key in received if submitted_on[key] <= due]
    return MonthCompleteness(
        month=month,
        due=due,
        expected=len(expected),
        received=len(received),
        on_time=len(on_time),
        late=len(received) - len(on_time),
        missing=tuple(key for key in expected if key not in submitted_on),
    )


# --- activity score and dynamic management ---------------------------------------------------------------------

# Each figure scores 0–100 against the month's reference: the 80th percentile of stations of the same level
# (plan silent; Cuntong default). A station at the reference on every figure scores 100; no report scores 0.
REFERENCE_PERCENTILE = 80


def activity_scores(
    figures: Mapping[object, Figures | None], levels: Mapping[object, str], weights: Mapping[str, float]
) -> dict[object, float]:
    """Weighted score 0–100 per station for one month; stations of each level are measured against each other."""
    total_weight = sum(weights.values())
    scores: dict[object, float] = {}
    by_level: dict[str, list] = defaultdict(list)
    for key in figures:
        by_level[levels[key]].append(key)
    for keys in by_level.values():
        reported = [k for k in keys if figures[k] is not None]
        references = {}
        for weight_name in weights:
            metric = WEIGHT_METRICS[weight_name]
            values = [float(getattr(figures[k], metric)) for k in reported]
            references[weight_name] = float(np.percentile(values, REFERENCE_PERCENTILE)) if values else 0.0
        for key in keys:
            report = figures[key]
            if report is None or not total_weight:
                scores[key] = 0.0
                continue
            points = 0.0
            for weight_name, weight in weights.items():
                value = float(getattr(report, WEIGHT_METRICS[weight_name]))
                reference = references[weight_name]
                part = (1.0 if value > 0 else 0.0) if reference <= 0 else min(1.0, value / reference)
                points += weight * part
            scores[key] = round(100 * points / total_weight, 1)
    return scores


def weak_stations(scores: Mapping[object, float], threshold: float, bottom_share_percent: float) -> set:
    """Stations below the threshold, or in the bottom share of the month (ties at the cut share its fate)."""
    weak = {key for key, score in scores.items() if score < threshold}
    count = math.floor(len(scores) * bottom_share_percent / 100)
    if count:
        cut = sorted(scores.values())[count - 1]
        weak |= {key for key, score in scores.items() if score <= cut}
    return weak


PROPOSE_PROBATION = "probation"
PROPOSE_ELIMINATION = "eliminate"
PROPOSE_REINSTATEMENT = "reinstate"


@dataclass(frozen=True)
class StationActivity:
    """A station's evaluated months (month → weak?), its status and, on probation, the month probation began."""

    key: object
    status: str
    weak_by_month: Mapping[datetime.date, bool]
    probation_since: datetime.date | None = None


@dataclass(frozen=True)
class Decision:
    key: object
    kind: str
    months: tuple[datetime.date, ...]


def management_decisions(stations: Iterable[StationActivity], rules: ActivityRules) -> list[Decision]:
    """Probation after N weak months in a row; after M months on probation, elimination if still weak every month,
    reinstatement if strong every month; anything mixed stays on probation."""
    decisions = []
    for station in stations:
        months = sorted(station.weak_by_month)
        if station.status == OPERATING:
            recent = months[-rules.consecutive_months :]
            if (
                len(recent) == rules.consecutive_months
                and _consecutive(recent)
                and all(station.weak_by_month[m] for m in recent)
            ):
                decisions.append(Decision(station.key, PROPOSE_PROBATION, tuple(recent)))
        elif station.status == PROBATION and station.probation_since is not None:
            since = [m for m in months if m > station.probation_since]
            recent = since[-rules.elimination_after_probation_months :]
            if len(recent) < rules.elimination_after_probation_months or not _consecutive(recent):
                continue
            flags = [station.weak_by_month[m] for m in recent]
            if all(flags):
                decisions.append(Decision(station.key, PROPOSE_ELIMINATION, tuple(recent)))
            elif not any(flags):
                decisions.append(Decision(station.key, PROPOSE_REINSTATEMENT, tuple(recent)))
    return decisions


def _consecutive(months: Sequence[datetime.date]) -> bool:
    return all(add_months(a, 1) == b for a, b in zip(months, months[1:], strict=False))


# --- replacement villages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageSites:
    """A village as a possible home for a point: its quota, the points it has, and where a point could go."""

    code: str
    name: str
    township_code: str
    population: int | None
    poverty: bool
    points: int
    sites: tuple[tuple[float, float, str], ...]
    in_operation: int = 0  # of ``points``, those serving villagers now (what coverage counts)


@dataclass(frozen=True)
class ReplacementOption:
    village_code: str
    village_name: str
    lat: float
    lng: float
    site_label: str
    distance_m: float
    same_township: bool
    uncovered: bool
    poverty: bool
    nearest_point_m: float | None

    def as_dict(self) -> dict:
        return {
            "village_code": self.village_code,
            "village_name": self.village_name,
            "lat": round(self.lat, 6),
            "lng": round(self.lng, 6),
            "site": self.site_label,
            "distance_m": round(self.distance_m),
            "same_township": self.same_township,
            "uncovered": self.uncovered,
            "poverty": self.poverty,
            "nearest_point_m": None if self.nearest_point_m is None else round(self.nearest_point_m),
        }


def replacement_options(
    leaving: Site, villages: Iterable[VillageSites], points: Sequence[Site], rules: StationRules, limit: int = 5
) -> list[ReplacementOption]:
    """Villages where a new point would keep every rule once ``leaving`` closes, best first: same township,
    villages without a point, poverty villages, then nearest to the closing station."""
    remaining = [p for p in points if p.key != leaving.key and p.level == VILLAGE]
    township = leaving.area_code[:9]
    open_villages = []
    for village in villages:
        points_left = village.points - (1 if leaving.level == VILLAGE and leaving.area_code == village.code else 0)
        if points_left < village_quota(village.population, rules) and village.sites:
            open_villages.append((village, points_left))
    sites = [(village, points_left, site) for village, points_left in open_villages for site in village.sites]
    lats = [site[0] for _v, _p, site in sites]
    lngs = [site[1] for _v, _p, site in sites]
    blocked = {
        p.i
        for p in spatial.close_across(
            lats, lngs, [r.lat for r in remaining], [r.lng for r in remaining], rules.min_spacing_m
        )
    }
    distances = spatial.geodesic_many(lats, lngs, [leaving.lat] * len(sites), [leaving.lng] * len(sites))
    best: dict[str, tuple[float, int]] = {}
    for index, (village, _points_left, _site) in enumerate(sites):
        if index not in blocked and (village.code not in best or distances[index] < best[village.code][0]):
            best[village.code] = (float(distances[index]), index)
    options = []
    for distance, index in best.values():
        village, points_left, (lat, lng, label) = sites[index]
        options.append(
            ReplacementOption(
                village_code=village.code,
                village_name=village.name,
                lat=lat,
                lng=lng,
                site_label=label,
                distance_m=distance,
                same_township=village.township_code == township,
                uncovered=points_left == 0,
                poverty=village.poverty,
                nearest_point_m=None,
            )
        )
    options.sort(key=lambda o: (not o.same_township, not o.uncovered, not o.poverty, o.distance_m, o.village_code))
    chosen = options[:limit]
    return [
        ReplacementOption(**{**o.__dict__, "nearest_point_m": _nearest_distance(o.lat, o.lng, remaining)})
        for o in chosen
    ]


def _nearest_distance(lat: float, lng: float, points: Sequence[Site]) -> float | None:
    if not points:
        return None
    distances = spatial.geodesic_many(
        [lat] * len(points), [lng] * len(points), [p.lat for p in points], [p.lng for p in points]
    )
    return float(np.min(distances))


# --- benchmark stations (标杆) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkCriteria:
    """What a benchmark station should show (plan silent beyond "ten benchmark stations"; Cuntong defaults,
    after the Hebei acceptance standards and station assessment practice in DESIGN §6)."""

    months: int = 3
    min_average_score: float = 70.0
    min_services: int = 4
    required_services: tuple[str, ...] = ("express", "live_streaming")
    min_floor_area_m2: Mapping[str, int] = field(default_factory=lambda: {TOWNSHIP: 100, VILLAGE: 30})

    @classmethod
    def from_plan(cls, section: Mapping) -> BenchmarkCriteria:
        """The plan's ``benchmark_criteria`` over these defaults."""
        default = cls()
        unknown = set(section.get("required_services", ())) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown services in the plan's benchmark_criteria: {sorted(unknown)}")
        return cls(
            months=int(section.get("months", default.months)),
            min_average_score=float(section.get("min_average_score", default.min_average_score)),
            min_services=int(section.get("min_services", default.min_services)),
            required_services=tuple(section.get("required_services", default.required_services)),
            min_floor_area_m2={**default.min_floor_area_m2, **section.get("min_floor_area_m2", {})},
        )


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    required: str
    actual: str
    met: bool


def assess_benchmark(
    *,
    level: str,
    status: str,
    services: Sequence[str],
    floor_area_m2: Decimal | None,
    recent: Sequence[tuple[datetime.date, float | None, bool]],
    criteria: BenchmarkCriteria = BenchmarkCriteria(),
) -> list[Criterion]:
    """Each criterion with the requirement, the station's figure and whether it is met.

    ``recent``: (month, score or None without a report, reported on time) for the last ``criteria.months`` months.
    """
    scores = [score for _month, score, _on_time in recent if score is not None]
    average = round(sum(scores) / len(recent), 1) if recent else None
    area_needed = criteria.min_floor_area_m2[level]
    required_labels = "、".join(str(SERVICE_LABELS[s]) for s in criteria.required_services)
    missing_services = [s for s in criteria.required_services if s not in services]
    return [
        Criterion("operating", _("正常运营"), status_label(OPERATING), status_label(status), status == OPERATING),
        Criterion(
            "score",
            _("近%(n)d个月平均活跃度") % {"n": criteria.months},
            f"≥ {criteria.min_average_score:g}",
            "—" if average is None else f"{average:g}",
            average is not None and len(recent) >= criteria.months and average >= criteria.min_average_score,
        ),
        Criterion(
            "reports",
            _("月报按时报送"),
            _("近%(n)d个月全部按时") % {"n": criteria.months},
            f"{sum(1 for r in recent if r[2])}/{criteria.months}",
            len(recent) >= criteria.months and all(on_time for _m, _s, on_time in recent),
        ),
        Criterion(
            "services",
            _("服务项目"),
            _("≥ %(n)d 项，含%(required)s") % {"n": criteria.min_services, "required": required_labels}
            if criteria.required_services
            else f"≥ {criteria.min_services}",
            str(len(services)),
            len(services) >= criteria.min_services and not missing_services,
        ),
        Criterion(
            "floor_area",
            _("场地面积"),
            f"≥ {area_needed} m²",
            "—" if floor_area_m2 is None else f"{floor_area_m2:g} m²",
            floor_area_m2 is not None and floor_area_m2 >= area_needed,
        ),
    ]


# --- operating subsidy (电子商务服务站点运营费用) -----------------------------------------------------------------
# A station's month is claimed on the funds through core.claims (see claims.py): these are the facts it is priced
# from and the plan's rule (rules.funds.station_subsidy) that prices it.


def operating_subsidy(claim: Claim, rule: Mapping) -> Priced:
    """One station's subsidy for one month: nothing for a station eliminated or replaced, not yet operating, or whose
    activity score is missing (no report) or below the minimum; otherwise the monthly amount for its level plus the
    benchmark bonus."""
    facts = claim.facts
    monthly = rule.get("monthly_yuan", {})
    minimum = Decimal(str(rule.get("minimum_activity_score", 0)))
    score = facts.get("activity_score")
    if facts["status"] in (ELIMINATED, REPLACED):
        return Priced(Decimal(0), "eliminated", _("站点已淘汰或被替换，停止补贴"))
    if facts["status"] not in IN_OPERATION:
        return Priced(Decimal(0), "not_operating", _("站点尚未投入运营"))
    if facts["level"] not in LEVEL_LABELS:
        return Priced(Decimal(0), "unknown_level", _("站点层级未知"))
    if score is None:
        return Priced(Decimal(0), "no_report", _("本月无活跃度得分（未报送月报）"))
    if score < minimum:
        return Priced(
            Decimal(0),
            "below_minimum",
            _("活跃度得分 %(score)s 低于 %(minimum)s 分，本月不予补贴")
            % {"score": score.normalize(), "minimum": minimum.normalize()},
        )
    amount = yuan(monthly.get(facts["level"], 0))
    if facts.get("is_benchmark"):
        amount += yuan(monthly.get("benchmark_bonus", 0))
        return Priced(amount, "paid_benchmark", _("运营正常，含标杆站点奖励"))
    return Priced(amount, "paid", _("运营正常"))
