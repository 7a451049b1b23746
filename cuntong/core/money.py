"""Money as Decimal yuan with two places — never float — and the 万元/元 forms Chinese finance users read.

Plans state budgets in 万元 (10,000 yuan); records hold yuan. Conversions are exact Decimal arithmetic.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

CENT = Decimal("0.01")
WAN = Decimal(10000)
MAX_DIGITS = 14


class MoneyField(models.DecimalField):
    """Yuan with two decimal places, up to 999,999,999,999.99."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        path = "cuntong.core.money.MoneyField"
        return name, path, args, kwargs


def to_decimal(value) -> Decimal:
    """Exact Decimal from int, str or Decimal; floats are refused because they cannot hold money exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a string or Decimal")
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def yuan(value) -> Decimal:
    """Round to fen."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def wan_to_yuan(value) -> Decimal:
    return yuan(to_decimal(value) * WAN)


def yuan_to_wan(value) -> Decimal:
    return to_decimal(value) / WAN


def format_yuan(value, symbol: bool = True) -> str:
    """¥1,234,567.89"""
    if value is None:
        return "—"
    text = f"{yuan(value):,.2f}"
    return f"¥{text}" if symbol else text


def format_wan(value, places: int = 2) -> str:
    """1,650.00 万元 from yuan, trailing zeros kept so columns line up."""
    if value is None:
        return "—"
    amount = yuan_to_wan(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{amount:,.{places}f}"


def percent(part, whole) -> Decimal | None:
    """Share in percent with one decimal rounded half up (9/16 → 56.3), or None when the whole is zero.

    The one rounding rule: KPIs, pages, the wall, the API and documents all take their percentages from here."""
    if not whole:
        return None
    return (to_decimal(part) * 100 / to_decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def format_percent(value) -> str:
    """56.3% from a percentage made by :func:`percent`; "—" when there is none."""
    return "—" if value is None else f"{value}%"
