"""What the funds app needs for the monthly station operating subsidy (``funds.subsidies``): each station's level,
its status at the end of the month, whether it is a benchmark, and that month's activity score — None when the
station filed no report, so funds pays nothing and says why."""

from __future__ import annotations

import datetime
from decimal import Decimal

from cuntong.funds.subsidies import StationFacts, register_station_source

from . import rules, services
from .models import MonthlyReport, Station, StationEvent


def status_at(programme, day: datetime.date) -> dict[int, str]:
    """Each station's status on ``day``, from its dated life-cycle events (the latest on or before that day)."""
    statuses: dict[int, str] = {}
    for station_id, status in (
        StationEvent.objects.filter(station__programme=programme, on__lte=day)
        .order_by("station_id", "on", "created_at", "pk")
        .values_list("station_id", "to_status")
    ):
        statuses[station_id] = status
    return statuses


@register_station_source
def station_facts(programme, month: datetime.date):
    month = rules.month_start(month)
    statuses = status_at(programme, rules.month_end(month))
    scores = services.month_scores(programme, month)
    reported = set(
        MonthlyReport.objects.filter(station__programme=programme, month=month).values_list("station_id", flat=True)
    )
    for station in Station.objects.filter(programme=programme, pk__in=statuses).select_related("area"):
        score = scores.get(station.pk) if station.pk in reported else None
        yield StationFacts(
            station_id=station.pk,
            name=station.name,
            level=station.level,
            status=statuses[station.pk],
            activity_score=None if score is None else Decimal(str(score)),
            is_benchmark=station.is_benchmark,
            area_code=station.area.code,
            operator_user_id=station.operator_user_id,
        )
