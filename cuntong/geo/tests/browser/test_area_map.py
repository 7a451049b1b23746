import pytest
from playwright.sync_api import expect

from cuntong.web.testing import HONGYANG, PASSWORD, area, make_user

pytestmark = pytest.mark.browser


def test_township_page_draws_its_villages_on_the_map(page):
    make_user("office-map", "office")
    township = area(HONGYANG)
    township.latitude, township.longitude = "23.430000", "116.275000"
    township.save()
    for offset, village in enumerate(township.children.all()):
        village.latitude, village.longitude = f"23.44{offset}000", "116.280000"
        village.save()
    page.goto("/accounts/login/")
    page.fill("#id_username", "office-map")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(township.get_absolute_url())
    map_element = page.locator('[data-map="area-map-data"]')
    expect(map_element).to_have_attribute("data-rendered", "true")
    expect(map_element).to_have_attribute("data-markers", "3")
    assert page.locator(".leaflet-container").count() == 1
