"""The plan's own figures as KPIs: the budget must total what the plan declares, by source."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from cuntong.core.money import yuan_to_wan

from .kpi import Measurement, registry
from .models import BudgetAllocation


def _allocations(programme, source=None):
    rows = BudgetAllocation.objects.filter(project__programme=programme)
    return rows.filter(source=source) if source else rows


def _allocations_for(source=None):
    def drilldown(programme, user):
        return _allocations(programme, source).restrict(user, "view").select_related("project")

    return drilldown


def _budget_wan(programme, source=None) -> Measurement:
    total = _allocations(programme, source).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return Measurement(yuan_to_wan(total).normalize())


registry.register("programme.budget_total", _("项目总投入"), unit="万元", drilldown=_allocations_for())(
    lambda programme: _budget_wan(programme)
)
registry.register("programme.budget_national", _("国家专项资金"), unit="万元", drilldown=_allocations_for("national"))(
    lambda programme: _budget_wan(programme, "national")
)
registry.register("programme.budget_local", _("本级财政配套资金"), unit="万元", drilldown=_allocations_for("local"))(
    lambda programme: _budget_wan(programme, "local")
)
