"""Background jobs: the placement optimiser (from the planning page or `cuntong stations plan`)."""

from cuntong.jobs.services import handler
from cuntong.programme.models import Programme

from . import services


@handler("stations.plan")
def plan(
    progress,
    *,
    programme_id: int,
    township_code: str | None = None,
    village_target: float = 50,
    poverty_target: float = 100,
    time_limit: float = 30,
) -> dict:
    return services.run_placement(
        Programme.objects.get(pk=programme_id),
        progress=progress,
        time_limit=time_limit,
        township_code=township_code,
        village_target=village_target,
        poverty_target=poverty_target,
    )
