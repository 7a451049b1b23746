"""The UI shell in a real browser: log in, switch language, the programme overview on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from cuntong.web.testing import PASSWORD, make_user

pytestmark = pytest.mark.browser


def log_in(page, username: str):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.wait_for_load_state()


def test_log_in_and_see_the_overview_on_a_desktop(page):
    make_user("office-browser", "office")
    log_in(page, "office-browser")
    expect(page.locator("h1")).to_contain_text("普宁市全国电子商务进农村综合示范项目")
    expect(page.locator('[data-figure="total"]')).to_contain_text("1,650.00")
    expect(page.locator("#budget-table tbody tr")).to_have_count(6)
    chart = page.locator('[data-chart="budget-chart-data"]')
    expect(chart).to_have_attribute("data-rendered", "true")
    assert chart.locator("canvas").count() == 1
    expect(page.locator("#phases li")).to_have_count(3)
    expect(page.locator('#kpi-list [data-kpi="programme.budget_total"]')).to_contain_text("已达标")


def test_wrong_password_is_refused_with_a_message(page):
    make_user("office-browser", "office")
    page.goto("/accounts/login/")
    page.fill("#id_username", "office-browser")
    page.fill("#id_password", "wrong-password")
    page.click("#login-form button[type=submit]")
    expect(page.locator(".alert-danger")).to_contain_text("用户名或密码不正确")


def choose_language(page, code: str):
    page.click("#language-menu")
    with page.expect_navigation():
        page.click(f'button[data-language="{code}"]')
    page.wait_for_load_state()  # the menu's script (deferred) must run before the next click


def test_switch_language_to_english_and_back(page):
    make_user("office-browser", "office")
    log_in(page, "office-browser")
    choose_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#budget-summary")).to_contain_text("National special fund")
    choose_language(page, "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#budget-summary")).to_contain_text("国家专项资金")


def test_overview_on_a_phone(phone_page):
    page = phone_page
    make_user("hongyang-phone", "township", "445281104")
    log_in(page, "hongyang-phone")
    expect(page.locator('[data-figure="total"]')).to_be_visible()
    # Nothing wider than the screen: the page scrolls vertically only.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The menu collapses behind the toggler and opens on tap.
    expect(page.locator("#main-nav")).to_be_hidden()
    page.click(".navbar-toggler")
    expect(page.locator("#main-nav")).to_be_visible()
    expect(page.locator("#budget-table")).to_be_visible()
