"""Station operating subsidies (电子商务服务站点运营费用): pure rules and the hook the stations app plugs into.

The stations app is built separately, so funds does not import it. Instead the stations app registers a provider:

    from cuntong.funds.subsidies import StationFacts, register_station_source

    @register_station_source
    def stations_for_subsidy(programme, month):
        for station in Station.objects.filter(programme=programme):
            yield StationFacts(station.pk, station.name, station.level, station.status, score, station.is_benchmark)

Each month, :func:`decide` turns one station's facts and the plan's ``rules.funds.station_subsidy`` into an amount
and a reason. Eliminated stations, stations not yet operating and stations whose activity score is below the
minimum (or missing) get nothing; the rest get the monthly amount for their level plus the benchmark bonus.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from cuntong.core.money import yuan

from .rules import FundRuleViolation

# Station life cycle (DESIGN §2): proposed → approved → built → operating → on probation → eliminated / replaced.
PAID_STATUSES = frozenset({"operating", "probation"})
ENDED_STATUSES = frozenset({"eliminated", "replaced"})
LEVELS = ("township", "village")


@dataclass(frozen=True)
class StationFacts:
    station_id: int
    name: str
    level: str  # "township" (镇级服务站) or "village" (村级服务点)
    status: str
    activity_score: Decimal | None
    is_benchmark: bool = False
    area_code: str = ""
    operator_user_id: int | None = None


@dataclass(frozen=True)
class SubsidyDecision:
    amount: Decimal
    reason_code: str
    reason: str


def decide(station: StationFacts, rule: dict) -> SubsidyDecision:
    """One station's subsidy for one month under ``rule`` (the plan's ``station_subsidy``)."""
    monthly = rule.get("monthly_yuan", {})
    minimum = Decimal(str(rule.get("minimum_activity_score", 0)))
    if station.status in ENDED_STATUSES:
        return SubsidyDecision(Decimal(0), "eliminated", _("站点已淘汰或被替换，停止补贴"))
    if station.status not in PAID_STATUSES:
        return SubsidyDecision(Decimal(0), "not_operating", _("站点尚未投入运营"))
    if station.level not in LEVELS:
        return SubsidyDecision(Decimal(0), "unknown_level", _("站点层级未知"))
    if station.activity_score is None:
        return SubsidyDecision(Decimal(0), "no_report", _("本月无活跃度得分（未报送月报）"))
    if station.activity_score < minimum:
        return SubsidyDecision(
            Decimal(0),
            "below_minimum",
            _("活跃度得分 %(score)s 低于 %(minimum)s 分，本月不予补贴")
            % {"score": station.activity_score.normalize(), "minimum": minimum.normalize()},
        )
    amount = yuan(monthly.get(station.level, 0))
    if station.is_benchmark:
        amount += yuan(monthly.get("benchmark_bonus", 0))
        return SubsidyDecision(amount, "paid_benchmark", _("运营正常，含标杆站点奖励"))
    return SubsidyDecision(amount, "paid", _("运营正常"))


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# --- the station source registry --------------------------------------------------------------------------------

StationSource = Callable[[object, datetime.date], Iterable[StationFacts]]
_sources: list[StationSource] = []


def register_station_source(source: StationSource) -> StationSource:
    """Called by the stations app (or a test) with ``source(programme, month) -> iterable of StationFacts``."""
    if source not in _sources:
        _sources.append(source)
    return source


def unregister_station_source(source: StationSource) -> None:
    if source in _sources:
        _sources.remove(source)


def has_station_source() -> bool:
    return bool(_sources)


def station_facts(programme, month: datetime.date) -> list[StationFacts]:
    if not _sources:
        raise FundRuleViolation("no_station_source", _("站点模块尚未提供站点数据，无法计算运营补贴。"))
    facts: dict[int, StationFacts] = {}
    for source in _sources:
        for station in source(programme, month):
            facts[station.station_id] = station
    return sorted(facts.values(), key=lambda s: s.station_id)
