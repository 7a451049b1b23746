"""Claim sources standing in for other apps in funds' own tests (funds imports no app that claims): each claim
carries the amount its stand-in rule pays, so a test states the figures it expects."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from cuntong.core import claims


def claim(subject_id: int, name: str, amount, *, area_code: str = "", claimant=None) -> claims.Claim:
    return claims.Claim(
        subject_id,
        name,
        {"amount": Decimal(amount)},
        area_code=area_code,
        claimant_id=claimant.pk if claimant else None,
    )


def pay_as_claimed(claim: claims.Claim, rule) -> claims.Priced:
    amount = claim.facts["amount"]
    return claims.Priced(amount, "paid" if amount else "nothing", "按申领金额" if amount else "无应付金额")


def stand_in(found: Iterable[claims.Claim] | None = None, *, code: str = "stand_in", **fields) -> claims.ClaimSource:
    """A source claiming ``found`` every month (its ``collect`` may be replaced), bound by the plan to the stations'
    operating-cost sub-item unless ``plan_rule`` says otherwise."""
    found = list(found or ())
    return claims.ClaimSource(
        **{
            "code": code,
            "kind": claims.SUBSIDY,
            "label": "测试补贴",
            "plan_rule": "funds.station_subsidy",
            "collect": lambda programme, month: found,
            "price": pay_as_claimed,
            "facts": (claims.Fact("amount", "申领金额"),),
            **fields,
        }
    )
