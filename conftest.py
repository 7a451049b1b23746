"""Suite-wide fixtures: base data, and Playwright driving the system Chromium for browser tests."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CUNTONG_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    """Browser tests last: their live server flushes the database, so they run after the rest."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    for item in items:
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://…); .ci/run runs it"))


@pytest.fixture
def base_data(db):
    from cuntong.core.testing import load_base_data

    load_base_data()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"browser tests are mandatory in CI but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium to run browser tests")
    os.environ.setdefault(
        "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
    )  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_data(transactional_db):
    from cuntong.core.testing import load_base_data

    load_base_data()


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **context_options)
    # No network beyond the test server: map tiles and anything else external are answered empty.
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.fulfill(status=204, body="")
        ),
    )
    context.set_default_timeout(15000)
    return context.new_page()


@pytest.fixture
def page(browser, live_server, browser_data):
    page = _new_page(browser, live_server, viewport={"width": 1366, "height": 900})
    yield page
    page.context.close()


@pytest.fixture
def phone_page(browser, live_server, browser_data):
    """A cheap Android phone: 360 × 740 CSS pixels, touch."""
    page = _new_page(
        browser,
        live_server,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    page.context.close()
