"""A long choice list searches as one types, on a phone (htmx asks web:choices; the select fills with matches)."""

import re

import pytest
from playwright.sync_api import expect

from bench.province import build_province
from cuntong.core.forms import AutocompleteSelect
from cuntong.stations.models import Station
from cuntong.web.testing import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_searching_a_station_on_a_phone(phone_page, monkeypatch):
    monkeypatch.setattr(AutocompleteSelect, "list_limit", 3)  # the live server runs in this process
    province = build_province(counties=1, villages_per_township=2, stations_per_township=2)
    make_user("provincial-phone", "office", province.province_code)
    page = phone_page
    page.goto("/accounts/login/")
    page.fill("#id_username", "provincial-phone")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # The first programme the province sees may be Puning's: switch through the full list.
    page.goto("/programme/switch/all/?next=/stations/reports/")
    page.locator(f'#programme-list button[value="{province.programmes[0]}"]').click()
    page.wait_for_url(re.compile(r"/stations/reports/"))
    wanted = Station.objects.filter(programme__code=province.programmes[0]).order_by("code")[2]
    search = page.locator('input[name="station_q"]')
    expect(search).to_be_visible()
    search.fill(wanted.code)
    options = page.locator('select[name="station"] option')
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_have_text(wanted.name)
    page.select_option('select[name="station"]', str(wanted.pk))
    expect(page).to_have_url(re.compile(rf"station={wanted.pk}"))
