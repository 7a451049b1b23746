"""Express KPIs: the county's volume growth year on year (the plan's target: above 20 %) and the share of the volume
that passes the stations. Both count the volumes the scope sees (the county, or a user's townships)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cuntong.programme.kpi import AreaScope, Measurement, registry, shared
from cuntong.stations.models import Station

from . import rules, services
from .models import ExpressVolume


def volumes(scope: AreaScope):
    return scope.records(ExpressVolume.objects.all())


@shared
def growth_in(scope: AreaScope) -> rules.Growth | None:
    return services.growth(volumes(scope))


def _latest_months(scope: AreaScope):
    growth = growth_in(scope)
    return volumes(scope).filter(month__year=growth.year, month__lte=growth.through) if growth else volumes(scope)


@registry.register(
    "logistics.express_growth",
    _("快递业务量同比增长率"),
    model=ExpressVolume,
    unit="%",
    description=_(
        "最近有数据的年份1月至最近月份的快递业务量（下行+上行）比上年同期的增长率；只比较两年都有数据的月份，"
        "缺少的月份在说明中列出。"
    ),
    drilldown=_latest_months,
)
def express_growth(scope: AreaScope) -> Measurement:
    growth = growth_in(scope)
    if growth is None or not growth.compared:
        return Measurement(None, note=growth.note() if growth else "")
    return Measurement(growth.ytd_growth, growth.ytd_current, growth.ytd_previous, growth.note())


@registry.register(
    "logistics.station_share",
    _("经服务站点的快递占比"),
    model=ExpressVolume,
    unit="%",
    description=_("服务站点月报的收寄件量占同期邮政统计快递业务量的比例（最近有数据的年份）。"),
    drilldown=_latest_months,
)
def station_share(scope: AreaScope) -> Measurement:
    growth = growth_in(scope)
    if growth is None or not growth.compared:
        return Measurement(None)
    months = [m.month for m in growth.compared]
    if not scope.codes(Station):
        return Measurement(None)
    through_stations = services.station_parcels(scope.records(Station.objects.all()), months)
    return Measurement.ratio(through_stations, growth.ytd_current)
