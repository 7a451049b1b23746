"""A record changed through the generic edit page (web/views.py) moves its programme's data version like a
service's write does, so no cached figure outlives it (core/freshness.py)."""

from django.urls import reverse

from cuntong.core import freshness
from cuntong.people.tests.factories import make_resident
from cuntong.web.testing import HONGYANG, login, make_user, programme


def test_an_edit_through_the_generic_page_moves_the_version(base_data):
    resident = make_resident(HONGYANG, 31)
    before = freshness.version(programme())
    client = login(make_user("poverty", "poverty_office"))
    response = client.post(
        reverse("people:resident_edit", args=[resident.pk]),
        {"name": resident.name, "village": resident.village_id, "poverty_status": "lifted", "lifted_year": 2020},
    )
    assert response.status_code == 302
    assert freshness.version(programme()) != before


def test_a_refused_edit_leaves_the_version(base_data):
    resident = make_resident(HONGYANG, 32)
    before = freshness.version(programme())
    client = login(make_user("hongyang", "township", HONGYANG))  # may read the roster, not change it
    client.post(reverse("people:resident_edit", args=[resident.pk]), {"name": "改名"})
    assert freshness.version(programme()) == before
