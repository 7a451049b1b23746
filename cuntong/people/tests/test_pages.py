"""Roster pages: list (query count pinned, filters), create and edit (stored ID kept when left blank; duplicates
refused), and the poverty-training population the training module counts against."""

import pytest
from django.urls import reverse

from cuntong.people.models import Resident
from cuntong.web.testing import HONGYANG, NANXI, login, make_user

from .factories import id_number, make_resident

pytestmark = pytest.mark.usefixtures("base_data")


def test_the_list_page_query_count_does_not_grow_with_rows(db, django_assert_max_num_queries):
    client = login(make_user("poverty", "poverty_office"))
    for serial in range(3):
        make_resident(HONGYANG, serial)
    client.get(reverse("people:resident_list"))
    with django_assert_max_num_queries(9):
        client.get(reverse("people:resident_list"))
    for serial in range(3, 30):
        make_resident(NANXI, serial)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("people:resident_list")).content.decode()
    assert page.count('href="/people/') >= 30


def test_filters(db):
    client = login(make_user("poverty", "poverty_office"))
    make_resident(HONGYANG, 1, name="甲", is_labour_capable=True)
    make_resident(NANXI, 2, name="乙", is_migrant_worker=True)

    def names(response):
        return {obj.name for obj in response.context["object_list"]}

    assert names(client.get(reverse("people:resident_list"), {"is_labour_capable": "true"})) == {"甲"}
    assert names(client.get(reverse("people:resident_list"), {"is_migrant_worker": "true"})) == {"乙"}
    township = client.get(reverse("people:resident_list")).context["filterset"].form.fields["township"].queryset
    nanxi = township.get(code=NANXI)
    assert names(client.get(reverse("people:resident_list"), {"township": nanxi.pk})) == {"乙"}


def test_create_and_edit(db):
    client = login(make_user("poverty", "poverty_office"))
    village = make_resident(HONGYANG, 1).village
    data = {"name": "新人", "id_number": id_number(2), "village": village.pk, "poverty_status": "poor"}
    response = client.post(reverse("people:resident_add"), data)
    created = Resident.objects.get(name="新人")
    assert response["Location"] == created.get_absolute_url() and created.programme.code == "puning-2019"

    edit = client.get(reverse("people:resident_edit", args=[created.pk])).content.decode()
    assert id_number(2) not in edit and str(created.id_number) in edit  # the stored number only as a placeholder
    client.post(reverse("people:resident_edit", args=[created.pk]), {**data, "id_number": "", "name": "新名字"})
    created.refresh_from_db()
    assert created.name == "新名字" and created.id_number.reveal() == id_number(2)

    duplicate = client.post(reverse("people:resident_add"), {**data, "name": "重复"})
    assert duplicate.status_code == 200 and "已在名册中" in duplicate.content.decode()
    bad = client.post(reverse("people:resident_add"), {**data, "id_number": id_number(3)[:-1] + "Y"})
    assert bad.status_code == 200 and not Resident.objects.filter(name="重复").exists()


def test_township_officials_read_but_do_not_write(db):
    client = login(make_user("hongyang", "township", HONGYANG))
    assert client.get(reverse("people:resident_list")).status_code == 200
    assert client.get(reverse("people:resident_add")).status_code == 403


def test_the_poverty_training_population(db):
    """Labour-capable registered poor of provincial poverty villages, migrant workers excluded (the seed's rule)."""
    poverty_village, other_village = "445281104201", "445281104202"  # see web.testing.TEST_VILLAGES
    counted = make_resident(HONGYANG, 1, is_labour_capable=True, village_code=poverty_village)
    make_resident(HONGYANG, 2, is_labour_capable=True, is_migrant_worker=True, village_code=poverty_village)
    make_resident(HONGYANG, 3, is_labour_capable=False, village_code=poverty_village)
    make_resident(HONGYANG, 4, is_labour_capable=True, village_code=other_village)
    erased = make_resident(HONGYANG, 5, is_labour_capable=True, village_code=poverty_village)
    Resident.objects.filter(pk=erased.pk).update(erased_at="2026-01-01T00:00:00+08:00")
    assert list(Resident.objects.poverty_training_population()) == [counted]


def test_the_list_says_how_many_records_there_are(db):
    client = login(make_user("poverty", "poverty_office"))
    for serial in range(52):
        make_resident(HONGYANG, serial)
    page = client.get(reverse("people:resident_list")).content.decode()
    assert '<span id="object-count">共 52 条</span>' in page  # the whole list, not the 50 on this page
