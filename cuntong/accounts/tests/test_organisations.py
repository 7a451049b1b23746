"""Organisations: the plan's member units with their duties, a government per township, and contractors,
training providers and cooperatives added on the pages or the API (credit code checked, GB 32100)."""

import pytest
from django.urls import reverse

from cuntong.accounts.models import Organisation
from cuntong.geo.models import Area
from cuntong.web.testing import HONGYANG, PUNING, area, login, make_user, programme

pytestmark = pytest.mark.usefixtures("base_data")
VALID_CODE = "91110000600037341L"


def test_member_units_and_township_governments_come_from_the_plan(db):
    units = Organisation.objects.filter(programme=programme(), kind="member_unit")
    assert units.count() == 24
    finance = units.get(name="市财政局")
    assert "拨付示范项目专项资金" in finance.duties and finance.area.code == PUNING
    townships = Area.objects.current().filter(parent__code=PUNING, level="township")
    governments = Organisation.objects.filter(kind="township")
    assert governments.count() == townships.count() == 33
    assert governments.get(area__code=HONGYANG).name == "洪阳镇人民政府"


def test_the_office_adds_a_contractor(db):
    client = login(make_user("office", "office"))
    data = {"name": "普宁市某电商公司", "kind": "contractor", "area": area(PUNING).pk, "is_active": "on"}
    response = client.post(reverse("accounts:organisation_add"), {**data, "credit_code": "91110000600037341X"})
    assert response.status_code == 200 and "校验位不正确" in response.content.decode()
    response = client.post(
        reverse("accounts:organisation_add"),
        {**data, "credit_code": VALID_CODE.lower(), "contact_phone": "13812345678"},
    )
    created = Organisation.objects.get(name="普宁市某电商公司")
    assert response["Location"] == created.get_absolute_url()
    assert created.credit_code == VALID_CODE and created.programme == programme()
    assert str(created.contact_phone) == "138****5678"
    duplicate = client.post(reverse("accounts:organisation_add"), {**data, "name": "另一家", "credit_code": VALID_CODE})
    assert duplicate.status_code == 200 and Organisation.objects.filter(credit_code=VALID_CODE).count() == 1


def test_a_cooperative_over_the_api(db):
    client = login(make_user("office", "office"))
    payload = {"name": "洪阳青梅专业合作社", "kind": "cooperative", "area": area("445281104201").pk}
    response = client.post(
        "/api/v1/organisations/", {**payload, "credit_code": "93445281MA0000000X"}, content_type="application/json"
    )
    assert response.status_code == 400 and "credit_code" in response.json()
    response = client.post(
        "/api/v1/organisations/", {**payload, "credit_code": VALID_CODE}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["programme"] == programme().pk
    assert client.delete(f"/api/v1/organisations/{response.json()['id']}/").status_code in (
        403,
        405,
    )  # deactivate instead


def test_a_township_cannot_create_outside_itself(db):
    client = login(make_user("hongyang-office", "office", HONGYANG))
    response = client.post(
        "/api/v1/organisations/",
        {"name": "越界合作社", "kind": "cooperative", "area": area("445281105201").pk},
        content_type="application/json",
    )
    assert response.status_code == 400  # the area is not among the choices in scope
    assert not Organisation.objects.filter(name="越界合作社").exists()


def test_the_list_page_query_count_is_pinned(db, django_assert_max_num_queries):
    client = login(make_user("office", "office"))
    client.get(reverse("accounts:organisation_list"))
    with django_assert_max_num_queries(9):
        page = client.get(reverse("accounts:organisation_list"))
    assert len(page.context["object_list"]) == 50  # a full page of the plan's 57 organisations


def test_evidence_attached_to_an_organisation_stays_visible_in_its_scope(db):
    """Organisations belong to a programme, so an uploaded contract is scoped like the organisation."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cuntong.attachments.models import Attachment

    contractor = Organisation.objects.get(name="洪阳镇人民政府")
    client = login(make_user("office", "office"))
    upload = SimpleUploadedFile("合同.pdf", b"%PDF-1.4\n%contract\n%%EOF\n", "application/pdf")
    content_type = ContentType.objects.get_for_model(Organisation)
    client.post(
        reverse("attachments:upload", args=[content_type.pk, contractor.pk]), {"file": upload, "kind": "contract"}
    )
    attachment = Attachment.objects.get()
    assert attachment.programme == programme() and attachment.area.code == HONGYANG
    assert client.get(attachment.get_absolute_url()).status_code == 200
    assert login(make_user("nanxi", "township", "445281105")).get(attachment.get_absolute_url()).status_code == 404
