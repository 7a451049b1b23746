"""What funds adds to other apps' pages: a station's operating subsidies on the station's page."""

from django.utils.translation import gettext_lazy as _

from cuntong.core.panels import panel

from .models import SubsidyLine

STATION_SUBSIDY_ROWS = 6


@panel(
    "stations.station",
    "subsidies",
    title=_("运营补贴"),
    template="funds/_station_subsidies.html",
    permission="funds.view_subsidyline",
    order=50,
)
def station_subsidies(call):
    """The station's latest subsidy lines the viewer may see (a line names its station by id: funds imports no
    stations model); nothing while there are none."""
    lines = list(
        call.related(SubsidyLine, station_id=call.object.pk)
        .select_related("batch")
        .order_by("-batch__month")[: STATION_SUBSIDY_ROWS + 1]
    )
    if not lines:
        return None
    return {"lines": lines[:STATION_SUBSIDY_ROWS], "more": len(lines) > STATION_SUBSIDY_ROWS}
