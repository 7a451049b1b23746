"""What logistics adds to other apps' pages: the shared delivery's parcels at a station, on the station's page."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.panels import panel

from . import rules
from .models import Parcel


@panel(
    "stations.station",
    "parcels",
    title=_("共同配送包裹"),
    template="logistics/_station_parcels.html",
    permission="logistics.view_parcel",
    order=40,
)
def station_parcels(call):
    """Waiting, overdue, handed out and returned this month at the station (the parcels the viewer may see)."""
    today = timezone.localdate()
    month = rules.month_start(today)
    counts = call.related(Parcel, "station").aggregate(
        waiting=Count("pk", filter=Q(status=rules.AT_STATION)),
        overdue=Count("pk", filter=Q(status=rules.AT_STATION, held_until__lt=today)),
        picked_up=Count("pk", filter=Q(status=rules.PICKED_UP, picked_up_at__date__gte=month)),
        returned=Count("pk", filter=Q(status=rules.RETURNED, returned_at__date__gte=month)),
    )
    if not any(counts.values()):
        return None
    return {"counts": counts, "station": call.object}
