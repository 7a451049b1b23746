"""Terminating a signed contract (合同终止): what was approved on it stays committed and payable, the rest returns to
the line; nothing more can be requested or approved on it; the ledger records the release."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from cuntong.core.money import wan_to_yuan
from cuntong.funds import ledger, queries, services
from cuntong.funds.models import Appeal, Contract, LedgerEntry
from cuntong.funds.rules import FundRuleViolation
from cuntong.web.testing import login

from .factories import contract, contractor_org, contractor_user, line, milestone_request, through

ON = datetime.date(2020, 9, 1)


def _committed(number=1):
    return queries.line_position(line(number).pk).committed


def test_termination_releases_what_was_not_approved_and_keeps_approved_money_payable(cast):
    before = _committed()
    signed = contract(cast.office, amount_wan="100", number=1)
    assert _committed() == before + wan_to_yuan("100")
    approved = through(milestone_request(cast.contractor, signed, 1), cast, until="approved")  # 40 万

    terminated = services.terminate_contract(cast.office, signed, ON, "承办单位无法履约")
    assert (terminated.status, terminated.terminated_on, terminated.terminated_by) == ("terminated", ON, cast.office)
    assert _committed() == before + wan_to_yuan("40")

    paid = services.decide(cast.finance, approved, "pay", voucher_number="PZ-9", paid_on=ON)  # owed for work done
    assert paid.status == "paid" and _committed() == before + wan_to_yuan("40")

    entry = LedgerEntry.objects.get(contract=signed, event="contract_terminated")
    assert entry.amount == wan_to_yuan("60") and entry.actor_id == cast.office.pk
    assert entry.payload["released"] == "600000.00" and entry.payload["reason"] == "承办单位无法履约"
    assert ledger.verify().ok


def test_nothing_more_is_requested_or_approved_on_a_terminated_contract(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    returned = services.decide(cast.office, milestone_request(cast.contractor, signed, 1), "return", reason="补材料")
    services.terminate_contract(cast.office, signed, ON, "项目调整")
    with pytest.raises(FundRuleViolation) as refused:
        milestone_request(cast.contractor, signed, 2)
    assert refused.value.code == "contract_terminated"
    milestone = signed.milestones.get(sequence=1)
    with pytest.raises(FundRuleViolation, match="已终止"):
        services.resubmit_request(
            cast.contractor,
            returned,
            services.RequestInput(amount=milestone.amount, purpose="再交", milestone=milestone),
        )


def test_requests_awaiting_a_decision_block_termination_and_are_named(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    pending = milestone_request(cast.contractor, signed, 1)
    with pytest.raises(FundRuleViolation) as refused:
        services.terminate_contract(cast.office, signed, ON, "项目调整")
    assert refused.value.code == "pending_requests" and pending.code in refused.value.message
    assert Contract.objects.get(pk=signed.pk).status == "signed"


@pytest.mark.parametrize(
    ("reason", "on", "code"),
    [("", ON, "reason_required"), ("项目调整", datetime.date(2020, 1, 1), "contract_dates")],
)
def test_a_termination_needs_a_reason_and_a_date_after_signing(cast, reason, on, code):
    signed = contract(cast.office, amount_wan="100", number=1)
    with pytest.raises(FundRuleViolation) as refused:
        services.terminate_contract(cast.office, signed, on, reason)
    assert refused.value.code == code and Contract.objects.get(pk=signed.pk).status == "signed"


def test_drafts_are_not_terminated_and_only_the_office_terminates(cast):
    draft = contract(cast.office, amount_wan="10", number=1, sign=False)
    with pytest.raises(FundRuleViolation):
        services.terminate_contract(cast.office, draft, ON, "x")
    signed = contract(cast.office, amount_wan="10", number=1)
    for outsider in (cast.contractor, cast.evaluator, cast.finance):
        with pytest.raises(PermissionDenied):
            services.terminate_contract(outsider, signed, ON, "x")


def test_the_office_terminates_on_the_contract_page(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    office = login(cast.office)
    page = office.get(signed.get_absolute_url()).content.decode()
    assert 'id="terminate-form"' in page and "终止登记人" not in page  # no empty termination fields yet
    assert 'id="terminate-form"' not in login(cast.evaluator).get(signed.get_absolute_url()).content.decode()
    office.post(f"/funds/contracts/{signed.pk}/terminate/", {"terminated_on": "2020-09-01", "reason": "项目调整"})
    page = office.get(signed.get_absolute_url()).content.decode()
    assert "已终止" in page and "项目调整" in page and "合同终止" in page and "终止登记人" in page
    assert 'id="terminate-form"' not in page


def test_termination_through_the_api(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    office = login(cast.office)
    url = f"/api/v1/funds/contracts/{signed.pk}/terminate/"
    assert office.post(url, {"terminated_on": "2020-09-01"}).status_code == 400
    response = office.post(url, {"terminated_on": "2020-09-01", "reason": "项目调整"})
    assert response.status_code == 200 and response.json()["status"] == "terminated"
    again = office.post(url, {"terminated_on": "2020-09-01", "reason": "项目调整"})
    assert again.status_code == 400 and again.json()["code"] == "contract_not_signed"
    assert login(cast.contractor).post(url, {"terminated_on": "2020-09-01", "reason": "x"}).status_code in (403, 404)


def test_a_request_reopened_by_an_appeal_after_termination_cannot_be_approved(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    request = services.decide(cast.office, milestone_request(cast.contractor, signed, 1), "review")
    request = services.decide(cast.finance, request, "reject", reason="材料不全")
    services.terminate_contract(cast.office, signed, ON, "项目调整")
    decision = LedgerEntry.objects.get(request=request, event="request_rejected")
    appeal = services.start_appeal_review(cast.office2, services.file_appeal(cast.contractor, decision, "材料已补"))
    services.decide_appeal(cast.office2, appeal, "upheld", "撤销驳回")
    request = services.decide(cast.office, request.__class__.objects.get(pk=request.pk), "review")
    with pytest.raises(FundRuleViolation) as refused:
        services.decide(cast.finance, request, "approve")
    assert refused.value.code == "contract_terminated"


def test_the_contractor_appeals_a_termination_from_the_contract_page(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    services.terminate_contract(cast.office, signed, ON, "承办单位无法履约")
    decision = LedgerEntry.objects.get(contract=signed, event="contract_terminated")

    contractor = login(cast.contractor)
    page = contractor.get(signed.get_absolute_url()).content.decode()
    assert f'data-appeal-entry="{decision.pk}"' in page
    assert 'data-appeal-entry="' not in login(cast.office).get(signed.get_absolute_url()).content.decode()
    assert "承办单位无法履约" in contractor.get(f"/funds/appeals/new/{decision.pk}/").content.decode()
    contractor.post(f"/funds/appeals/new/{decision.pk}/", {"grounds": "已按期交付，见验收记录"})
    appeal = Appeal.objects.get(decision_entry=decision)
    assert (appeal.filed_by, appeal.request, appeal.appellant) == (cast.contractor, None, cast.organisation.name)
    assert appeal.code in contractor.get(signed.get_absolute_url()).content.decode()
    assert signed.number in contractor.get(appeal.get_absolute_url()).content.decode()

    appeal = services.decide_appeal(cast.office2, services.start_appeal_review(cast.office2, appeal), "upheld", "核实")
    assert appeal.status == "upheld" and Contract.objects.get(pk=signed.pk).status == "terminated"  # office acts
    other = contractor_user("stranger", contractor_org("另一承办单位"))
    with pytest.raises(PermissionDenied):
        services.file_appeal(other, decision, "无关")
