"""Express logistics rules, pure: volume growth against the plan's target (year on year, by month and year to date,
naming the months a year lacks), reconciliation of the postal statistics with the stations' own parcel counts,
shared-delivery parcel steps, fees by weight band, days to pickup, and the price-volatility alert.

No ORM here: dataclasses and plain values in, results out.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

# --- months ------------------------------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_label(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def report_due_on(month: datetime.date, due_day: int) -> datetime.date:
    """The day the postal administration owes ``month``'s volumes: ``due_day`` of the next month."""
    return add_months(month_start(month), 1).replace(day=due_day)


def _percent(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- volume growth ----------------------------------------------------------------------------------------------

THIS_YEAR = _("本年")
LAST_YEAR = _("上年")


@dataclass(frozen=True)
class MonthGrowth:
    month: datetime.date  # the month of the later year
    current: int | None
    previous: int | None

    @property
    def growth(self) -> Decimal | None:
        """Year on year, in % with one decimal; None when either year lacks the month or the earlier one is 0."""
        if self.current is None or self.previous is None:
            return None
        return _percent(self.current - self.previous, self.previous)


@dataclass(frozen=True)
class Growth:
    """Year-on-year growth of ``year`` over ``year - 1`` through ``through`` (a month of ``year``)."""

    year: int
    through: datetime.date
    months: tuple[MonthGrowth, ...]
    missing_current: tuple[datetime.date, ...]  # months of ``year`` (up to ``through``) with no figure
    missing_previous: tuple[datetime.date, ...]  # the same months of the year before with no figure

    @property
    def compared(self) -> tuple[MonthGrowth, ...]:
        """The months both years have: year to date is computed on these only, never guessed."""
        return tuple(m for m in self.months if m.current is not None and m.previous is not None)

    @property
    def ytd_current(self) -> int:
        return sum(m.current for m in self.compared)

    @property
    def ytd_previous(self) -> int:
        return sum(m.previous for m in self.compared)

    @property
    def ytd_growth(self) -> Decimal | None:
        return _percent(self.ytd_current - self.ytd_previous, self.ytd_previous) if self.compared else None

    @property
    def missing(self) -> tuple[datetime.date, ...]:
        """Months of ``year`` left out of the year to date, because either year lacks them."""
        return tuple(m.month for m in self.months if m.current is None or m.previous is None)

    def note(self) -> str:
        """The months left out, named: "缺少数据的月份：2020-03（本年）、2019-05（上年）"; "" when none."""
        parts = [f"{month_label(m)}（{THIS_YEAR}）" for m in self.missing_current]
        parts += [f"{month_label(m)}（{LAST_YEAR}）" for m in self.missing_previous]
        if not parts:
            return ""
        return str(_("缺少数据的月份：%(months)s；同比按两年都有数据的月份计算")) % {"months": "、".join(parts)}


def growth(volumes: Mapping[datetime.date, int], year: int, through: datetime.date) -> Growth:
    """Growth of ``year`` over the year before, month by month from January to ``through`` (inclusive).

    ``volumes`` maps a month (its first day) to the county's volume; a month absent from it has no figure (0 is a
    figure). The year to date adds only the months both years have, and the months left out are named."""
    through = month_start(through)
    if through.year != year:
        raise ValueError("through must be a month of year")
    rows, missing_current, missing_previous = [], [], []
    for number in range(1, through.month + 1):
        month = datetime.date(year, number, 1)
        before = datetime.date(year - 1, number, 1)
        current, previous = volumes.get(month), volumes.get(before)
        if current is None:
            missing_current.append(month)
        if previous is None:
            missing_previous.append(before)
        rows.append(MonthGrowth(month, current, previous))
    return Growth(year, through, tuple(rows), tuple(missing_current), tuple(missing_previous))


# --- reconciliation with the stations' parcel counts ----------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    township: str  # NBS code
    postal: int  # volume in the postal statistics (inbound + outbound)
    stations: int  # parcels the township's stations reported (in + out)

    @property
    def share(self) -> Decimal | None:
        """The share of the township's volume that went through its stations, in %."""
        return _percent(self.stations, self.postal)

    def gap_percent(self) -> Decimal | None:
        """How far the stations' count lies from the postal figure, in % of the postal figure."""
        if not self.postal:
            return None if not self.stations else Decimal(100)
        return _percent(abs(self.stations - self.postal), self.postal)


def reconcile(
    postal: Mapping[str, int], stations: Mapping[str, int], tolerance_percent: Decimal | int | float
) -> tuple[list[Reconciliation], list[Reconciliation]]:
    """Every township of either source and those where the stations' parcels exceed the postal volume by more than
    the tolerance, or the stations report parcels the statistics lack (stations cannot handle more than the whole
    township's volume; fewer is expected, since not every parcel passes a station)."""
    rows = [Reconciliation(code, postal.get(code, 0), stations.get(code, 0)) for code in sorted({*postal, *stations})]
    tolerance = Decimal(str(tolerance_percent))
    disagree = [
        r
        for r in rows
        if (r.postal == 0 and r.stations > 0)
        or (r.postal and r.stations > r.postal and (r.gap_percent() or 0) > tolerance)
    ]
    return rows, disagree


def station_share(postal_total: int, stations_total: int) -> Decimal | None:
    return _percent(stations_total, postal_total)


# --- shared delivery (共同配送) ----------------------------------------------------------------------------------

ANNOUNCED = "announced"  # on a carrier's manifest, not yet at the county centre
ARRIVED = "arrived"  # scanned in at the county centre
SORTED = "sorted"  # assigned to a route and station
LOADED = "loaded"  # on a vehicle run
AT_STATION = "at_station"  # delivered to the station, waiting for its recipient (pickup code issued)
PICKED_UP = "picked_up"  # handed to the recipient
RETURNED = "returned"  # not picked up within the holding period, sent back to the carrier

STATUS_LABELS = {
    ANNOUNCED: _("已预报"),
    ARRIVED: _("已到县中心"),
    SORTED: _("已分拣"),
    LOADED: _("已装车"),
    AT_STATION: _("待取件"),
    PICKED_UP: _("已取件"),
    RETURNED: _("已退回"),
}
# step → the statuses it may start from, and the status it leads to
STEPS = {
    "arrive": ((ANNOUNCED,), ARRIVED),
    "sort": ((ARRIVED, SORTED), SORTED),
    "load": ((SORTED,), LOADED),
    "deliver": ((LOADED, SORTED), AT_STATION),
    "hand_over": ((AT_STATION,), PICKED_UP),
    "return": ((AT_STATION,), RETURNED),
}
STEP_LABELS = {
    "manifest": _("运单预报"),
    "arrive": _("到件扫描"),
    "sort": _("分拣"),
    "load": _("装车"),
    "deliver": _("送达站点"),
    "hand_over": _("交付取件"),
    "return": _("退回"),
    "carrier": _("快递公司状态"),
}
OPEN = (ANNOUNCED, ARRIVED, SORTED, LOADED, AT_STATION)


class StepRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def next_status(step: str, status: str) -> str:
    """The status ``step`` leads to from ``status``; refused when the parcel is not at that stage."""
    sources, target = STEPS[step]
    if status not in sources:
        raise StepRefused(
            _("运单当前状态为“%(status)s”，不能%(step)s。")
            % {"status": STATUS_LABELS.get(status, status), "step": STEP_LABELS[step]}
        )
    return target


def hold_until(delivered: datetime.date, holding_days: int) -> datetime.date:
    """The last day a parcel waits at the station before it is returned."""
    return delivered + datetime.timedelta(days=holding_days)


def is_overdue(status: str, held_until: datetime.date | None, today: datetime.date) -> bool:
    return status == AT_STATION and held_until is not None and today > held_until


# --- fees and carrier statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeBand:
    max_weight_g: int  # the band covers weights up to this (inclusive)
    fee: Decimal


def fee_for(weight_g: int, bands: Iterable[FeeBand]) -> Decimal | None:
    """The fee of the narrowest band covering ``weight_g``; None when no band covers it (the schedule is incomplete:
    no fee is invented)."""
    covering = [band for band in bands if weight_g <= band.max_weight_g]
    return min(covering, key=lambda band: band.max_weight_g).fee if covering else None


@dataclass(frozen=True)
class ParcelFacts:
    carrier: str
    month: datetime.date  # of arrival
    fee: Decimal | None
    arrived_at: datetime.datetime | None
    picked_up_at: datetime.datetime | None


@dataclass
class CarrierMonth:
    carrier: str
    month: datetime.date
    parcels: int = 0
    fees: Decimal = Decimal("0.00")
    picked_up: int = 0
    days_total: Decimal = Decimal(0)

    @property
    def average_days_to_pickup(self) -> Decimal | None:
        if not self.picked_up:
            return None
        return (self.days_total / self.picked_up).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def carrier_months(parcels: Iterable[ParcelFacts]) -> list[CarrierMonth]:
    """Per carrier and month of arrival: parcels, fees charged, average days from arrival to pickup."""
    rows: dict[tuple[str, datetime.date], CarrierMonth] = {}
    for p in parcels:
        row = rows.setdefault((p.carrier, p.month), CarrierMonth(p.carrier, p.month))
        row.parcels += 1
        row.fees += p.fee or Decimal("0.00")
        if p.arrived_at and p.picked_up_at:
            row.picked_up += 1
            row.days_total += Decimal((p.picked_up_at - p.arrived_at).total_seconds()) / Decimal(86400)
    return [rows[key] for key in sorted(rows, key=lambda k: (k[1], k[0]), reverse=False)]


def average_days(pairs: Iterable[tuple[datetime.datetime, datetime.datetime]]) -> Decimal | None:
    """Average days from arrival to pickup over (arrived, picked up) pairs, one decimal; None without any."""
    month = CarrierMonth("", datetime.date.min)
    for arrived, picked in pairs:
        month.picked_up += 1
        month.days_total += Decimal((picked - arrived).total_seconds()) / Decimal(86400)
    return month.average_days_to_pickup


# --- price watch (价格监测) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PricePoint:
    series: tuple  # (carrier, weight band, zone): prices are compared within one series only
    on: datetime.date
    price: Decimal
    ref: object = None


@dataclass(frozen=True)
class PriceAlert:
    point: PricePoint
    average: Decimal  # the trailing average it is compared with
    change_percent: Decimal  # signed


@dataclass
class _Series:
    prices: list[Decimal] = field(default_factory=list)


def price_alerts(points: Sequence[PricePoint], threshold_percent, window: int = 6) -> list[PriceAlert]:
    """Each price more than ``threshold_percent`` above or below the average of the ``window`` prices before it in
    its series (carrier, weight band, zone), in date order; a series' first price has nothing to compare with."""
    threshold = Decimal(str(threshold_percent))
    series: dict[tuple, _Series] = {}
    alerts = []
    for point in sorted(points, key=lambda p: (p.series, p.on)):
        history = series.setdefault(point.series, _Series()).prices
        trailing = history[-window:]
        if trailing:
            average = sum(trailing) / len(trailing)
            change = (point.price - average) * 100 / average if average else Decimal(0)
            if abs(change) > threshold:
                alerts.append(
                    PriceAlert(
                        point,
                        average.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                        change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
                    )
                )
        history.append(point.price)
    return sorted(alerts, key=lambda a: (a.point.on, a.point.series), reverse=True)
