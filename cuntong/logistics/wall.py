"""What logistics adds to the wall dashboard (大屏, ``core.wall``): the shared delivery's parcels at the stations.

The figures are the wall scope's parcels (``scope.records``); every step of a parcel bumps the programme's data
version (``services._events``), so the cached wall shows a hand-over on its next refresh."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.wall import wall_section

from . import rules
from .models import Parcel


@wall_section(
    "logistics",
    title=_("共同配送"),
    figures=(
        ("waiting", _("站点待取包裹")),
        ("picked-up", _("本月已取件")),
        ("overdue", _("超期未取")),
        ("days-to-pickup", _("本月平均到件至取件（天）")),
    ),
    order=20,
)
def parcels(scope):
    """Waiting and overdue at the stations now; handed out this month and their average days from arrival at the
    county centre to pickup. Nothing for a scope that sees no parcels."""
    if not scope.codes(Parcel):
        return None
    today = timezone.localdate()
    month = rules.month_start(today)
    parcels = scope.records(Parcel.objects.all())
    picked_this_month = Q(status=rules.PICKED_UP, picked_up_at__date__gte=month)
    counts = parcels.aggregate(
        waiting=Count("pk", filter=Q(status=rules.AT_STATION)),
        overdue=Count("pk", filter=Q(status=rules.AT_STATION, held_until__lt=today)),
        picked_up=Count("pk", filter=picked_this_month),
    )
    days = None
    if counts["picked_up"]:  # a second query only when there is something to average
        pairs = parcels.filter(picked_this_month, arrived_at__isnull=False).values_list("arrived_at", "picked_up_at")
        days = rules.average_days(pairs.iterator())
    return {
        "waiting": counts["waiting"],
        "picked-up": counts["picked_up"],
        "overdue": counts["overdue"],
        "days-to-pickup": days,
    }
