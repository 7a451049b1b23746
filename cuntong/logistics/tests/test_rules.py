"""The pure rules: growth with missing months named and the year to date on the months both years have, the
reconciliation, the parcel steps, fees, days to pickup and the price alert — hand-computed figures."""

import datetime
from decimal import Decimal

import pytest

from cuntong.logistics import pickup, rules


def m(year, month):
    return datetime.date(year, month, 1)


# 2019: Jan–Jun all present. 2020: Jan, Feb, Apr, May present, March missing; 2019 lacks nothing through May.
VOLUMES = {
    m(2019, 1): 1000,
    m(2019, 2): 800,
    m(2019, 3): 900,
    m(2019, 4): 1000,
    m(2019, 5): 1200,
    m(2019, 6): 1100,
    m(2020, 1): 1300,
    m(2020, 2): 1000,
    m(2020, 4): 1150,
    m(2020, 5): 1500,
}


def test_growth_names_the_missing_month_and_compares_only_months_both_years_have():
    growth = rules.growth(VOLUMES, 2020, m(2020, 5))
    assert growth.missing_current == (m(2020, 3),)
    assert growth.missing_previous == ()
    assert growth.missing == (m(2020, 3),)
    assert [x.month for x in growth.compared] == [m(2020, 1), m(2020, 2), m(2020, 4), m(2020, 5)]
    # by hand: 1300 + 1000 + 1150 + 1500 = 4950 against 1000 + 800 + 1000 + 1200 = 4000 → 23.75 % → 23.8
    assert growth.ytd_current == 4950 and growth.ytd_previous == 4000
    assert growth.ytd_growth == Decimal("23.8")
    # March of 2019 (900) is not counted: with it the base would be 4900 and the growth 1.0 %
    monthly = {x.month: x.growth for x in growth.months}
    assert monthly == {
        m(2020, 1): Decimal("30.0"),
        m(2020, 2): Decimal("25.0"),
        m(2020, 3): None,
        m(2020, 4): Decimal("15.0"),
        m(2020, 5): Decimal("25.0"),
    }
    assert "2020-03" in growth.note() and "2019" not in growth.note()


def test_a_month_missing_in_the_earlier_year_is_named_too():
    volumes = {k: v for k, v in VOLUMES.items() if k != m(2019, 2)}
    growth = rules.growth(volumes, 2020, m(2020, 2))
    assert growth.missing_previous == (m(2019, 2),)
    assert growth.ytd_current == 1300 and growth.ytd_previous == 1000 and growth.ytd_growth == Decimal("30.0")
    assert "2019-02" in growth.note()


def test_no_month_in_common_is_no_figure_not_zero():
    growth = rules.growth({m(2020, 1): 5}, 2020, m(2020, 1))
    assert growth.compared == () and growth.ytd_growth is None


def test_reconciliation_flags_stations_beyond_the_postal_volume():
    rows, disagree = rules.reconcile({"A": 1000, "B": 1000, "C": 0}, {"A": 400, "B": 1400, "C": 5, "D": 0}, 30)
    assert [r.township for r in rows] == ["A", "B", "C", "D"]
    assert rows[0].share == Decimal("40.0")
    assert [r.township for r in disagree] == ["B", "C"]  # B: 40 % over the tolerance of 30 %; C: parcels, no volume
    assert not rules.reconcile({"B": 1000}, {"B": 1300}, 30)[1]  # 30 % is within


def test_steps_follow_the_delivery_and_refuse_out_of_order():
    status = rules.ANNOUNCED
    for step in ("arrive", "sort", "load", "deliver", "hand_over"):
        status = rules.next_status(step, status)
    assert status == rules.PICKED_UP
    with pytest.raises(rules.StepRefused):
        rules.next_status("hand_over", rules.PICKED_UP)
    with pytest.raises(rules.StepRefused):
        rules.next_status("load", rules.ANNOUNCED)


def test_holding_period_and_overdue():
    day = datetime.date(2020, 5, 1)
    assert rules.hold_until(day, 7) == datetime.date(2020, 5, 8)
    assert not rules.is_overdue(rules.AT_STATION, datetime.date(2020, 5, 8), datetime.date(2020, 5, 8))
    assert rules.is_overdue(rules.AT_STATION, datetime.date(2020, 5, 8), datetime.date(2020, 5, 9))
    assert not rules.is_overdue(rules.PICKED_UP, datetime.date(2020, 5, 8), datetime.date(2020, 6, 9))


def test_fee_band_and_carrier_month():
    bands = [rules.FeeBand(500, Decimal("1.00")), rules.FeeBand(3000, Decimal("2.50"))]
    assert rules.fee_for(500, bands) == Decimal("1.00")
    assert rules.fee_for(501, bands) == Decimal("2.50")
    assert rules.fee_for(3001, bands) is None
    t0 = datetime.datetime(2020, 5, 1, 8, 0)
    rows = rules.carrier_months(
        [
            rules.ParcelFacts("中通", m(2020, 5), Decimal("1.00"), t0, t0 + datetime.timedelta(days=1)),
            rules.ParcelFacts("中通", m(2020, 5), Decimal("2.50"), t0, t0 + datetime.timedelta(days=2, hours=12)),
            rules.ParcelFacts("中通", m(2020, 5), None, t0, None),
        ]
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row.parcels, row.fees, row.picked_up) == (3, Decimal("3.50"), 2)
    assert row.average_days_to_pickup == Decimal("1.8")  # (1 + 2.5) / 2 = 1.75


def test_price_alert_against_the_trailing_average():
    s = ("zto", Decimal("1.0"), "province")
    points = [
        rules.PricePoint(s, datetime.date(2020, 1, 15), Decimal("8.00")),
        rules.PricePoint(s, datetime.date(2020, 2, 15), Decimal("8.20")),
        rules.PricePoint(s, datetime.date(2020, 3, 15), Decimal("7.80")),
        rules.PricePoint(s, datetime.date(2020, 4, 15), Decimal("8.90")),  # 8.90 vs 8.00: +11.25 %
        rules.PricePoint(("sf", Decimal("1.0"), "province"), datetime.date(2020, 4, 15), Decimal("20.00")),
    ]
    alerts = rules.price_alerts(points, 10, window=3)
    assert len(alerts) == 1
    assert alerts[0].average == Decimal("8.00") and alerts[0].change_percent == Decimal("11.3")
    assert rules.price_alerts(points, Decimal("11.25"), window=3) == []  # exactly at the threshold: no alert


def test_pickup_codes_are_unguessable_and_normalised():
    codes = {pickup.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 8 and set(c) <= set(pickup.ALPHABET) for c in codes)
    assert len(pickup.ALPHABET) ** pickup.LENGTH > 2**39  # about 39.6 bits
    code = next(iter(codes))
    assert pickup.normalise(pickup.display(code).lower()) == code
    assert pickup.matches(pickup.code_hash(7, code), 7, pickup.display(code))
    assert not pickup.matches(pickup.code_hash(7, code), 8, code)  # bound to the station
    assert pickup.code_hash(7, code) != code and len(pickup.code_hash(7, code)) == 64
