"""The plan's own figures as KPIs: the budget must total what the plan declares, by source.

The budget is programme-wide (every member reads the plan), so every scope that sees it sees all of it."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from cuntong.core.money import yuan_to_wan

from .kpi import Measurement, registry
from .models import BudgetAllocation


def _allocations(scope, source=None):
    rows = scope.records(BudgetAllocation.objects.all())
    return rows.filter(source=source) if source else rows


def _register_budget(key: str, name, source=None) -> None:
    def calculate(scope) -> Measurement:
        total = _allocations(scope, source).aggregate(total=Sum("amount"))["total"] or Decimal(0)
        return Measurement(yuan_to_wan(total).normalize())

    def drilldown(scope):
        return _allocations(scope, source).select_related("project")

    registry.register(key, name, model=BudgetAllocation, unit="万元", drilldown=drilldown)(calculate)


_register_budget("programme.budget_total", _("项目总投入"))
_register_budget("programme.budget_national", _("国家专项资金"), "national")
_register_budget("programme.budget_local", _("本级财政配套资金"), "local")
