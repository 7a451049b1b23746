"""The station network's part of the public portal: counts and coverage, never a person's name."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cuntong.core.money import percent
from cuntong.core.public import register_portal_section
from cuntong.programme.kpi import AreaScope

from . import rules
from .kpis import coverage_in
from .models import Station


@register_portal_section("stations.network", _("服务站点网络"), template="stations/portal_network.html", order=10)
def network_section(programme) -> dict:
    operating = dict(
        Station.objects.filter(programme=programme, status__in=rules.IN_OPERATION)
        .order_by()
        .values_list("level")
        .annotate(count=Count("pk"))
    )
    figures = coverage_in(AreaScope(programme))
    coverage = figures.coverage
    return {
        "township_stations": operating.get(rules.TOWNSHIP, 0),
        "village_points": operating.get(rules.VILLAGE, 0),
        "township_covered": coverage.township_covered,
        "township_total": coverage.township_total,
        "village_coverage": percent(coverage.village_covered, coverage.village_total),
        "poverty_covered": coverage.poverty_covered,
        "poverty_total": coverage.poverty_total,
        "benchmarks": figures.benchmark_count,
    }
