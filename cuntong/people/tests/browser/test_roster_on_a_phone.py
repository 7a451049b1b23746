"""The poverty office on a 360 px phone: the roster masked, a reveal with a reason through HTMX, all of it fitting
the screen; the administration lists fit too."""

import pytest

from cuntong.accounts.tests.browser.steps import fits_the_screen, sign_in, sign_in_with_device
from cuntong.audit.models import SecurityEvent
from cuntong.people.tests.factories import make_resident
from cuntong.web.testing import HONGYANG, make_user

pytestmark = pytest.mark.browser


def test_reading_the_roster_and_revealing_an_id_number_on_a_phone(phone_page):
    page = phone_page
    resident = make_resident(HONGYANG, 3, name="陈阿婆")
    plain = resident.id_number.reveal()
    make_user("poverty", "poverty_office")
    sign_in(page, "poverty")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/people/")
    assert page.get_by_text("陈阿婆").is_visible() and plain not in page.content() and fits_the_screen(page)
    page.get_by_text("陈阿婆").click()
    page.wait_for_url(f"**/people/{resident.pk}/")
    assert str(resident.id_number) in page.content() and plain not in page.content() and fits_the_screen(page)

    page.click(f'[data-reveal="reveal-resident-{resident.pk}-id_number"]')
    page.fill("input[name=reason]", "核实培训报名身份")
    page.get_by_role("button", name="确认查看").click()
    page.wait_for_selector('[data-revealed="id_number"]')
    assert page.locator('[data-revealed="id_number"]').inner_text() == plain and fits_the_screen(page)
    assert SecurityEvent.objects.get(kind="reveal").reason == "核实培训报名身份"


@pytest.mark.parametrize("path", ["/accounts/users/", "/accounts/memberships/", "/accounts/organisations/"])
def test_administration_lists_fit_a_phone(phone_page, path):
    make_user("clerk", "township", HONGYANG, phone="13912345678", display_name="王干部")
    sign_in_with_device(phone_page, make_user("sysadmin", "sysadmin"))
    phone_page.goto(path)
    assert phone_page.locator("table").is_visible() and fits_the_screen(phone_page)
    assert "13912345678" not in phone_page.content()
