"""What the live map and the wall dashboard (大屏) show, computed from the records in one scope.

``stations`` is always an already-restricted queryset (a user's scope, or a display link's area) and the wall's
coverage figures are those of the same :class:`AreaScope` the KPI board uses, so both pages show exactly what their
viewer may see, with the board's figures and its rounding (``core.money.percent``). Payloads are plain JSON: the page renders the first one into
``json_script`` blocks and ``static/stations/live.js`` re-fetches them, replacing the data and redrawing charts and
markers in place.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.core import wall
from cuntong.core.money import format_percent, percent
from cuntong.geo.models import Area
from cuntong.programme.kpi import AreaScope

from . import rules, services
from .kpis import coverage_in
from .models import CheckIn, ManagementProposal, MonthlyReport, ProposalStatus, Station

STATUS_COLOURS = {
    rules.PROPOSED: "#6c8ebf",
    rules.APPROVED: "#0dcaf0",
    rules.BUILT: "#6f42c1",
    rules.OPERATING: "#198754",
    rules.PROBATION: "#fd7e14",
    rules.ELIMINATED: "#dc3545",
    rules.REPLACED: "#adb5bd",
    rules.REJECTED: "#495057",
}
NO_SCORE_COLOUR = "#9aa5b1"


def activity_colour(score: float | None) -> str:
    """Red (0) through amber (50) to green (100)."""
    if score is None:
        return NO_SCORE_COLOUR
    score = max(0.0, min(100.0, score))
    if score < 50:
        red, green = 220, int(53 + (193 - 53) * score / 50)
    else:
        red, green = int(220 - (220 - 25) * (score - 50) / 50), int(193 - (193 - 135) * (score - 50) / 50)
    return f"#{red:02x}{green:02x}{40:02x}"


def map_payload(stations, programme, *, colour_by: str = "status", today: datetime.date | None = None) -> dict:
    """Markers for every station in ``stations``: colour by status or by the latest month's activity score.

    One pass over plain rows (``values()``): labels, colours, link and sentences are made once per page, not per
    marker, so a province's thousands of markers cost a dictionary each."""
    today = today or timezone.localdate()
    rows = stations.values_list("pk", "name", "status", "level", "latitude", "longitude", "area__name")
    ids = stations.order_by().values("pk")
    month = services.latest_scored_month(programme, today)
    reports = {
        pk: (parcels_in, parcels_out)
        for pk, parcels_in, parcels_out in MonthlyReport.objects.filter(station__in=ids, month=month).values_list(
            "station_id", "parcels_in", "parcels_out"
        )
    }
    scores = services.month_scores(programme, month)
    checked_in = set(
        CheckIn.objects.filter(station__in=ids, day=today, is_open=True).values_list("station_id", flat=True)
    )
    labels = {status: rules.status_label(status) for status in rules.STATUSES}
    score_text, parcels_text = _("活跃度 %(s)s"), _("%(m)s 下行 %(i)s 件 / 上行 %(o)s 件")
    month_text = f"{month:%Y-%m}"
    checked_text, unchecked_text = _("今日已打卡"), _("今日未打卡")
    url_head, url_tail = reverse("stations:station_detail", args=[_URL_SENTINEL]).split(str(_URL_SENTINEL))
    by_activity = colour_by == "activity"
    markers = []
    for pk, name, status, level, latitude, longitude, area_name in rows:
        score = scores.get(pk)
        report = reports.get(pk)
        checked = pk in checked_in
        parts = [labels[status], area_name]
        if score is not None:
            parts.append(score_text % {"s": f"{score:g}"})
        if report is not None:
            parts.append(parcels_text % {"m": month_text, "i": f"{report[0]:,}", "o": f"{report[1]:,}"})
        parts.append(checked_text if checked else unchecked_text)
        markers.append(
            {
                "id": pk,
                "lat": float(latitude),
                "lng": float(longitude),
                "color": activity_colour(score) if by_activity else STATUS_COLOURS[status],
                "radius": (9 if level == rules.TOWNSHIP else 6) + (2 if checked else 0),
                "label": name,
                "url": f"{url_head}{pk}{url_tail}",
                "detail": " · ".join(parts),
                "status": status,
                "score": score,
                "parcels_in": report[0] if report else None,
                "parcels_out": report[1] if report else None,
                "checked_in": checked,
            }
        )
    centre = (
        [sum(m["lat"] for m in markers) / len(markers), sum(m["lng"] for m in markers) / len(markers)]
        if markers
        else [float(programme.county.latitude or 23.3), float(programme.county.longitude or 116.17)]
    )
    return {"center": centre, "zoom": 11, "month": month_text, "markers": markers}


_URL_SENTINEL = 987654321


def recent_reports(stations, limit: int = 8) -> list[dict]:
    """The latest submissions (and corrections) in scope, newest first."""
    reports = (
        MonthlyReport.objects.filter(station__in=stations)
        .select_related("station")
        .order_by("-updated_at", "-pk")[:limit]
    )
    return [
        {
            "text": _("%(station)s %(m)s：下行 %(i)s 件，上行 %(o)s 件，网销 ¥%(s)s")
            % {
                "station": r.station.name,
                "m": f"{r.month:%Y-%m}",
                "i": f"{r.parcels_in:,}",
                "o": f"{r.parcels_out:,}",
                "s": f"{r.agri_sales:,.0f}",
            },
            "url": r.get_absolute_url(),
        }
        for r in reports
    ]


def _bar(categories, series, *, horizontal: bool = False, stack: bool = False, unit: str = "") -> dict:
    value_axis = {
        "type": "value",
        "name": unit,
        "axisLabel": {"color": "#c7d3e6"},
        "splitLine": {"lineStyle": {"color": "#1f3c70"}},
    }
    category_axis = {
        "type": "category",
        "data": categories,
        "axisLabel": {"color": "#c7d3e6", "interval": 0, "width": 90, "overflow": "truncate"},
        **({"inverse": True} if horizontal else {}),
    }
    return {
        "backgroundColor": "transparent",
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "textStyle": {"color": "#e6edf7"}} if len(series) > 1 else {"show": False},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 32 if len(series) > 1 else 12, "containLabel": True},
        "xAxis": value_axis
        if horizontal
        else {**category_axis, "axisLabel": {**category_axis["axisLabel"], "rotate": 45 if len(categories) > 8 else 0}},
        "yAxis": category_axis if horizontal else value_axis,
        "series": [
            {
                "name": s["name"],
                "type": s.get("type", "bar"),
                "data": s["data"],
                **({"stack": "total"} if stack else {}),
                **({"itemStyle": {"color": s["color"]}} if s.get("color") else {}),
            }
            for s in series
        ],
    }


def wall_payload(scope: AreaScope, stations, *, today: datetime.date | None = None) -> dict:
    """Every figure of the wall dashboard for the stations in scope; coverage is computed over the scope's areas
    (numerator and denominator), as on the KPI board, and is "—" for a scope that sees no network to total."""
    programme = scope.programme
    today = today or timezone.localdate()
    rows = list(stations.select_related("area"))
    ids = [s.pk for s in rows]
    by_pk = {s.pk: s for s in rows}
    month = services.latest_scored_month(programme, today)

    # stations by status, and by township × status
    status_counts = Counter(s.status for s in rows)
    townships = {a.code: a.name for a in Area.objects.current().filter(code__in={s.area.code[:9] for s in rows})}
    by_township: dict[str, Counter] = defaultdict(Counter)
    for station in rows:
        by_township[station.area.code[:9]][station.status] += 1
    township_codes = sorted(by_township)
    shown_statuses = [s for s in rules.STATUSES if status_counts.get(s)]

    # monthly parcels, the twelve months up to the latest reported one
    first = rules.add_months(month, -11)
    totals = {
        row["month"]: row
        for row in MonthlyReport.objects.filter(station_id__in=ids, month__gte=first, month__lte=month)
        .values("month")
        .annotate(parcels_in=Sum("parcels_in"), parcels_out=Sum("parcels_out"), agri_sales=Sum("agri_sales"))
    }
    months = rules.months_between(first, month)
    current = totals.get(month, {})

    # scores: top and bottom of the latest month, among stations in operation in scope
    scores = {pk: score for pk, score in services.month_scores(programme, month).items() if pk in by_pk}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], by_pk[item[0]].code))
    top = ranked[:10]
    bottom = sorted(ranked[-10:], key=lambda item: (item[1], by_pk[item[0]].code)) if len(ranked) > 10 else []

    coverage = coverage_in(scope)
    completeness = services.month_completeness(programme, month, stations)
    in_operation = [s for s in rows if s.status in rules.IN_OPERATION]
    checked_in = CheckIn.objects.filter(station_id__in=ids, day=today, is_open=True).count()
    alerts = _alerts(scope, stations, by_pk, completeness)
    tiles = {
        "wall-stations": str(len(in_operation)),
        **_coverage_tiles(coverage),
        "wall-parcels-in": f"{current.get('parcels_in') or 0:,}",
        "wall-parcels-out": f"{current.get('parcels_out') or 0:,}",
        "wall-agri-sales": f"{(current.get('agri_sales') or 0):,.0f}",
        "wall-checkins": f"{checked_in}/{len(in_operation)}",
        "wall-reports": f"{completeness.received}/{completeness.expected}",
        "wall-month": f"{month:%Y-%m}",
        "wall-updated": timezone.localtime().strftime("%H:%M:%S"),
    }
    charts = {
        "wall-status-chart": {
            "backgroundColor": "transparent",
            "tooltip": {"trigger": "item"},
            "legend": {"bottom": 0, "textStyle": {"color": "#e6edf7"}},
            "series": [
                {
                    "type": "pie",
                    # counts only: ECharts would add percentages of its own rounding beside the server's
                    "tooltip": {"formatter": "{b}: {c}"},
                    "radius": ["40%", "68%"],
                    "label": {"color": "#e6edf7"},
                    "data": [
                        {
                            "name": rules.status_label(s),
                            "value": status_counts[s],
                            "itemStyle": {"color": STATUS_COLOURS[s]},
                        }
                        for s in shown_statuses
                    ],
                }
            ],
        },
        "wall-township-chart": _bar(
            [townships.get(code, code) for code in township_codes],
            [
                {
                    "name": rules.status_label(s),
                    "data": [by_township[code][s] for code in township_codes],
                    "color": STATUS_COLOURS[s],
                }
                for s in shown_statuses
            ],
            stack=True,
        ),
        "wall-parcels-chart": _bar(
            [f"{m:%Y-%m}" for m in months],
            [
                {"name": _("下行（收件）"), "data": [int(totals.get(m, {}).get("parcels_in") or 0) for m in months]},
                {"name": _("上行（寄件）"), "data": [int(totals.get(m, {}).get("parcels_out") or 0) for m in months]},
            ],
            unit=_("件"),
        ),
        "wall-top-chart": _bar(
            [by_pk[pk].name for pk, _score in top],
            [{"name": _("活跃度"), "data": [score for _pk, score in top], "color": "#20c997"}],
            horizontal=True,
        ),
        "wall-bottom-chart": _bar(
            [by_pk[pk].name for pk, _score in bottom],
            [{"name": _("活跃度"), "data": [score for _pk, score in bottom], "color": "#fd7e14"}],
            horizontal=True,
        ),
    }
    sections = wall.section_payload(scope)  # what other apps add (core.wall)
    return {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "month": f"{month:%Y-%m}",
        "scripts": charts,
        "text": {**tiles, **sections["text"]},
        "lists": {"wall-alerts": alerts},
        "sections": sections["sections"],
    }


def _coverage_tiles(figures) -> dict[str, str]:
    if figures is None:
        return dict.fromkeys(
            ("wall-township-coverage", "wall-village-coverage", "wall-poverty-coverage", "wall-benchmarks"), "—"
        )
    cov = figures.coverage
    return {
        "wall-township-coverage": f"{cov.township_covered}/{cov.township_total}",
        "wall-village-coverage": format_percent(percent(cov.village_covered, cov.village_total)),
        "wall-poverty-coverage": f"{cov.poverty_covered}/{cov.poverty_total}",
        "wall-benchmarks": str(figures.benchmark_count),
    }


def _alerts(scope: AreaScope, stations, by_pk, completeness) -> list[dict]:
    programme = scope.programme
    """Open items the office should act on: pending proposals, probation, rule violations, missing reports."""
    alerts = []
    for proposal in (
        ManagementProposal.objects.filter(station__in=stations, status=ProposalStatus.PENDING)
        .select_related("station")
        .order_by("-created_at")[:6]
    ):
        alerts.append(
            {
                "text": _("待审定：%(s)s %(k)s") % {"s": proposal.station.name, "k": proposal.get_kind_display()},
                "tone": "warning",
            }
        )
    on_probation = [s for s in by_pk.values() if s.status == rules.PROBATION]
    if on_probation:
        alerts.append(
            {
                "text": _("观察期站点 %(n)d 个：%(names)s")
                % {"n": len(on_probation), "names": "、".join(s.name for s in on_probation[:5])},
                "tone": "warning",
            }
        )
    check = services.network_check(programme)
    areas = scope.codes(Station)
    mine = [
        v
        for v in check.violations
        if any(key in by_pk for key in violation_keys(v))
        or (not v.sites and any(v.area_code.startswith(code) for code in areas))  # a township with no station
    ]
    if mine:
        alerts.append(
            {
                # Stations the wall does not show are named only as another township's station.
                "text": _("站点规则问题 %(n)d 项：%(first)s")
                % {"n": len(mine), "first": mine[0].message_for(set(by_pk))},
                "tone": "danger",
            }
        )
    if completeness.missing:
        names = "、".join(by_pk[pk].name for pk in completeness.missing[:5] if pk in by_pk)
        alerts.append(
            {
                "text": _("%(m)s 月报未报 %(n)d 个：%(names)s")
                % {"m": f"{completeness.month:%Y-%m}", "n": len(completeness.missing), "names": names},
                "tone": "danger",
            }
        )
    if not alerts:
        alerts.append({"text": _("暂无待处理事项"), "tone": "success"})
    return alerts


def violation_keys(violation: rules.Violation) -> list:
    if isinstance(violation, rules.SpacingViolation):
        return [violation.a.key, violation.b.key]
    return [site.key for site in violation.sites]
