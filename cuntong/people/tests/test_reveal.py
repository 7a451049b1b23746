"""Revealing personal data: only with the reveal permission, inside one's scope, with a reason, and logged before
the value is shown (pages, HTMX and API alike)."""

import pytest
from django.urls import reverse

from cuntong.accounts.models import Organisation
from cuntong.audit.models import SecurityEvent
from cuntong.web.testing import HONGYANG, NANXI, area, login, make_user, programme

from .factories import make_resident

pytestmark = pytest.mark.usefixtures("base_data")
REASON = "核实培训报名身份"


def reveal_url(obj, field="id_number"):
    return reverse("people:reveal", args=[obj._meta.app_label, obj._meta.model_name, obj.pk, field])


@pytest.fixture
def resident(db):
    return make_resident(HONGYANG, 7)


def test_the_detail_page_offers_reveal_only_to_those_who_may(resident):
    plain = resident.id_number.reveal()
    page = login(make_user("poverty", "poverty_office")).get(resident.get_absolute_url()).content.decode()
    assert str(resident.id_number) in page and plain not in page
    assert reveal_url(resident) in page and reveal_url(resident, "phone") in page
    page = login(make_user("office", "office")).get(resident.get_absolute_url()).content.decode()
    assert str(resident.id_number) in page and reveal_url(resident) not in page


def test_a_reveal_needs_a_reason_and_is_logged(resident):
    user = make_user("poverty", "poverty_office")
    client = login(user)
    form = client.get(reveal_url(resident)).content.decode()
    assert resident.id_number.reveal() not in form and 'name="reason"' in form
    refused = client.post(reveal_url(resident), {"reason": "看"})
    assert resident.id_number.reveal() not in refused.content.decode()
    assert not SecurityEvent.objects.filter(kind="reveal").exists()

    response = client.post(reveal_url(resident), {"reason": REASON})
    assert resident.id_number.reveal() in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = SecurityEvent.objects.get(kind="reveal")
    assert event.user == user and event.reason == REASON and event.detail == {"field": "id_number"}
    assert event.object_id == str(resident.pk) and resident.id_number.reveal() not in event.object_repr


def test_the_htmx_reveal_swaps_in_a_fragment(resident):
    client = login(make_user("poverty", "poverty_office"))
    fragment = client.get(reveal_url(resident, "phone"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'hx-post="' in fragment
    response = client.post(reveal_url(resident, "phone"), {"reason": REASON}, HTTP_HX_REQUEST="true")
    assert resident.phone.reveal() in response.content.decode()
    assert SecurityEvent.objects.get(kind="reveal").detail == {"field": "phone"}


def test_no_reveal_without_permission_or_outside_scope(resident):
    assert login(make_user("office", "office")).post(reveal_url(resident), {"reason": REASON}).status_code == 403
    nanxi = login(make_user("nanxi-poverty", "poverty_office", NANXI))
    assert nanxi.post(reveal_url(resident), {"reason": REASON}).status_code == 404
    poverty = login(make_user("poverty", "poverty_office"))
    assert poverty.get(reveal_url(resident, "name")).status_code == 404  # not an encrypted field
    assert not SecurityEvent.objects.filter(kind="reveal").exists()


def test_the_api_reveal(resident):
    url = f"/api/v1/people/residents/{resident.pk}/reveal/"
    client = login(make_user("poverty", "poverty_office"))
    detail = client.get(f"/api/v1/people/residents/{resident.pk}/").json()
    assert detail["id_number"] == str(resident.id_number) and detail["phone"] == str(resident.phone)
    assert client.post(url, {"field": "id_number", "reason": ""}, content_type="application/json").status_code == 400
    response = client.post(url, {"field": "id_number", "reason": REASON}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {
        "field": "id_number",
        "value": resident.id_number.reveal(),
    }
    assert response["Cache-Control"] == "no-store"
    office = login(make_user("office", "office"))
    assert (
        office.post(url, {"field": "id_number", "reason": REASON}, content_type="application/json").status_code == 403
    )
    assert SecurityEvent.objects.filter(kind="reveal").count() == 1


def test_lookup_by_id_number_never_puts_it_in_a_url(resident):
    client = login(make_user("township", "township", HONGYANG))
    response = client.post(reverse("people:lookup"), {"id_number": resident.id_number.reveal()})
    assert response["Location"] == resident.get_absolute_url()
    response = login(make_user("nanxi", "township", NANXI)).post(
        reverse("people:lookup"), {"id_number": resident.id_number.reveal()}
    )
    assert response["Location"] == reverse("people:resident_list")
    found = client.post(
        "/api/v1/people/residents/lookup/", {"id_number": resident.id_number.reveal()}, content_type="application/json"
    )
    assert [row["id"] for row in found.json()] == [resident.pk]


def test_account_phones_and_organisation_contacts_reveal_the_same_way(db):
    clerk = make_user("clerk", "township", HONGYANG, phone="13912345678")
    organisation = Organisation.objects.create(
        name="测试合作社", kind="cooperative", area=area(HONGYANG), programme=programme(), contact_phone="13787654321"
    )
    sysadmin = login(make_user("sysadmin", "sysadmin"))
    assert "13912345678" in sysadmin.post(reveal_url(clerk, "phone"), {"reason": REASON}).content.decode()
    office = login(make_user("office", "office"))
    assert "13787654321" in office.post(reveal_url(organisation, "contact_phone"), {"reason": REASON}).content.decode()
    assert office.post(reveal_url(clerk, "phone"), {"reason": REASON}).status_code == 403
    assert SecurityEvent.objects.filter(kind="reveal").count() == 2
