"""Sections other apps add to the wall dashboard (core.wall): a registered section's figures are in the wall's data
and on its page (signed-in and display-link screens), labelled, formatted, and absent when it returns nothing."""

from decimal import Decimal

import pytest

from cuntong.core import wall
from cuntong.core.apps import REGISTRY_MODULES
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, login, make_user

SEEN = []


def _figures(scope):
    SEEN.append(scope)
    return {"one": 12345, "two": Decimal("2.5")}


@pytest.fixture
def test_section(base_data):
    make_station(f"{HONGYANG}201", name="大屏测试服务点")
    SEEN.clear()
    wall.register_wall_section(
        "test", title="测试板块", figures=(("one", "第一项"), ("two", "第二项"), ("none", "无数据")), compute=_figures
    )
    yield
    wall.unregister_wall_section("test")


def test_a_registered_section_is_on_the_wall_data_and_page(test_section):
    client = login(make_user("office-user", "office"))
    data = client.get("/stations/wall/data/").json()
    assert data["text"]["wall-test-one"] == "12,345"
    assert data["text"]["wall-test-two"] == "2.5"
    assert data["text"]["wall-test-none"] == "—"
    section = next(s for s in data["sections"] if s["name"] == "test")
    assert section["title"] == "测试板块"
    assert [f["label"] for f in section["figures"]] == ["第一项", "第二项", "无数据"]
    assert SEEN[-1].programme.pk and SEEN[-1].user.username == "office-user"  # the viewer's scope
    html = client.get("/stations/wall/").content.decode()
    assert 'id="wall-section-test"' in html and "测试板块" in html
    assert '<div class="fs-3 num" id="wall-test-one">12,345</div>' in html


def test_a_section_returning_nothing_is_left_out(base_data):
    wall.register_wall_section("quiet", title="静默", figures=(("x", "X"),), compute=lambda scope: None)
    try:
        data = login(make_user("office-user", "office")).get("/stations/wall/data/").json()
    finally:
        wall.unregister_wall_section("quiet")
    assert "quiet" not in {s["name"] for s in data["sections"]} and "wall-quiet-x" not in data["text"]


def test_sections_register_once_and_are_discovered_at_start_up():
    assert "wall" in REGISTRY_MODULES
    assert "logistics" in {s.name for s in wall.sections()}
    with pytest.raises(ValueError):
        wall.register_wall_section("logistics", title="x", figures=(("a", "A"),), compute=lambda scope: {})
    with pytest.raises(ValueError):
        wall.register_wall_section("empty", title="x", figures=(), compute=lambda scope: {})
