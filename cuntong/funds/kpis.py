"""Budget execution KPIs (预算执行): computed from contracts and requests, each with the records behind it.

Payments and contracts have no area of their own, so these figures exist only for county-wide scopes that may see
every payment (the office, finance, evaluators); a township official, a contractor or a station keeper gets none
rather than the county's.
"""

from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.money import yuan_to_wan
from cuntong.programme.kpi import Measurement, registry, shared

from . import queries, rules
from .models import Appeal, BudgetLine, DisbursementRequest

EMPTY = {"budget": Decimal(0), "paid": Decimal(0), "committed": Decimal(0)}


_programme_totals = shared(queries.programme_totals)


def _totals(scope, source="total") -> dict:
    # The registry computes these only for scopes that see every payment (DisbursementRequest has no area, so
    # its scope is the whole programme or nothing): the programme's totals are the scope's.
    if not scope.is_whole(DisbursementRequest):
        raise ValueError("fund totals exist for the whole programme only")
    return _programme_totals(scope.programme).get(source) or EMPTY


def _lines(scope):
    return queries.lines_with_figures(scope.records(BudgetLine.objects.all())).select_related("project")


def _paid_requests(source=None):
    def drilldown(scope):
        rows = scope.records(DisbursementRequest.objects.filter(status=rules.Status.PAID))
        return rows.filter(allocation__source=source) if source else rows

    return drilldown


def _register(key: str, name, unit: str, drilldown):
    return registry.register(key, name, model=DisbursementRequest, unit=unit, drilldown=drilldown)


@_register("funds.execution_rate", _("预算执行率（已拨付/预算）"), "%", _paid_requests())
def execution_rate(scope):
    totals = _totals(scope)
    return Measurement.ratio(totals["paid"], totals["budget"])


@_register("funds.commitment_rate", _("预算承诺率（合同及已批支出/预算）"), "%", _lines)
def commitment_rate(scope):
    totals = _totals(scope)
    return Measurement.ratio(totals["committed"], totals["budget"])


@_register("funds.paid_national", _("已拨付国家专项资金"), "万元", _paid_requests("national"))
def paid_national(scope):
    return Measurement(yuan_to_wan(_totals(scope, "national")["paid"]).normalize())


@_register("funds.paid_local", _("已拨付本级财政配套资金"), "万元", _paid_requests("local"))
def paid_local(scope):
    return Measurement(yuan_to_wan(_totals(scope, "local")["paid"]).normalize())


def _over_budget(scope):
    return _lines(scope).filter(approved_amount__gt=F("amount"))


@_register("funds.lines_over_budget", _("超预算的预算线"), "条", _over_budget)
def lines_over_budget(scope):
    return Measurement(_over_budget(scope).count())


def _overdue(scope):
    return scope.records(
        Appeal.objects.filter(status__in=rules.AppealStatus.OPEN, deadline__lt=timezone.localdate())
    ).order_by("deadline")


@registry.register("funds.overdue_appeals", _("超期未办结申诉"), model=Appeal, unit="件", drilldown=_overdue)
def overdue_appeals(scope):
    return Measurement(_overdue(scope).count())
