"""The fund dashboard's figures: budget against committed, approved and paid by line and source, and payments
against the plan's timetable. Chart data go to the page through ``json_script`` and the shared chart helper."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.core.money import percent, yuan_to_wan
from cuntong.programme.kpi import AreaScope, registry
from cuntong.programme.models import FundSource

from . import queries, rules
from .models import Appeal, BudgetLine, DisbursementRequest


def _wan(amount) -> str:
    """Chart values as exact decimal strings (ECharts reads numeric strings): money never becomes a float."""
    return f"{yuan_to_wan(amount or 0):.2f}"


def budget_chart(lines) -> dict:
    """Horizontal grouped bars (phone friendly): budget, committed, approved and paid per line, in 万元."""
    series = [
        (_("预算"), "amount"),
        (_("已承诺"), "committed_amount"),
        (_("已批准"), "approved_amount"),
        (_("已拨付"), "paid_amount"),
    ]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "value", "name": _("万元")},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [f"{line.project.number} {line.get_source_display()}" for line in lines],
            "axisLabel": {"width": 120, "overflow": "truncate"},
        },
        "series": [
            {"name": name, "type": "bar", "data": [_wan(getattr(line, field)) for line in lines]}
            for name, field in series
        ],
    }


def progress(programme, lines) -> dict:
    """Cumulative payments by month against the timetable's expectation, from the implementation phase's start."""
    phase = programme.phases.filter(code="implementation").first()
    start = phase.start_date if phase else programme.start_date
    days = rules.month_ends(start, programme.end_date)
    expected = rules.planned_cumulative([(line.amount, line.project.due_date) for line in lines], start, days)
    paid_by_month = dict(
        DisbursementRequest.objects.filter(programme=programme, status=rules.Status.PAID)
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    actual, running = [], Decimal(0)
    for day in days:
        running += sum(
            (
                total
                for month, total in paid_by_month.items()
                if month and (month.year, month.month) == (day.year, day.month)
            ),
            Decimal(0),
        )
        actual.append(running)
    today = timezone.localdate()
    budget = sum((line.amount for line in lines), Decimal(0))
    expected_now = rules.planned_cumulative([(line.amount, line.project.due_date) for line in lines], start, [today])[0]
    paid_now = sum((line.paid_amount for line in lines), Decimal(0))
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{d:%Y-%m}" for d in days]},
        "yAxis": {"type": "value", "name": _("万元")},
        "series": [
            {
                "name": _("计划进度（按实施期线性）"),
                "type": "line",
                "data": [_wan(v) for v in expected],
                "lineStyle": {"type": "dashed"},
            },
            {"name": _("累计拨付"), "type": "line", "data": [_wan(v) for v in actual], "areaStyle": {}},
        ],
    }
    return {
        "chart": chart,
        "expected_now": expected_now,
        "expected_percent": percent(expected_now, budget),
        "paid_percent": percent(paid_now, budget),
        "start": start,
    }


def context(programme, user) -> dict:
    lines = list(
        queries.lines_with_figures(
            BudgetLine.objects.filter(project__programme=programme, amount__gt=0).select_related("project")
        ).order_by("project__number", "source")
    )
    totals = queries.programme_totals(programme)
    requests = DisbursementRequest.objects.filter(programme=programme)
    queue = requests.aggregate(
        **{
            status: Count("pk", filter=Q(status=status))
            for status in (rules.Status.SUBMITTED, rules.Status.REVIEWED, rules.Status.APPROVED, rules.Status.RETURNED)
        }
    )
    appeals = Appeal.objects.filter(programme=programme, status__in=rules.AppealStatus.OPEN)
    return {
        "programme": programme,
        "lines": lines,
        "totals": [
            (source, label, totals.get(source)) for source, label in [*FundSource.choices, ("total", _("合计"))]
        ],
        "budget_chart": budget_chart(lines),
        "progress": progress(programme, lines),
        "queue": queue,
        "open_appeals": appeals.count(),
        "overdue_appeals": appeals.filter(deadline__lt=timezone.localdate()).count(),
        "kpis": registry.evaluate(AreaScope(programme, user), [d.key for d in registry if d.module == "funds"]),
    }
