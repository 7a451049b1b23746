"""Panels and tabs that other apps add to a detail page (core.panels): rendered on the station and area pages for
those who may see them, the tab URL checking scope again, the apps' own panels discovered at start-up."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils.html import format_html

from cuntong.core import panels
from cuntong.core.apps import REGISTRY_MODULES
from cuntong.stations.models import Station
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, NANXI, area, login, make_user


def _names(call):
    return format_html('<p class="card-body" id="card-says">卡片：{}</p>', call.object.name)


@pytest.fixture
def station_panels():
    """A card and two tabs on the station page, as another app would register them in its panels.py."""
    registered = [
        panels.register_panel(
            "stations.station", "test-card", title="测试卡片", content=_names, permission="stations.view_station"
        ),
        panels.register_panel(
            "stations.station",
            "test-tab",
            title="测试标签",
            content=lambda call: format_html('<p id="tab-says">标签：{}</p>', call.object.code),
            tab=True,
            order=10,
        ),
        panels.register_panel(
            "stations.station",
            "test-later",
            title="稍后加载",
            content=lambda call: format_html('<p id="later-says">稍后：{}</p>', call.object.code),
            tab=True,
            order=20,
            # Only for those who may change the station: a township clerk may, a bank officer may not.
            visible=lambda call: call.user.has_perm("stations.change_station"),
        ),
    ]
    yield registered
    for entry in registered:
        panels.unregister_panel(entry.target, entry.name)


@pytest.fixture
def stations(base_data):
    return make_station(f"{HONGYANG}201", name="洪阳测试服务点"), make_station(f"{NANXI}201", name="南溪测试服务点")


def test_the_station_page_renders_registered_cards_and_tabs(stations, station_panels):
    hongyang, _nanxi = stations
    clerk = login(make_user("hongyang-clerk", "township", HONGYANG))
    html = clerk.get(hongyang.get_absolute_url()).content.decode()
    assert 'id="panel-test-card"' in html and "卡片：洪阳测试服务点" in html
    # Tabs in order; the first is rendered with the page, the next waits for htmx on its first opening.
    assert html.index('id="panel-test-tab-tab"') < html.index('id="panel-test-later-tab"')
    assert f"标签：{hongyang.code}" in html
    later = reverse("web:panel", args=["stations.station", hongyang.pk, "test-later"])
    assert f'hx-get="{later}"' in html and f"稍后：{hongyang.code}" not in html


def test_the_area_page_renders_a_registered_card_and_tab(base_data):
    entries = [
        panels.register_panel("geo.area", "area-card", title="村情", content=_names),
        panels.register_panel(
            "geo.area", "area-tab", title="村民", tab=True, content=lambda call: f"<b>{call.object.code}</b>"
        ),
    ]
    try:
        village = area(f"{HONGYANG}201")
        html = login(make_user("hongyang-clerk", "township", HONGYANG)).get(village.get_absolute_url()).content.decode()
    finally:
        for entry in entries:
            panels.unregister_panel(entry.target, entry.name)
    assert 'id="panel-area-card"' in html and f"卡片：{village.name}" in html
    # A content function's plain string is text, not markup.
    assert 'id="panel-area-tab"' in html and f"&lt;b&gt;{village.code}&lt;/b&gt;" in html


def test_panels_are_left_out_for_whom_they_are_not(stations, station_panels):
    hongyang, _nanxi = stations
    # A bank officer sees stations but may not change them: no "test-later" tab.
    banker = login(make_user("hongyang-bank", "bank", HONGYANG))
    html = banker.get(hongyang.get_absolute_url()).content.decode()
    assert 'id="panel-test-card"' in html and 'id="panel-test-later-tab"' not in html
    # The card needs stations.view_station: a card for a permission the viewer lacks is not there either.
    panels.register_panel(
        "stations.station", "test-funds", title="资金", content=_names, permission="funds.view_ledgerentry"
    )
    try:
        assert 'id="panel-test-funds"' not in banker.get(hongyang.get_absolute_url()).content.decode()
    finally:
        panels.unregister_panel("stations.station", "test-funds")


def test_a_card_whose_content_says_nothing_is_left_out(stations):
    panels.register_panel("stations.station", "test-empty", title="空卡片", content=lambda call: None)
    try:
        html = login(make_user("office-user", "office")).get(stations[0].get_absolute_url()).content.decode()
    finally:
        panels.unregister_panel("stations.station", "test-empty")
    assert "panel-test-empty" not in html and "空卡片" not in html


def test_the_tab_url_answers_htmx_with_the_fragment_and_a_browser_with_a_page(stations, station_panels):
    hongyang, _nanxi = stations
    clerk = login(make_user("hongyang-clerk", "township", HONGYANG))
    url = reverse("web:panel", args=["stations.station", hongyang.pk, "test-later"])
    fragment = clerk.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert f"稍后：{hongyang.code}" in body and "<html" not in body
    page = clerk.get(url).content.decode()
    assert "<html" in page and f"稍后：{hongyang.code}" in page and hongyang.get_absolute_url() in page


def test_the_tab_url_is_404_outside_scope_or_visibility(client, stations, station_panels):
    hongyang, nanxi = stations
    clerk = login(make_user("hongyang-clerk", "township", HONGYANG))
    banker = login(make_user("hongyang-bank", "bank", HONGYANG))
    nobody = login(make_user("no-role", None))

    def url(station, name="test-later", label="stations.station"):
        return reverse("web:panel", args=[label, station.pk, name])

    assert clerk.get(url(hongyang)).status_code == 200
    assert clerk.get(url(nanxi)).status_code == 404  # another township's station
    assert banker.get(url(hongyang)).status_code == 404  # the panel's own predicate refuses
    assert nobody.get(url(hongyang)).status_code == 404  # no permission on stations at all
    assert clerk.get(url(hongyang, "no-such-panel")).status_code == 404
    assert clerk.get(url(hongyang, label="nosuch.model")).status_code == 404
    assert clerk.get(url(hongyang, label="auth.group")).status_code == 404  # not a scoped model
    assert client.get(url(hongyang)).status_code == 302  # anonymous: to the login page


def test_related_rows_are_restricted_to_the_viewer(stations):
    """``call.related`` is the app's own ``restrict``: a township clerk's panel on the county lists only their
    township's stations, though the lookup asks for the whole county."""
    county = area(HONGYANG).parent
    clerk = make_user("hongyang-clerk", "township", HONGYANG)
    office = make_user("office-user", "office")

    def names(user):
        call = panels.PanelCall(county, SimpleNamespace(user=user))
        return set(call.related(Station, area__code__startswith=county.code).values_list("name", flat=True))

    assert names(clerk) == {"洪阳测试服务点"}
    assert names(office) == {"洪阳测试服务点", "南溪测试服务点"}
    # ``via`` narrows to the rows pointing at the record: no station replaces this one.
    replacing = panels.PanelCall(stations[0], SimpleNamespace(user=clerk)).related(Station, "replaces")
    assert list(replacing) == []


def test_the_apps_panels_are_discovered_at_start_up():
    assert {"panels", "todos"} <= set(REGISTRY_MODULES)
    names = {p.name: p for p in panels.panels_of(Station)}
    assert names["attachments"].target == panels.ANY_MODEL  # attachments/panels.py, on every record's page
    assert names["claims"].target == panels.ANY_MODEL  # funds/panels.py, on the page of any claim's subject
    assert names["claims"].permissions == ("funds.view_subsidyline",)
    with pytest.raises(ValueError, match="registered twice"):
        panels.register_panel(panels.ANY_MODEL, "claims", title="x", content=_names)


def test_the_station_page_query_count_is_pinned_with_panels(stations, station_panels, django_assert_max_num_queries):
    """The station page with the apps' panels (attachments: one query, as before it was a panel; subsidies: one) and
    the test's card and tabs: a panel costs its own queries once, and a tab not yet opened costs none."""
    office = login(make_user("office-user", "office"))
    url = stations[0].get_absolute_url()
    office.get(url)  # caches warmed (content types, permissions) as on any later request
    # 22: the page, the claims, attachment, training-session and parcel panels, and one scope check per distinct
    # action the transitions need
    with django_assert_max_num_queries(22) as page:
        html = office.get(url).content.decode()
    assert 'id="panel-test-card"' in html and 'id="attachments"' in html
    for entry in station_panels:
        panels.unregister_panel(entry.target, entry.name)
    with django_assert_max_num_queries(21) as bare:
        office.get(url)
    assert len(page.captured_queries) == len(bare.captured_queries)
