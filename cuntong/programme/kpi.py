"""The KPI registry: every module registers calculators here; the plan names which apply and their targets.

A calculator takes an :class:`AreaScope` — a programme as one viewer (or a set of areas, or the whole programme)
sees it — and returns a :class:`Measurement` computed from the raw records ``scope.records(...)`` yields. An
optional drill-down returns those same records, so every figure on the board, in reports and on the portal is the
viewer's figure and can be traced back to its rows.

    @registry.register("stations.village_coverage", _("行政村服务点覆盖率"), model=Station, unit="%")
    def village_coverage(scope): ...

Names and descriptions stay lazy translations: they are rendered in the language of each request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cuntong.core import freshness
from cuntong.core.money import percent
from cuntong.core.scoping import permission_name

KPI_PAYLOAD = freshness.payload("programme.kpis", "every KPI judged against its targets, over one scope (board, home)")

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


def _within(code: str, other: str) -> str | None:
    """The narrower of two NBS codes when one contains the other (codes nest by prefix), else None."""
    if code.startswith(other):
        return code
    return other if other.startswith(code) else None


@dataclass(frozen=True)
class AreaScope:
    """What a figure counts: one programme as ``user`` may see it, narrowed to ``areas`` when given.

    ``user`` None acts for the whole programme (commands, jobs, display links). A user's areas for a model are those
    of their memberships that may view *all* of its records there: an own-records grant (a station keeper's, a
    contractor's) opens rows but no totals, so such a user gets no figure rather than a county one. Records with no
    area of their own (contracts, payments) count only for county-wide scopes; programme-wide records (the plan's
    budget) count for every member.
    """

    programme: Any
    user: Any = None
    areas: tuple[str, ...] | None = None
    _memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def cache_key(self) -> str:
        """What decides this scope's figures (``core.freshness.scope_key``): viewers with the same grants share it."""
        return freshness.scope_key(self.user, areas=self.areas)

    @property
    def county_code(self) -> str:
        return self.programme.county.code

    def codes(self, model) -> tuple[str, ...]:
        """The NBS code prefixes of ``model``'s records this scope counts: the county, some of its areas, or none."""
        key = ("codes", model)
        if key not in self._memo:
            codes = self._granted(model)
            if self.areas is not None:
                codes = [c for code in codes for area in self.areas if (c := _within(code, area))]
            reach = {r for code in codes if (r := self._reach(model, code))}
            self._memo[key] = tuple(sorted(c for c in reach if not any(c != o and c.startswith(o) for o in reach)))
        return self._memo[key]

    def _granted(self, model) -> list[str]:
        if self.user is None or self.user.is_superuser:
            return [self.county_code]
        needed = permission_name(model, "view")
        return [
            grant.area_code
            for grant in self.user.scope_grants()
            if needed in grant.permissions and not (grant.own_records_only and not model.scope.shared)
        ]

    def _reach(self, model, code: str) -> str | None:
        county = self.county_code
        if county.startswith(code):
            return county
        if not code.startswith(county):
            return None
        if model.scope.shared:
            return county
        return code if model.scope.area is not None else None

    def is_whole(self, model) -> bool:
        return self.codes(model) == (self.county_code,)

    def records(self, queryset):
        """``queryset``'s rows inside this scope: the programme's, in its areas, and visible to its user."""
        model = queryset.model
        codes = self.codes(model)
        if not codes:
            return queryset.none()
        queryset = queryset.in_programme(self.programme)
        path = model.scope.area
        if path is not None and (model.scope.programme is None or not self.is_whole(model)):
            lookup = f"{path}__code__startswith" if path else "code__startswith"
            queryset = queryset.filter(reduce(or_, (Q(**{lookup: code}) for code in codes)))
        return queryset.restrict(self.user, "view") if self.user is not None else queryset

    def label(self, model) -> str:
        """ "范围：洪阳镇、南溪镇" when the figure covers part of the county, "" for the whole of it."""
        codes = self.codes(model)
        if not codes or self.is_whole(model):
            return ""
        from cuntong.geo.models import Area

        key = ("names", codes)
        if key not in self._memo:
            self._memo[key] = dict(Area.objects.current().filter(code__in=codes).values_list("code", "name"))
        names = self._memo[key]
        return gettext("范围：%(areas)s") % {"areas": "、".join(names.get(code, code) for code in codes)}


@dataclass(frozen=True)
class Measurement:
    value: Decimal | int | None
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None
    note: str = ""

    @classmethod
    def ratio(cls, numerator: int | Decimal, denominator: int | Decimal, note: str = "") -> Measurement:
        """A percentage with one decimal; no denominator means no data, not zero."""
        return cls(percent(numerator, denominator), numerator, denominator, note)


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    name: Any  # a lazy translation, rendered per request
    unit: str
    model: Any  # the records the figure counts: the scope's areas for this model decide what is counted
    calculator: Callable[[AreaScope], Measurement]
    drilldown: Callable[[AreaScope], Any] | None = None
    description: Any = ""

    @property
    def module(self) -> str:
        return self.key.split(".")[0]


class Status:
    MET = "met"
    NOT_MET = "not_met"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"
    NOT_REGISTERED = "not_registered"
    OUT_OF_SCOPE = "out_of_scope"

    LABELS = {
        MET: _("已达标"),
        NOT_MET: _("未达标"),
        NO_TARGET: _("无目标"),
        NO_DATA: _("暂无数据"),
        NOT_REGISTERED: _("模块未上线"),
        OUT_OF_SCOPE: _("不在查看范围"),
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
    name: Any  # a lazy translation for registered KPIs, the plan's text otherwise
    unit: str
    measurement: Measurement | None
    target_value: Decimal | None
    comparator: str | None
    year: int | None
    status: str
    registered: bool = True
    definition: KpiDefinition | None = field(default=None, compare=False, repr=False)
    scope_label: str = ""

    @property
    def value(self):
        return self.measurement.value if self.measurement else None

    @property
    def display(self) -> str:
        """The value as every page, the wall and the API show it ("56.3"; "—" without one)."""
        value = self.value
        return "—" if value is None else str(value)

    @property
    def comparator_symbol(self) -> str:
        from .models import Target

        return dict(Target.Comparator.choices).get(self.comparator or "", "")

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])

    @property
    def has_drilldown(self) -> bool:
        return (
            self.status != Status.OUT_OF_SCOPE and self.definition is not None and self.definition.drilldown is not None
        )

    def as_dict(self) -> dict:
        def plain(number):  # every figure a decimal string, as DRF writes Decimals: clients never meet a float
            if number is None:
                return None
            return f"{number.normalize():f}" if isinstance(number, Decimal) else str(number)

        m = self.measurement
        return {
            "key": self.key,
            "name": str(self.name),
            "unit": self.unit,
            "value": plain(m.value) if m else None,
            "display": self.display,
            "numerator": plain(m.numerator) if m else None,
            "denominator": plain(m.denominator) if m else None,
            "note": m.note if m else "",
            "scope": self.scope_label,
            "target": plain(self.target_value),
            "comparator": self.comparator,
            "year": self.year,
            "status": self.status,
            "status_label": self.status_label,
            "registered": self.registered,
        }


class KpiRegistry:
    def __init__(self):
        self._definitions: dict[str, KpiDefinition] = {}

    def register(self, key: str, name, *, model, unit: str = "", description="", drilldown=None):
        """``model`` names the records the figure counts; the calculator and drill-down take an AreaScope."""

        def decorate(calculator):
            if key in self._definitions:
                raise ValueError(f"KPI {key} registered twice")
            self._definitions[key] = KpiDefinition(key, name, unit, model, calculator, drilldown, description)
            return calculator

        return decorate

    def get(self, key: str) -> KpiDefinition | None:
        return self._definitions.get(key)

    def keys(self) -> list[str]:
        return sorted(self._definitions)

    def __iter__(self):
        return iter(self._definitions[k] for k in self.keys())

    def evaluate(self, scope: AreaScope, keys: list[str] | None = None) -> list[KpiResult]:
        """Every registered KPI and every KPI the plan targets, computed over ``scope``, each judged against its
        target. A KPI whose records the scope may not total is reported as out of scope, never as a county figure."""
        if not isinstance(scope, AreaScope):
            raise TypeError("evaluate() takes an AreaScope: say whose figures these are")
        token = _evaluation_memo.set({})
        try:
            return self._evaluate(scope, keys)
        finally:
            _evaluation_memo.reset(token)

    def results(self, scope: AreaScope) -> list[KpiResult]:
        """:meth:`evaluate` of every KPI, from the cache while nothing in the programme has changed
        (``core.freshness``): figures as fresh as the last write, computed once per scope and language."""
        if not isinstance(scope, AreaScope):
            raise TypeError("results() takes an AreaScope: say whose figures these are")
        stored = freshness.cached(
            scope.programme,
            scope.cache_key,
            KPI_PAYLOAD,
            lambda: [replace(r, name=str(r.name), definition=None) for r in self.evaluate(scope)],
        )
        return [replace(r, definition=self._definitions.get(r.key)) for r in stored]

    def drilldown(self, scope: AreaScope, key: str):
        """The records behind a KPI's figure in ``scope`` (None when it has none or the scope may not see them)."""
        definition = self._definitions.get(key)
        if definition is None or definition.drilldown is None or not scope.codes(definition.model):
            return None
        return definition.drilldown(scope)

    def _evaluate(self, scope: AreaScope, keys: list[str] | None) -> list[KpiResult]:
        targets = {(t.kpi, t.year): t for t in scope.programme.targets.all()}
        target_keys = {key for key, _year in targets}
        wanted = keys or sorted(set(self._definitions) | target_keys)
        results = []
        for key in wanted:
            definition = self._definitions.get(key)
            in_scope = definition is not None and bool(scope.codes(definition.model))
            measurement = definition.calculator(scope) if in_scope else None
            label = scope.label(definition.model) if in_scope else ""
            key_targets = [t for (k, _y), t in targets.items() if k == key] or [None]
            for target in key_targets:
                if definition is None:
                    status = Status.NOT_REGISTERED
                elif not in_scope:
                    status = Status.OUT_OF_SCOPE
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
                        scope_label=label,
                    )
                )
        return results


registry = KpiRegistry()
