"""In a real browser: an operator reports on a 360 px phone; the office's map and wall, already open, update
themselves without reloading. The phone page keeps a draft through a dropped connection."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cuntong.stations import rules
from cuntong.stations.tests.factories import make_report, make_station
from cuntong.web.testing import HONGYANG, NANXI, PASSWORD, make_user

pytestmark = pytest.mark.browser
HEAVY = ("echarts", "leaflet", "bootstrap.bundle", "htmx")


def log_in(page, username: str, next_url: str):
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def network(browser_data):
    operator = make_user("zhanzhang-test", "station_operator", HONGYANG, display_name="测试站长")
    own = make_station(f"{HONGYANG}201", operator_user=operator)
    other = make_station(f"{NANXI}201")
    last_month = rules.add_months(rules.month_start(timezone.localdate()), -1)
    make_report(other, last_month, parcels_in=300, parcels_out=100)
    make_user("office-test", "office")
    return own, other, last_month


def test_phone_report_reaches_the_open_map_and_wall(page, phone_page, network):
    own, _other, last_month = network
    background = []
    page.on(
        "request", lambda r: background.append(r.headers.get("x-cuntong-background")) if "/data/" in r.url else None
    )

    # The office opens the wall and the map (refreshing every 2 s for the test; 15 s by default).
    log_in(page, "office-test", "/stations/wall/?refresh=2")
    expect(page.locator("#wall-parcels-in")).to_have_text("300")
    page.evaluate("window.openedOnce = true")
    map_page = page.context.new_page()
    map_page.goto("/stations/map/?refresh=2")
    expect(map_page.locator("#station-map")).to_have_attribute("data-markers", "2")
    expect(map_page.locator("#map-checkins")).to_have_text("0")
    map_page.evaluate("window.openedOnce = true")

    # The operator reports last month on a 360 px phone.
    phone = phone_page
    log_in(phone, "zhanzhang-test", "/stations/my/")
    loaded = []
    phone.on("request", lambda r: loaded.append(r.url))
    phone.click(f"text={last_month:%Y-%m} 填报月报")
    expect(phone.locator("h1")).to_have_text(own.name)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert not [url for url in loaded if any(name in url for name in HEAVY)]
    for name, value in {
        "parcels_in": "1234",
        "parcels_out": "567",
        "agri_sales": "8900.50",
        "purchases_for_villagers": "3000",
        "financial_count": "12",
        "financial_amount": "5600",
        "live_sessions": "2",
        "live_sales": "1500",
        "visitors": "420",
    }.items():
        phone.fill(f"#id_{name}", value)
    phone.click("button[type=submit]")
    expect(phone).to_have_url(re.compile(r"/stations/my/\?saved="))
    expect(phone.locator(".note-success")).to_contain_text("月报已报送")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # ... and checks in for today.
    phone.click("text=今日打卡")
    phone.click("button[type=submit]")
    expect(phone.locator("text=今日已打卡")).to_be_visible()

    # The wall, never reloaded, shows the new figures: 300 + 1,234 parcels down (within a few refreshes: a loaded
    # CI machine answers slowly).
    expect(page.locator("#wall-parcels-in")).to_have_text("1,534", timeout=30000)
    expect(page.locator("#wall-parcels-out")).to_have_text("667")
    assert page.evaluate("window.openedOnce") is True
    parcels = page.evaluate("JSON.parse(document.getElementById('wall-parcels-chart').textContent)")
    assert parcels["series"][0]["data"][-1] == 1534
    assert page.locator('[data-chart="wall-parcels-chart"] canvas').count() == 1

    # The map, never reloaded, lists the report and redraws the station's marker with its figures and check-in.
    expect(map_page.locator("#recent-reports")).to_contain_text("下行 1,234 件", timeout=30000)
    expect(map_page.locator("#map-checkins")).to_have_text("1", timeout=30000)
    marker = map_page.evaluate(
        f"JSON.parse(document.getElementById('station-map-data').textContent).markers.find(m => m.id === {own.pk})"
    )
    assert marker["parcels_in"] == 1234 and marker["checked_in"] and "今日已打卡" in marker["detail"]
    assert map_page.evaluate("window.openedOnce") is True
    # Automatic refreshes say so, and do not count as the office being active.
    assert background and set(background) == {"1"}


def test_a_draft_survives_a_dropped_connection(phone_page, network):
    own, _other, last_month = network
    phone = phone_page
    log_in(phone, "zhanzhang-test", f"/stations/{own.pk}/report/{last_month:%Y-%m}/")
    phone.fill("#id_parcels_in", "777")
    phone.fill("#id_visitors", "88")
    phone.context.set_offline(True)
    phone.click("button[type=submit]")
    expect(phone.locator("#offline-banner")).to_be_visible()
    phone.context.set_offline(False)
    phone.reload()
    expect(phone.locator("#draft-restored")).to_be_visible()
    expect(phone.locator("#id_parcels_in")).to_have_value("777")
    expect(phone.locator("#id_visitors")).to_have_value("88")
    phone.click("button[type=submit]")
    expect(phone).to_have_url(re.compile(r"/stations/my/\?saved="))
    phone.wait_for_load_state("load")  # the page's script clears the draft once the report is in
    key = f"cuntong-report-{own.pk}-{last_month:%Y-%m}"
    assert phone.evaluate(f"window.localStorage.getItem('{key}')") is None
    assert own.reports.get().parcels_in == 777


def test_implausible_figure_is_confirmed_on_the_phone(phone_page, network):
    own, _other, last_month = network
    phone = phone_page
    log_in(phone, "zhanzhang-test", f"/stations/{own.pk}/report/{last_month:%Y-%m}/")
    phone.fill("#id_parcels_out", "99999")
    phone.click("button[type=submit]")
    expect(phone.locator("#report-warnings")).to_contain_text("数值偏大")
    expect(phone.locator("#id_parcels_out")).to_have_value("99999")
    phone.check("#id_confirm")
    phone.click("button[type=submit]")
    expect(phone.locator(".note-success")).to_be_visible()
    assert own.reports.get().confirmed_warnings == ["parcels_out"]


def test_unattended_wall_screen_through_a_display_link(page, browser, live_server, network):
    log_in(page, "office-test", "/stations/wall/links/")
    page.fill("#id_name", "中心大屏")
    page.select_option("#id_area", label="普宁市")
    page.click("text=生成链接")
    url = page.locator("#new-display-link code").inner_text()
    screen = browser.new_context(base_url=live_server.url).new_page()
    screen.goto(url.replace("http://testserver", live_server.url) + "?refresh=2")
    expect(screen.locator("#wall-parcels-in")).to_have_text("300")
    expect(screen.locator('[data-chart="wall-status-chart"]')).to_have_attribute("data-rendered", "true")
    expect(screen.locator("#wall")).to_have_attribute("data-live-refreshes", re.compile(r"[1-9]"), timeout=10000)
    assert "sessionid" not in {c["name"] for c in screen.context.cookies()}  # the link alone opens the wall
    screen.context.close()


@pytest.mark.parametrize(
    "path",
    ["/stations/", "/stations/map/", "/stations/wall/", "/stations/reports/completeness/", "/stations/coverage/"],
)
def test_office_pages_fit_a_phone(phone_page, network, path):
    own, _other, _month = network
    log_in(phone_page, "office-test", path)
    expect(phone_page.locator("h1")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.goto(own.get_absolute_url())
    expect(phone_page.locator("#station-events")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
