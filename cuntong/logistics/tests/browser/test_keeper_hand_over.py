"""The keeper's phone page on a cheap phone over a slow connection: a parcel waits, the keeper types its pickup
code, the parcel is handed out, and the carrier sees the hand-over through its API token."""

import pytest

from cuntong.accounts.api_auth import issue_token
from cuntong.accounts.tests.browser.steps import fits_the_screen, sign_in
from cuntong.logistics import pickup
from cuntong.logistics.tests.factories import at_station, carrier_user
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, make_user

pytestmark = pytest.mark.browser

VILLAGE = f"{HONGYANG}201"


def test_a_keeper_hands_over_a_parcel_with_its_code_on_a_slow_phone(phone_page, live_server):
    page = phone_page
    station = make_station(VILLAGE, name="浏览器测试服务点")
    keeper = make_user("keeper-browser", "station_operator", HONGYANG)
    station.operator_user = keeper
    station.save(update_fields=["operator_user"])
    parcel, code = at_station("ZTBROWSER01", HONGYANG, VILLAGE)
    _token, key = issue_token(carrier_user("zto-browser", "zto"), "中通接口")

    # a slow 3G-like connection: 300 ms round trips, about 50 kB/s
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 300, "downloadThroughput": 50 * 1024, "uploadThroughput": 25 * 1024},
    )
    loaded = []
    # what the page itself loads (the browser asks for the site icon on its own)
    page.on("requestfinished", lambda r: None if "favicon" in r.url else loaded.append(r.url))

    sign_in(page, "keeper-browser")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    loaded.clear()
    page.goto("/logistics/keeper/")
    waiting = page.locator(f'#waiting-parcels [data-waybill="{parcel.waybill}"]')
    assert waiting.is_visible() and fits_the_screen(page)
    assert len(loaded) <= 3, loaded  # the page, one stylesheet, one script: nothing heavy
    assert not any("bootstrap" in url or "echarts" in url for url in loaded)

    page.fill("#id_code", pickup.display(code).lower())
    page.click("#hand-over")
    page.wait_for_url("**/logistics/keeper/")
    page.locator(".note-success").wait_for()
    assert parcel.waybill in page.locator(".note-success").inner_text()
    assert page.locator(f'#waiting-parcels [data-waybill="{parcel.waybill}"]').count() == 0

    answer = page.request.get(
        f"{live_server.url}/api/v1/logistics/parcels/{parcel.pk}/", headers={"Authorization": f"Token {key}"}
    )
    assert answer.ok, answer.text()
    assert answer.json()["status"] == "picked_up" and answer.json()["picked_up_at"]
