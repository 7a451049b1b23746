"""Suite-wide fixtures: base data loaded once per session, an optional frozen clock, and Playwright driving the
system Chromium for browser tests, and LibreOffice opening the documents we generate.

``CUNTONG_TEST_TODAY=2028-02-29 pytest`` runs the whole suite with the clock set to 10:00 (Asia/Shanghai) on that day,
or at the local time given (``2027-01-01T00:30``: still the last day of the year in UTC); the clock keeps ticking,
so timeouts still work. CI runs the suite under a few such days (.ci/run).
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CUNTONG_CHROMIUM", "/usr/bin/chromium")
SOFFICE = os.environ.get("CUNTONG_SOFFICE", "soffice")
# LibreOffice's CSV filter: comma, double quote, UTF-8, from line 1, …, the last field -1 writes every sheet to a file
EVERY_SHEET_AS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_TODAY = os.environ.get("CUNTONG_TEST_TODAY", "")


def pytest_configure(config):
    if TEST_TODAY:
        from cuntong.web.testing import frozen_clock

        try:
            config._cuntong_clock = frozen_clock(TEST_TODAY, tick=True)
        except ValueError as exc:
            raise pytest.UsageError(f"CUNTONG_TEST_TODAY={TEST_TODAY!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM") from exc
        config._cuntong_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_cuntong_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    if TEST_TODAY:
        from cuntong.web.testing import puning_time

        return f"clock: {puning_time(TEST_TODAY)} (CUNTONG_TEST_TODAY), ticking"


def flushes_database(item) -> bool:
    """A transactional test (live server, browser, ``transactional_db``, ``django_db(transaction=True)``) commits
    for real and empties every table when it ends."""
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        or (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    )


def pytest_collection_modifyitems(config, items):
    """Transactional tests last, browser tests at the very end: they flush the session's base data, which the tests
    before them share. pytest-xdist hands each worker its tests in this order, so the same holds per worker."""
    items.sort(key=lambda item: (flushes_database(item), item.get_closest_marker("browser") is not None))
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    for item in items:
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://…); .ci/run runs it"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The migrated test database with the base data loaded once; every test's rolled-back transaction sees it."""
    from cuntong.web.testing import load_base_data

    with django_db_blocker.unblock():
        load_base_data()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Nothing cached outlives its test: the base data's primary keys are the same in every test, so a cached
    figure keyed by them would otherwise answer the next test."""
    yield
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture
def base_data(db):
    """The base data (loaded once per session; reloaded here after a transactional test has flushed it)."""
    from cuntong.web.testing import load_base_data

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
    from cuntong.web.testing import load_base_data

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


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    """Open a generated workbook the way a county office does, in LibreOffice (headless), and read each sheet back.

    Returns a function ``bytes -> {sheet name: rows}``; a file LibreOffice cannot open fails the test. Mandatory in CI
    (Debian's libreoffice-calc-nogui), skipped elsewhere when LibreOffice is missing.
    """
    if not shutil.which(SOFFICE):
        if IN_CI:
            pytest.fail(
                f"LibreOffice is mandatory in CI but {SOFFICE} is missing (apt-get install libreoffice-calc-nogui)"
            )
        pytest.skip("no LibreOffice: install Debian's libreoffice-calc-nogui to open generated documents")
    profile = tmp_path_factory.mktemp("libreoffice-profile")

    def open_workbook(content: bytes) -> dict[str, list[list[str]]]:
        import csv

        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "document.xlsx"
            source.write_bytes(content)
            done = subprocess.run(
                [
                    SOFFICE,
                    "--headless",
                    "--norestore",
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to",
                    EVERY_SHEET_AS_CSV,
                    "--outdir",
                    folder,
                    str(source),
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            sheets = {
                path.stem.removeprefix("document-"): list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
                for path in Path(folder).glob("document-*.csv")
            }
            assert done.returncode == 0 and sheets, (
                f"LibreOffice could not open the workbook: {done.stdout}{done.stderr}"
            )
            return sheets

    return open_workbook
