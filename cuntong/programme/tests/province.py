"""Test helper: a province of three programmes (the Puning programme and two more loaded from the same plan under
other codes), for the commands' ``--all``."""

from cuntong.audit.context import acting_as
from cuntong.programme.models import Programme
from cuntong.programme.services import load_plan
from cuntong.web.testing import puning_plan

OTHER_CODES = ("puning-2020", "puning-2021")


def three_programmes() -> list[Programme]:
    """Every programme, in code order: puning-2019 (the base data's), puning-2020 and puning-2021."""
    with acting_as(None, via="test"):
        for code in OTHER_CODES:
            plan = puning_plan()
            plan.data["programme"]["code"] = code
            load_plan(plan)
    programmes = list(Programme.objects.order_by("code"))
    assert [p.code for p in programmes] == ["puning-2019", *OTHER_CODES]
    return programmes
