"""The growth KPI over stored volumes: a missing month is named and the year to date is computed on the months both
years have, exactly as by hand (cf. test_rules); the page shows the same; the reconciliation with the stations'
reports; the reminder to the postal administration is sent once per month."""

import datetime
from decimal import Decimal

import pytest

from cuntong.core.actors import SYSTEM
from cuntong.logistics import services
from cuntong.logistics.models import ExpressVolume
from cuntong.notify.models import Message
from cuntong.programme.kpi import AreaScope, registry
from cuntong.stations import services as station_services
from cuntong.stations.rules import Figures
from cuntong.stations.tests.factories import make_station
from cuntong.web.testing import HONGYANG, NANXI, frozen_clock, login, make_user, programme

from .factories import volume

pytestmark = pytest.mark.usefixtures("base_data")


def m(year, month):
    return datetime.date(year, month, 1)


def two_years():
    """洪阳镇 (中通 + 圆通) and 南溪镇 (中通): 2019-01…05 complete; 2020-03 missing in every township."""
    figures = {
        # month: (洪阳 中通, 洪阳 圆通, 南溪 中通)
        m(2019, 1): (600, 100, 300),
        m(2019, 2): (500, 100, 200),
        m(2019, 3): (500, 100, 300),
        m(2019, 4): (600, 100, 300),
        m(2019, 5): (700, 200, 300),
        m(2020, 1): (800, 100, 400),
        m(2020, 2): (600, 150, 250),
        m(2020, 4): (700, 150, 300),
        m(2020, 5): (900, 200, 400),
    }
    for month, (hy_zto, hy_yto, nx_zto) in figures.items():
        volume(HONGYANG, "zto", month, hy_zto - 50, 50)
        volume(HONGYANG, "yto", month, hy_yto)
        volume(NANXI, "zto", month, nx_zto)


def kpi(scope):
    (result,) = [r for r in registry.evaluate(scope, ["logistics.express_growth"])]
    return result


@frozen_clock("2020-06-20")
def test_growth_kpi_names_the_missing_month_and_counts_only_common_months():
    two_years()
    result = kpi(AreaScope(programme()))
    # by hand: 2020 Jan+Feb+Apr+May = 1300 + 1000 + 1150 + 1500 = 4950; 2019 same months = 1000+800+1000+1200 = 4000
    assert result.measurement.numerator == 4950 and result.measurement.denominator == 4000
    assert result.value == Decimal("23.8")
    assert "2020-03" in result.measurement.note
    assert result.status == "met"  # the plan's target: > 20 %


@frozen_clock("2020-06-20")
def test_a_township_sees_its_own_growth(db):
    two_years()
    user = make_user("hy-viewer", "township", HONGYANG)
    result = kpi(AreaScope(programme(), user))
    # 洪阳镇 only: 2020 = 900+750+850+1100 = 3600; 2019 = 700+600+700+900 = 2900 → 24.137… → 24.1
    assert (result.measurement.numerator, result.measurement.denominator) == (3600, 2900)
    assert result.value == Decimal("24.1")


@frozen_clock("2020-06-20")
def test_the_growth_page_shows_the_missing_month_and_the_figures():
    two_years()
    page = login(make_user("postal-1", "postal")).get("/logistics/growth/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "23.8%" in text and "2020-03" in text and 'id="missing-months"' in text


@frozen_clock("2020-06-20")
def test_reconciliation_with_the_stations_reports():
    two_years()
    station = make_station(f"{NANXI}201", name="核对服务点")
    station_services.save_report(station, m(2020, 1), Figures(parcels_in=900, parcels_out=100), user=SYSTEM)
    volumes = ExpressVolume.objects.filter(programme=programme())
    rows, disagree = services.reconciliation(programme(), volumes, [station], [m(2020, 1)])
    by_code = {r.township: r for r in rows}
    assert by_code[NANXI].postal == 400 and by_code[NANXI].stations == 1000
    assert [r.township for r in disagree] == [NANXI]
    assert by_code[HONGYANG].stations == 0


def test_reminders_reach_the_postal_staff_once_a_month():
    postal = make_user("postal-2", "postal")
    with frozen_clock("2020-07-09"):
        assert services.remind_volume_reports(programme(), actor=SYSTEM) == 1
        assert services.remind_volume_reports(programme(), actor=SYSTEM) == 0  # the same month: nobody twice
    with frozen_clock("2020-07-25"):
        assert services.remind_volume_reports(programme(), actor=SYSTEM) == 0
    with frozen_clock("2020-08-09"):
        assert services.remind_volume_reports(programme(), actor=SYSTEM) == 1  # the next month's
    assert Message.objects.filter(recipient=postal, notification__kind="logistics.volume_due").count() == 2


def test_no_reminder_before_the_due_window_or_when_everything_is_in():
    make_user("postal-3", "postal")
    with frozen_clock("2020-07-02"):
        assert services.remind_volume_reports(programme(), actor=SYSTEM) == 0


def test_the_reminder_command_runs_daily_without_repeating():
    from io import StringIO

    from django.core.management import call_command

    make_user("postal-cmd", "postal")
    out = StringIO()
    with frozen_clock("2020-07-10"):
        call_command("logistics", "remind", stdout=out)
        call_command("logistics", "remind", stdout=out)
    assert out.getvalue().splitlines() == ["puning-2019: 1 reminded", "puning-2019: 0 reminded"]
