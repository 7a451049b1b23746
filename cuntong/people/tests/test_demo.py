"""The demo roster: generated, flagged, valid, deterministic and safe to run twice."""

import pytest

from cuntong.core.demo import DemoContext
from cuntong.core.personal import RESIDENT_ID
from cuntong.people.demo import generate_roster
from cuntong.people.models import Resident
from cuntong.web.testing import programme

pytestmark = pytest.mark.usefixtures("base_data")


def test_the_demo_roster(db):
    generate_roster(DemoContext(programme=programme()))
    first = sorted(Resident.objects.values_list("id_number_hash", flat=True))
    assert first and Resident.objects.filter(is_generated=False).count() == 0
    assert all(r.village.is_provincial_poverty_village for r in Resident.objects.select_related("village"))
    for resident in Resident.objects.all():
        assert RESIDENT_ID.validate(resident.id_number.reveal())
    generate_roster(DemoContext(programme=programme()))
    assert sorted(Resident.objects.values_list("id_number_hash", flat=True)) == first
    Resident.objects.all().delete()
    generate_roster(DemoContext(programme=programme()))
    assert sorted(Resident.objects.values_list("id_number_hash", flat=True)) == first  # deterministic
