"""Coverage KPIs (plan targets stations.*): only stations in operation count; drill-downs list what is missing.

Every figure is computed over the areas of the scope (a user's townships, a display link's area, or the county):
numerator and denominator alike. :func:`coverage_in` is what the coverage page, the wall and the API show too.
"""

from __future__ import annotations

from dataclasses import fields

from django.utils.translation import gettext_lazy as _

from cuntong.geo.models import Area
from cuntong.programme.kpi import AreaScope, Measurement, registry, shared

from . import policies, rules, services
from .models import Station

# key, name, description, the coverage fields: covered, total, uncovered codes
COVERAGE_KPIS = (
    (
        "stations.township_coverage",
        _("镇级服务站覆盖率"),
        _("有运营中（含观察期）镇级服务站的乡级单位占全部乡级单位的比例；明细为尚无服务站的乡镇。"),
        ("township_covered", "township_total", "uncovered_townships"),
    ),
    (
        "stations.village_coverage",
        _("行政村服务点覆盖率"),
        _("有运营中（含观察期）服务点的行政村（村委会）占全部行政村的比例；明细为尚未覆盖的行政村。"),
        ("village_covered", "village_total", "uncovered_villages"),
    ),
    (
        "stations.poverty_village_coverage",
        _("省定贫困村服务点覆盖率"),
        _("有运营中（含观察期）服务点的省定贫困村比例；明细为尚未覆盖的省定贫困村。"),
        ("poverty_covered", "poverty_total", "uncovered_poverty_villages"),
    ),
)


def _merged(parts: list[rules.Coverage]) -> rules.Coverage:
    """Coverage of disjoint areas as one: counts add up, uncovered codes join."""
    values = {}
    for item in fields(rules.Coverage):
        column = [getattr(part, item.name) for part in parts]
        values[item.name] = (
            tuple(sorted(code for codes in column for code in codes))
            if column and isinstance(column[0], tuple)
            else sum(column)
        )
    return rules.Coverage(**values)


@shared
def coverage_in(scope: AreaScope) -> services.CoverageFigures | None:
    """Coverage over the scope's areas for the station network; None when the scope sees no network to total (a
    keeper sees their own station, not their township's coverage). Two queries per area."""
    codes = scope.codes(Station)
    if not codes:
        return None
    parts = [services.coverage_for(scope.programme, area_code=code) for code in codes]
    return services.CoverageFigures(_merged([p.coverage for p in parts]), sum(p.benchmark_count for p in parts))


def network_coverage(scope: AreaScope) -> services.CoverageFigures:
    """Coverage over the scope for the coverage page and the API, as the policy allows."""
    figures = coverage_in(scope)
    policies.require_coverage(figures)
    return figures


def _coverage_kpi(covered: str, total: str, uncovered: str):
    def calculate(scope):
        coverage = coverage_in(scope).coverage
        return Measurement.ratio(getattr(coverage, covered), getattr(coverage, total))

    def drilldown(scope):
        codes = getattr(coverage_in(scope).coverage, uncovered)
        return scope.records(Area.objects.current().filter(code__in=codes)).order_by("code")

    return calculate, drilldown


for key, name, description, (covered, total, uncovered) in COVERAGE_KPIS:
    calculate, drilldown = _coverage_kpi(covered, total, uncovered)
    registry.register(key, name, model=Station, unit="%", description=description, drilldown=drilldown)(calculate)


@shared
def _benchmark_ids(programme) -> set[int]:
    return services.benchmark_station_ids(programme)


def _benchmarks(scope):
    """Stations meeting every one of the plan's benchmark criteria now, computed from their records (the stored
    flag is only the last monthly review's copy of this)."""
    stations = Station.objects.filter(pk__in=_benchmark_ids(scope.programme), status__in=rules.IN_OPERATION)
    return scope.records(stations).select_related("area").order_by("code")


@registry.register(
    "stations.benchmark_count",
    _("标杆服务站点"),
    model=Station,
    unit="个",
    description=_("运营中且符合规划全部标杆标准（活跃度、服务项目等）的站点数。"),
    drilldown=_benchmarks,
)
def benchmark_count(scope):
    return Measurement(_benchmarks(scope).count())
