"""Money refusals state amounts in 元 to the fen: a request over budget by 0.01 元 says so, where 万元 rounding
would have said "本次 0.00 万元"."""

from decimal import Decimal

import pytest

from cuntong.funds import rules
from cuntong.funds.rules import FundRuleViolation, Position

from .factories import contract

CENT = Decimal("0.01")
FULL = Position("4. 测试项目 · 本级财政配套资金", Decimal("400000.00"), committed=Decimal("400000.00"))


def test_a_commitment_over_by_one_fen_names_the_fen():
    with pytest.raises(FundRuleViolation) as caught:
        rules.check_commitment(CENT, [FULL])
    message = caught.value.message
    assert "本次 0.01 元" in message and "超出 0.01 元" in message
    assert "预算 400,000.00 元（40.00 万元）" in message and "已承诺 400,000.00 元" in message


def test_an_approval_over_by_one_fen_names_the_fen():
    approved = Position("L", Decimal("400000.00"), committed=Decimal("400000.00"), approved=Decimal("399999.99"))
    with pytest.raises(FundRuleViolation) as caught:
        rules.check_approval(Decimal("0.02"), [approved], within_contract=True)
    assert "已批准 399,999.99 元，本次 0.02 元，超出 0.01 元" in caught.value.message
    with pytest.raises(FundRuleViolation) as caught:
        rules.check_contract_balance(CENT, Decimal("100.00"), Decimal("100.00"), "付款节点“签订”")
    assert "本次 0.01 元" in caught.value.message


def test_signing_a_contract_one_fen_over_the_line_is_refused_in_yuan(cast):
    contract(cast.office, amount_wan="300", number=5)
    with pytest.raises(FundRuleViolation) as caught:
        contract(cast.office, amount_wan="0.000001", number=5)
    assert caught.value.code == "over_budget"
    assert "本次 0.01 元，超出 0.01 元" in caught.value.message
