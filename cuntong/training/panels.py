"""Where people already look: a station's page lists the training sessions it hosts; a village's page its trainees
and its poverty training coverage. Rows come from ``call.related`` (restricted like the training pages)."""

from django.utils.translation import gettext_lazy as _

from cuntong.core.panels import panel
from cuntong.people.models import Resident

from . import services
from .models import Session, Trainee

ROWS = 8


@panel(
    "stations.station",
    "training_sessions",
    title=_("培训班"),
    template="training/_station_sessions.html",
    permission="training.view_session",
    order=60,
)
def station_sessions(call):
    sessions = list(
        call.related(Session, "station").select_related("course").order_by("-start_date", "code")[: ROWS + 1]
    )
    if not sessions:
        return None
    return {"sessions": sessions[:ROWS], "more": len(sessions) > ROWS}


def _is_village(call) -> bool:
    return getattr(call.object, "level", "") == "village"


@panel(
    "geo.area",
    "training_village",
    title=_("培训学员"),
    template="training/_village_trainees.html",
    permission="training.view_trainee",
    visible=_is_village,
    order=60,
)
def village_trainees(call):
    village = call.object
    trainees = call.related(Trainee, "village")
    count = trainees.count()
    coverage = None
    if call.user.has_perm("people.view_resident") and village.is_provincial_poverty_village:
        population = set(call.related(Resident, "village").poverty_training_population().values_list("pk", flat=True))
        programme = getattr(call.request, "programme", None)
        if programme:
            trained = services.trained_resident_ids(programme, services.training_rules(programme).coverage_modes)
            coverage = (len(population & trained), len(population))
    if not count and coverage is None:
        return None
    return {"trainees": trainees.order_by("name")[:ROWS], "count": count, "coverage": coverage}
