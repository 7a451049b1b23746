"""The stations' claim on the funds (``core.claims``): each month, every station in the network claims its operating
subsidy (电子商务服务站点运营费用), priced by ``rules.operating_subsidy`` under the plan's ``rules.funds.station_subsidy``
(which names the sub-item it is paid from). The facts of a claim are the station's level, its status at the end of
the month, whether it is a benchmark, and that month's activity score — None when the station filed no report, so it
is paid nothing and told why. Funds builds, shows and approves the batch; the stations app never imports funds."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuntong.core import claims

from . import rules, services
from .models import MonthlyReport, Station, StationEvent


def station_claim(
    station_id: int,
    name: str,
    level: str,
    status: str,
    activity_score: Decimal | None,
    is_benchmark: bool = False,
    area_code: str = "",
    operator_user_id: int | None = None,
) -> claims.Claim:
    """One station's month as a claim: what ``rules.operating_subsidy`` prices."""
    facts = {"level": level, "status": status, "activity_score": activity_score, "is_benchmark": is_benchmark}
    return claims.Claim(station_id, name, facts, area_code=area_code, claimant_id=operator_user_id)


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


def station_claims(programme, month: datetime.date):
    """Every station that was in the network at the end of ``month``, with that month's facts."""
    month = rules.month_start(month)
    statuses = status_at(programme, rules.month_end(month))
    scores = services.month_scores(programme, month)
    reported = set(
        MonthlyReport.objects.filter(station__programme=programme, month=month).values_list("station_id", flat=True)
    )
    for station in Station.objects.filter(programme=programme, pk__in=statuses).select_related("area"):
        score = scores.get(station.pk) if station.pk in reported else None
        yield station_claim(
            station.pk,
            station.name,
            station.level,
            statuses[station.pk],
            None if score is None else Decimal(str(score)),
            station.is_benchmark,
            station.area.code,
            station.operator_user_id,
        )


OPERATING_SUBSIDY = claims.register(
    claims.ClaimSource(
        code="station_subsidy",
        kind=claims.SUBSIDY,
        label=_("站点运营补贴"),
        plan_rule="funds.station_subsidy",
        subject_model="stations.station",
        collect=station_claims,
        price=rules.operating_subsidy,
        facts=(
            claims.Fact("level", _("层级"), choices=rules.LEVEL_LABELS),
            claims.Fact("status", pgettext_lazy("subsidy line", "站点状态"), choices=rules.STATUS_LABELS),
            claims.Fact("activity_score", _("活跃度得分")),
            claims.Fact("is_benchmark", pgettext_lazy("subsidy line", "标杆站点"), "bool"),
        ),
        subject_label=_("站点"),
        unit=_("个站点"),
        payee=_("各电子商务服务站点（见补贴明细）"),
        reasons={
            "paid": _("运营正常"),
            "paid_benchmark": pgettext_lazy("subsidy line", "标杆站点"),
            "below_minimum": _("活跃度不足"),
            "no_report": _("未报送月报"),
            "eliminated": _("已淘汰"),
            "not_operating": _("尚未运营"),
        },
    )
)
