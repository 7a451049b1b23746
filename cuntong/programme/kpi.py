"""The KPI registry: every module registers calculators here; the plan names which apply and their targets.

A calculator takes a programme and returns a :class:`Measurement` computed from raw records. An optional
drill-down returns the records behind the figure (restricted to the viewing user), so every figure on the board,
in reports and on the portal can be traced back to rows.

    @registry.register("stations.village_coverage", _("行政村服务点覆盖率"), unit="%")
    def village_coverage(programme): ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

_evaluation_memo: ContextVar[dict | None] = ContextVar("kpi_evaluation_memo", default=None)


def shared(helper: Callable) -> Callable:
    """Compute a helper several calculators need (a programme's fund totals, its coverage) once per evaluation.

    Outside :meth:`KpiRegistry.evaluate` the helper runs every time, so nothing is ever served stale."""

    @functools.wraps(helper)
    def memoised(*args):
        memo = _evaluation_memo.get()
        if memo is None:
            return helper(*args)
        key = (helper, *args)
        if key not in memo:
            memo[key] = helper(*args)
        return memo[key]

    return memoised


@dataclass(frozen=True)
class Measurement:
    value: Decimal | int | None
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None
    note: str = ""

    @classmethod
    def ratio(cls, numerator: int | Decimal, denominator: int | Decimal, note: str = "") -> Measurement:
        """A percentage with one decimal; no denominator means no data, not zero."""
        if not denominator:
            return cls(None, numerator, denominator, note)
        value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return cls(value, numerator, denominator, note)


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    name: str
    unit: str
    calculator: Callable[[Any], Measurement]
    drilldown: Callable[[Any, Any], Any] | None = None
    description: str = ""

    @property
    def module(self) -> str:
        return self.key.split(".")[0]


class Status:
    MET = "met"
    NOT_MET = "not_met"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"
    NOT_REGISTERED = "not_registered"

    LABELS = {
        MET: _("已达标"),
        NOT_MET: _("未达标"),
        NO_TARGET: _("无目标"),
        NO_DATA: _("暂无数据"),
        NOT_REGISTERED: _("模块未上线"),
    }


COMPARATORS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": lambda value, target: value >= target,
    ">": lambda value, target: value > target,
    "==": lambda value, target: value == target,
    "<=": lambda value, target: value <= target,
}


def judge(value, comparator: str | None, target) -> str:
    if target is None or comparator is None:
        return Status.NO_TARGET
    if value is None:
        return Status.NO_DATA
    return Status.MET if COMPARATORS[comparator](Decimal(value), Decimal(target)) else Status.NOT_MET


@dataclass(frozen=True)
class KpiResult:
    key: str
    name: str
    unit: str
    measurement: Measurement | None
    target_value: Decimal | None
    comparator: str | None
    year: int | None
    status: str
    registered: bool = True
    definition: KpiDefinition | None = field(default=None, compare=False, repr=False)

    @property
    def value(self):
        return self.measurement.value if self.measurement else None

    @property
    def comparator_symbol(self) -> str:
        from .models import Target

        return dict(Target.Comparator.choices).get(self.comparator or "", "")

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])

    @property
    def has_drilldown(self) -> bool:
        return self.definition is not None and self.definition.drilldown is not None

    def as_dict(self) -> dict:
        def plain(number):
            return None if number is None else (f"{number.normalize():f}" if isinstance(number, Decimal) else number)

        m = self.measurement
        return {
            "key": self.key,
            "name": self.name,
            "unit": self.unit,
            "value": plain(m.value) if m else None,
            "numerator": plain(m.numerator) if m else None,
            "denominator": plain(m.denominator) if m else None,
            "note": m.note if m else "",
            "target": plain(self.target_value),
            "comparator": self.comparator,
            "year": self.year,
            "status": self.status,
            "registered": self.registered,
        }


class KpiRegistry:
    def __init__(self):
        self._definitions: dict[str, KpiDefinition] = {}

    def register(self, key: str, name, *, unit: str = "", description: str = "", drilldown=None):
        def decorate(calculator):
            if key in self._definitions:
                raise ValueError(f"KPI {key} registered twice")
            self._definitions[key] = KpiDefinition(key, str(name), unit, calculator, drilldown, str(description))
            return calculator

        return decorate

    def get(self, key: str) -> KpiDefinition | None:
        return self._definitions.get(key)

    def keys(self) -> list[str]:
        return sorted(self._definitions)

    def __iter__(self):
        return iter(self._definitions[k] for k in self.keys())

    def evaluate(self, programme, keys: list[str] | None = None) -> list[KpiResult]:
        """Every registered KPI and every KPI the plan targets, each judged against its target."""
        token = _evaluation_memo.set({})
        try:
            return self._evaluate(programme, keys)
        finally:
            _evaluation_memo.reset(token)

    def _evaluate(self, programme, keys: list[str] | None) -> list[KpiResult]:
        targets = {(t.kpi, t.year): t for t in programme.targets.all()}
        target_keys = {key for key, _year in targets}
        wanted = keys or sorted(set(self._definitions) | target_keys)
        results = []
        for key in wanted:
            definition = self._definitions.get(key)
            measurement = definition.calculator(programme) if definition else None
            key_targets = [t for (k, _y), t in targets.items() if k == key] or [None]
            for target in key_targets:
                if definition is None:
                    status = Status.NOT_REGISTERED
                else:
                    status = judge(
                        measurement.value, target.comparator if target else None, target.value if target else None
                    )
                results.append(
                    KpiResult(
                        key=key,
                        name=definition.name if definition else target.name,
                        unit=definition.unit if definition else (target.unit if target else ""),
                        measurement=measurement,
                        target_value=target.value if target else None,
                        comparator=target.comparator if target else None,
                        year=target.year if target else None,
                        status=status,
                        registered=definition is not None,
                        definition=definition,
                    )
                )
        return results


registry = KpiRegistry()
