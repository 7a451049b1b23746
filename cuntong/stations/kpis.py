"""Coverage KPIs (plan targets stations.*): only stations in operation count; drill-downs list what is missing."""

from django.utils.translation import gettext_lazy as _

from cuntong.geo.models import Area
from cuntong.programme.kpi import Measurement, registry, shared

from . import rules, services
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


_coverage_for = shared(services.coverage_for)


def _coverage_kpi(covered: str, total: str, uncovered: str):
    def calculate(programme):
        coverage = _coverage_for(programme).coverage
        return Measurement.ratio(getattr(coverage, covered), getattr(coverage, total))

    def drilldown(programme, user):
        codes = getattr(services.coverage_for(programme).coverage, uncovered)
        return Area.objects.current().filter(code__in=codes).restrict(user, "view").order_by("code")

    return calculate, drilldown


for key, name, description, (covered, total, uncovered) in COVERAGE_KPIS:
    calculate, drilldown = _coverage_kpi(covered, total, uncovered)
    registry.register(key, name, unit="%", description=description, drilldown=drilldown)(calculate)


def _benchmarks(programme):
    return Station.objects.filter(programme=programme, is_benchmark=True, status__in=rules.IN_OPERATION)


@registry.register(
    "stations.benchmark_count",
    _("标杆服务站点"),
    unit="个",
    description=_("认定为标杆且运营中的站点数。"),
    drilldown=lambda programme, user: _benchmarks(programme).restrict(user, "view").select_related("area"),
)
def benchmark_count(programme):
    return Measurement(_benchmarks(programme).count())
