"""Budget execution KPIs (预算执行): computed from contracts and requests, each with the records behind it."""

from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.money import yuan_to_wan
from cuntong.programme.kpi import Measurement, registry, shared

from . import queries, rules
from .models import Appeal, BudgetLine, DisbursementRequest

_programme_totals = shared(queries.programme_totals)


def _totals(programme, source="total") -> dict:
    return _programme_totals(programme).get(source) or {
        "budget": Decimal(0),
        "paid": Decimal(0),
        "committed": Decimal(0),
    }


def _lines(programme, user):
    return queries.lines_with_figures(
        BudgetLine.objects.restrict(user, "view").filter(project__programme=programme).select_related("project")
    )


def _paid_requests(source=None):
    def drilldown(programme, user):
        rows = DisbursementRequest.objects.restrict(user, "view").filter(programme=programme, status=rules.Status.PAID)
        return rows.filter(allocation__source=source) if source else rows

    return drilldown


@registry.register("funds.execution_rate", _("预算执行率（已拨付/预算）"), unit="%", drilldown=_paid_requests())
def execution_rate(programme):
    totals = _totals(programme)
    return Measurement.ratio(totals["paid"], totals["budget"])


@registry.register("funds.commitment_rate", _("预算承诺率（合同及已批支出/预算）"), unit="%", drilldown=_lines)
def commitment_rate(programme):
    totals = _totals(programme)
    return Measurement.ratio(totals["committed"], totals["budget"])


@registry.register("funds.paid_national", _("已拨付国家专项资金"), unit="万元", drilldown=_paid_requests("national"))
def paid_national(programme):
    return Measurement(yuan_to_wan(_totals(programme, "national")["paid"]).normalize())


@registry.register("funds.paid_local", _("已拨付本级财政配套资金"), unit="万元", drilldown=_paid_requests("local"))
def paid_local(programme):
    return Measurement(yuan_to_wan(_totals(programme, "local")["paid"]).normalize())


def _over_budget(programme, user):
    return _lines(programme, user).filter(approved_amount__gt=F("amount"))


@registry.register("funds.lines_over_budget", _("超预算的预算线"), unit="条", drilldown=_over_budget)
def lines_over_budget(programme):
    rows = queries.lines_with_figures(BudgetLine.objects.filter(project__programme=programme))
    return Measurement(rows.filter(approved_amount__gt=F("amount")).count())


def _overdue(programme, user):
    return Appeal.objects.restrict(user, "view").filter(
        programme=programme, status__in=rules.AppealStatus.OPEN, deadline__lt=timezone.localdate()
    )


@registry.register("funds.overdue_appeals", _("超期未办结申诉"), unit="件", drilldown=_overdue)
def overdue_appeals(programme):
    return Measurement(
        Appeal.objects.filter(
            programme=programme, status__in=rules.AppealStatus.OPEN, deadline__lt=timezone.localdate()
        ).count()
    )
