"""Coverage KPIs (plan targets stations.*): only stations in operation count; drill-downs list what is missing."""

from django.utils.translation import gettext_lazy as _

from cuntong.geo.models import Area
from cuntong.programme.kpi import Measurement, registry

from . import rules, services
from .models import Station


def _uncovered(attribute: str):
    def drilldown(programme, user):
        codes = getattr(services.coverage_for(programme).coverage, attribute)
        return Area.objects.current().filter(code__in=codes).restrict(user, "view").order_by("code")

    return drilldown


@registry.register(
    "stations.township_coverage",
    _("镇级服务站覆盖率"),
    unit="%",
    description=_("有运营中（含观察期）镇级服务站的乡级单位占全部乡级单位的比例；明细为尚无服务站的乡镇。"),
    drilldown=_uncovered("uncovered_townships"),
)
def township_coverage(programme):
    cov = services.coverage_for(programme).coverage
    return Measurement.ratio(cov.township_covered, cov.township_total)


@registry.register(
    "stations.village_coverage",
    _("行政村服务点覆盖率"),
    unit="%",
    description=_("有运营中（含观察期）服务点的行政村（村委会）占全部行政村的比例；明细为尚未覆盖的行政村。"),
    drilldown=_uncovered("uncovered_villages"),
)
def village_coverage(programme):
    cov = services.coverage_for(programme).coverage
    return Measurement.ratio(cov.village_covered, cov.village_total)


@registry.register(
    "stations.poverty_village_coverage",
    _("省定贫困村服务点覆盖率"),
    unit="%",
    description=_("有运营中（含观察期）服务点的省定贫困村比例；明细为尚未覆盖的省定贫困村。"),
    drilldown=_uncovered("uncovered_poverty_villages"),
)
def poverty_village_coverage(programme):
    cov = services.coverage_for(programme).coverage
    return Measurement.ratio(cov.poverty_covered, cov.poverty_total)


def _benchmarks(programme, user):
    return (
        Station.objects.restrict(user, "view")
        .filter(programme=programme, is_benchmark=True, status__in=rules.IN_OPERATION)
        .select_related("area")
    )


@registry.register(
    "stations.benchmark_count",
    _("标杆服务站点"),
    unit="个",
    description=_("认定为标杆且运营中的站点数。"),
    drilldown=_benchmarks,
)
def benchmark_count(programme):
    return Measurement(
        Station.objects.filter(programme=programme, is_benchmark=True, status__in=rules.IN_OPERATION).count()
    )
