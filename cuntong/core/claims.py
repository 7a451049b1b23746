"""Claims on the programme's funds (补贴与费用申领): the registry through which any app asks funds to pay it monthly.

An app with something to claim each month — station operating subsidies, training sessions paid per person-time,
a warehouse's running costs — registers a :class:`ClaimSource` from its ``claims.py`` (imported at start-up like
``kpis.py``). The funds app reads every registered source the same way: for a month it collects the source's claims,
prices each with the source's pure rule under the source's plan rule, and submits the total as one disbursement
request (one batch per source per month) through the ordinary approval flow and ledger.

    claims.register(claims.ClaimSource(
        code="training_session_subsidy", kind=claims.SUBSIDY, label=_("培训场次补贴"),
        plan_rule="training.session_subsidy",      # rules.training.session_subsidy: {sub_item: …, per_person_time_yuan: …}
        collect=sessions_of_month,                  # (programme, month) -> iterable of Claim
        price=price_session,                        # (Claim, rule) -> Priced, pure
        facts=(claims.Fact("person_times", _("培训人次"), "number"),),
    ))

The plan binds every source to its budget: the rule at ``plan_rule`` names the ``sub_item`` it is paid from (the
budget line is that sub-item's project line for the chosen fund source); funds refuses to build a batch for a source
whose plan says nothing. The kernel imports no app: sources know their own models, funds knows only this module.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

SUBSIDY = "subsidy"
COST = "cost"
KINDS = {SUBSIDY: _("补贴"), COST: _("费用")}

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_RULE_PATH = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class Claim:
    """One thing claimed for one month: its subject (a station, a training session …) and the facts it is priced
    from. ``facts`` values are JSON-safe or Decimal; they are kept with the claim's line as its evidence."""

    subject_id: int
    name: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    area_code: str = ""
    claimant_id: int | None = None  # the user the decision concerns (who may see and appeal the line)


@dataclass(frozen=True)
class Priced:
    """A claim's amount for the month and why (``reason_code`` for filtering, ``reason`` for people)."""

    amount: Decimal
    reason_code: str
    reason: str


@dataclass(frozen=True)
class Fact:
    """A fact a source's lines show as a column: ``key`` in the claim's facts, its label, the cell kind
    (as ``web.views.Col``) and, for codes, the labels to show for them."""

    key: str
    label: str
    kind: str = "text"
    choices: Mapping[str, str] | None = None

    def display(self, value):
        return self.choices.get(value, value) if self.choices and value is not None else value


@dataclass(frozen=True)
class ClaimSource:
    """A named source of monthly claims. ``subject_label`` heads the subject column (站点, 培训场次 …);
    ``unit`` counts paid claims in the request's purpose (“2 个站点”); ``reasons`` labels the reason codes its rule
    gives, for filters; ``payee`` is the disbursement request's payee; ``subject_model`` ("stations.station"), when
    a claim's subject id is a record's, lets that record's page list its claims."""

    code: str
    kind: str
    label: str
    plan_rule: str
    collect: Callable[[Any, datetime.date], Iterable[Claim]]
    price: Callable[[Claim, Mapping], Priced]
    facts: tuple[Fact, ...] = ()
    subject_label: str = _("对象")
    unit: str = _("项")
    payee: str = _("各申领对象（见明细）")
    reasons: Mapping[str, str] = field(default_factory=dict)
    subject_model: str = ""

    def __post_init__(self):
        if not _CODE.match(self.code or ""):
            raise ImproperlyConfigured(f"claim source code {self.code!r}: lower-case letters, digits and _")
        if self.kind not in KINDS:
            raise ImproperlyConfigured(f"claim source {self.code}: kind must be one of {sorted(KINDS)}")
        if not _RULE_PATH.match(self.plan_rule or ""):
            raise ImproperlyConfigured(
                f"claim source {self.code}: plan_rule must name the plan rule that binds it to a sub-item, "
                f"as a dotted path under the plan's rules (e.g. 'funds.station_subsidy'), not {self.plan_rule!r}"
            )

    def rule(self, programme) -> dict | None:
        """The source's rule in ``programme``'s plan, or None where the plan has none."""
        section, *path = self.plan_rule.split(".")
        rule = programme.rule(section)
        for key in path:
            rule = rule.get(key) if isinstance(rule, dict) else None
        return rule if isinstance(rule, dict) else None


_sources: dict[str, ClaimSource] = {}


def register(source: ClaimSource) -> ClaimSource:
    if _sources.get(source.code, source) is not source:
        raise ImproperlyConfigured(f"claim source {source.code} registered twice")
    _sources[source.code] = source
    return source


def unregister(source: ClaimSource) -> None:
    if _sources.get(source.code) is source:
        del _sources[source.code]


@contextlib.contextmanager
def registered(source: ClaimSource) -> Iterator[ClaimSource]:
    """A source registered for the length of a block (a test's stand-in for an app)."""
    register(source)
    try:
        yield source
    finally:
        unregister(source)


def sources() -> list[ClaimSource]:
    return sorted(_sources.values(), key=lambda s: s.code)


def sources_about(model_label: str) -> list[ClaimSource]:
    """The sources whose claims are about records of ``model_label`` (lower-case "app.model")."""
    return [source for source in sources() if source.subject_model == model_label]


def get(code: str) -> ClaimSource | None:
    return _sources.get(code)


def label_of(code: str) -> str:
    """A source's label, or its code once no app registers it (a batch outlives a removed module)."""
    source = _sources.get(code)
    return source.label if source else code
