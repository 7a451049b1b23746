"""Programme-wide records have no area of their own: their history is filed under the programme's county, reached
through the scope path's relations (audit never imports the programme app)."""

import pytest

from cuntong.audit.changelog import history_of
from cuntong.audit.context import acting_as
from cuntong.programme.models import SubItem
from cuntong.web.testing import PUNING, area, programme

pytestmark = pytest.mark.usefixtures("base_data")


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(lambda: programme(), id="the programme itself"),
        pytest.param(lambda: programme().targets.first(), id="one hop"),
        pytest.param(lambda: SubItem.objects.filter(project__programme=programme()).first(), id="two hops"),
    ],
)
def test_history_of_a_programme_wide_record_is_filed_under_its_county(db, record):
    found = record()
    instance = type(found).objects.get(pk=found.pk)  # fresh: nothing cached along the path
    with acting_as(None, via="test"):  # no actor whose scope could stand in
        instance.name = f"{instance.name}（修订）"
        instance.save()
    assert history_of(instance).get(action="update").area == area(PUNING)
