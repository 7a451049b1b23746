"""Amending a signed contract (变更/补充协议): a new amount and end date with a reason; milestones keep their
percentages and are re-split; an increase must fit the line's uncommitted budget; no milestone falls below what is
claimed on it; the ledger records before and after."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cuntong.core.money import wan_to_yuan
from cuntong.funds import ledger, queries, services
from cuntong.funds.models import Contract, LedgerEntry
from cuntong.funds.rules import FundRuleViolation
from cuntong.web.testing import login

from .factories import contract, line, milestone_request, through


def _position():
    return queries.line_position(line(1).pk)


def _milestone_amounts(record):
    return [m.amount for m in Contract.objects.get(pk=record.pk).milestones.order_by("sequence")]


def test_an_increase_re_splits_the_schedule_commits_the_difference_and_is_in_the_ledger(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    committed = _position().committed
    amended = services.amend_contract(
        cast.office, signed, wan_to_yuan("120"), "增加培训场次（补充协议一）", datetime.date(2022, 6, 30)
    )
    assert amended.amount == wan_to_yuan("120") and amended.end_date == datetime.date(2022, 6, 30)
    assert _milestone_amounts(signed) == [wan_to_yuan(w) for w in ("48", "48", "18", "6")]
    assert _position().committed == committed + wan_to_yuan("20")
    entry = LedgerEntry.objects.get(contract=signed, event="contract_amended")
    assert entry.amount == wan_to_yuan("20") and entry.actor_id == cast.office.pk
    assert (entry.payload["amount_before"], entry.payload["amount_after"]) == ("1000000.00", "1200000.00")
    assert entry.payload["reason"] == "增加培训场次（补充协议一）"
    assert ledger.verify().ok


def test_an_increase_past_the_uncommitted_budget_is_refused_and_changes_nothing(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    too_much = signed.amount + _position().uncommitted + Decimal("0.01")
    with pytest.raises(FundRuleViolation) as refused:
        services.amend_contract(cast.office, signed, too_much, "扩大范围")
    assert refused.value.code == "over_budget"
    assert Contract.objects.get(pk=signed.pk).amount == wan_to_yuan("100")
    assert _milestone_amounts(signed)[0] == wan_to_yuan("40")
    assert not LedgerEntry.objects.filter(event="contract_amended").exists()


def test_a_decrease_releases_budget_but_no_milestone_goes_below_what_is_claimed(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    through(milestone_request(cast.contractor, signed, 1), cast, until="approved")  # 40 万 on the first milestone
    committed = _position().committed
    with pytest.raises(FundRuleViolation) as refused:
        services.amend_contract(cast.office, signed, wan_to_yuan("90"), "缩减范围")  # first milestone → 36 万
    assert refused.value.code == "below_claimed" and "合同签订" in refused.value.message
    # The same amount again is allowed: the first milestone keeps exactly what is claimed on it.
    services.amend_contract(cast.office, signed, wan_to_yuan("100.00"), "核减为原额")
    contract_two = contract(cast.office, amount_wan="50", number=1)
    services.amend_contract(cast.office, contract_two, wan_to_yuan("30"), "核减")
    assert _position().committed == committed + wan_to_yuan("50") - wan_to_yuan("20")


def test_requests_awaiting_a_decision_block_an_amendment(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    pending = milestone_request(cast.contractor, signed, 1)
    with pytest.raises(FundRuleViolation) as refused:
        services.amend_contract(cast.office, signed, wan_to_yuan("110"), "调整")
    assert refused.value.code == "pending_requests" and pending.code in refused.value.message


def test_an_amendment_needs_a_reason_a_signed_contract_and_the_office(cast):
    draft = contract(cast.office, amount_wan="10", number=1, sign=False)
    with pytest.raises(FundRuleViolation) as refused:
        services.amend_contract(cast.office, draft, wan_to_yuan("12"), "调整")
    assert refused.value.code == "contract_not_signed"
    signed = contract(cast.office, amount_wan="10", number=1)
    with pytest.raises(FundRuleViolation) as refused:
        services.amend_contract(cast.office, signed, wan_to_yuan("12"), " ")
    assert refused.value.code == "reason_required"
    with pytest.raises(FundRuleViolation) as refused:
        services.amend_contract(cast.office, signed, wan_to_yuan("12"), "调整", datetime.date(2019, 1, 1))
    assert refused.value.code == "contract_dates"
    for outsider in (cast.contractor, cast.evaluator, cast.finance):
        with pytest.raises(PermissionDenied):
            services.amend_contract(outsider, signed, wan_to_yuan("12"), "调整")


def test_the_office_amends_on_the_contract_page_and_through_the_api(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    office = login(cast.office)
    assert 'id="amend-form"' in office.get(signed.get_absolute_url()).content.decode()
    assert 'id="amend-form"' not in login(cast.evaluator).get(signed.get_absolute_url()).content.decode()
    office.post(f"/funds/contracts/{signed.pk}/amend/", {"amount": "1100000", "end_date": "", "reason": "补充协议"})
    page = office.get(signed.get_absolute_url()).content.decode()
    assert "合同变更" in page and "1,100,000.00" in page
    url = f"/api/v1/funds/contracts/{signed.pk}/amend/"
    assert office.post(url, {"amount": "1150000"}).status_code == 400  # no reason
    response = office.post(url, {"amount": "1150000.00", "reason": "补充协议二"})
    assert response.status_code == 200 and response.json()["amount"] == "1150000.00"
    assert office.post(url, {"amount": "-1", "reason": "x"}).status_code == 400
