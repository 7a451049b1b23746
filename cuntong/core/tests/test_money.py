from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuntong.core import money


def test_wan_and_yuan_are_exact():
    assert money.wan_to_yuan(1650) == Decimal("16500000.00")
    assert money.wan_to_yuan("0.0001") == Decimal("1.00")
    assert money.yuan_to_wan(Decimal("16500000")) == Decimal(1650)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        money.to_decimal(0.1)


def test_formats():
    assert money.format_wan(Decimal("16500000")) == "1,650.00"
    assert money.format_yuan(Decimal("1234567.891")) == "¥1,234,567.89"
    assert money.format_wan(None) == "—"
    assert money.percent(1, 3) == Decimal("33.3")
    assert money.percent(1, 0) is None


def test_bad_amount_is_named():
    with pytest.raises(ValueError, match="not an amount"):
        money.to_decimal("十万")


@given(st.decimals(min_value=0, max_value=10**8, places=2))
def test_round_trip_between_yuan_and_wan(amount):
    assert money.wan_to_yuan(money.yuan_to_wan(amount)) == amount
