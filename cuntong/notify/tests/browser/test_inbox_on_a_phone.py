"""The bell and the inbox on a phone (360 px wide, narrower than the 390 px the pages are made for): the count shows
in the top bar without unfolding the menu, the inbox fits the screen, and marking all read empties the bell."""

import pytest

from cuntong.accounts.tests.browser.steps import fits_the_screen, sign_in
from cuntong.core.actors import SYSTEM
from cuntong.notify import registry, services
from cuntong.web.testing import HONGYANG, make_user

pytestmark = pytest.mark.browser


def test_the_bell_and_the_inbox_on_a_phone(phone_page):
    page = phone_page
    user = make_user("bell-user", "township", HONGYANG)
    for n in range(3):
        services.notify(
            registry.REMINDER.code, [user], f"请填报第{n}份月报，截止日期为本月五日", "正文" * 40, "/", actor=SYSTEM
        )
    sign_in(page, "bell-user")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    badge = page.locator("#notify-bell [data-unread]")
    badge.wait_for()
    assert badge.inner_text() == "3" and badge.is_visible()  # in the bar, the menu still folded
    page.click("#notify-bell")
    page.wait_for_url("**/notify/")
    assert page.locator("[data-message]").count() == 3 and fits_the_screen(page)
    page.click("#mark-all-read")
    page.wait_for_url("**/notify/")
    page.locator("#notify-bell-count").wait_for(state="attached")
    assert page.locator("#notify-bell [data-unread]").count() == 0
    page.goto("/notify/preferences/")
    assert fits_the_screen(page) and page.locator("#notify-preferences").is_visible()
