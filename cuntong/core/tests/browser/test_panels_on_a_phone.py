"""On a 360 px phone: the cards other apps add to the station page stack under its fields, and a tab not yet opened
loads its content with htmx when touched, all of it fitting the screen."""

import pytest
from django.utils.html import format_html

from cuntong.accounts.tests.browser.steps import fits_the_screen, sign_in
from cuntong.core import panels
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def station_panels():
    registered = [
        panels.register_panel(
            "stations.station",
            "test-card",
            title="培训场次",
            content=lambda call: format_html('<p class="card-body mb-0">{} 的培训</p>', call.object.name),
        ),
        panels.register_panel(
            "stations.station", "test-first", title="寄递", tab=True, content=lambda call: "本站寄递记录"
        ),
        panels.register_panel(
            "stations.station",
            "test-second",
            title="溯源事件",
            tab=True,
            order=200,
            content=lambda call: format_html(
                '<p class="card-body" id="trace-events">{} 的溯源事件</p>', call.object.code
            ),
        ),
    ]
    yield
    for entry in registered:
        panels.unregister_panel(entry.target, entry.name)


def test_cards_stack_and_a_tab_loads_on_a_phone(phone_page, station_panels):
    page = phone_page
    station = make_station(f"{HONGYANG}201", name="洪阳手机测试点")
    make_user("clerk", "township", HONGYANG)
    sign_in(page, "clerk")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(station.get_absolute_url())

    fields, card = page.locator("dl").first.bounding_box(), page.locator("#panel-test-card").bounding_box()
    assert card["y"] >= fields["y"] + fields["height"]  # below the fields, not beside them
    assert card["width"] > 300 and fits_the_screen(page)
    assert page.locator("#panel-test-first").inner_text() == "本站寄递记录"
    assert page.locator("#trace-events").count() == 0

    page.click("#panel-test-second-tab")
    page.wait_for_selector("#trace-events")
    assert page.locator("#trace-events").inner_text() == f"{station.code} 的溯源事件"
    assert page.locator("#panel-test-second").is_visible() and not page.locator("#panel-test-first").is_visible()
    assert fits_the_screen(page)
