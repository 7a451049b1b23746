"""The approval flow through the real services: submitted → reviewed (office) → approved → paid (finance), return
and resubmit, reject; who may do what; local funds, the negative list and milestones; the database's own checks."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from cuntong.attachments.services import attachments_of
from cuntong.core.money import wan_to_yuan
from cuntong.funds import services
from cuntong.funds.models import DisbursementRequest, LedgerEntry
from cuntong.funds.rules import FundRuleViolation
from cuntong.web.testing import programme

from .factories import contract, direct_request, evidence, line, milestone_request, set_status, through

PAY = {"voucher_number": "PZ-2020-001", "paid_on": datetime.date(2020, 6, 30)}


def events(request) -> list[str]:
    return list(LedgerEntry.objects.filter(request=request).order_by("seq").values_list("event", flat=True))


def test_a_milestone_request_goes_through_the_whole_flow(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    request = milestone_request(cast.contractor, signed, 1)
    assert (request.kind, request.amount, request.payee) == ("contract", wan_to_yuan("40"), cast.organisation.name)
    assert request.allocation == line(1) and request.status == "submitted"
    request = services.decide(cast.office, request, "review")
    request = services.decide(cast.finance, request, "approve")
    request = services.decide(cast.finance, request, "pay", **PAY)
    assert request.status == "paid"
    assert (request.reviewed_by, request.approved_by, request.paid_by) == (cast.office, cast.finance, cast.finance)
    assert request.voucher_number == "PZ-2020-001"
    assert events(request) == [
        "request_submitted",
        "evidence_attached",
        "request_reviewed",
        "request_approved",
        "request_paid",
    ]
    evidence_entry = LedgerEntry.objects.get(request=request, event="evidence_attached")
    assert evidence_entry.payload["sha256"] == attachments_of(request).get().sha256


def test_returned_requests_are_corrected_and_resubmitted(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    request = milestone_request(cast.contractor, signed, 1, amount=wan_to_yuan("30"))
    request = services.decide(cast.office, request, "return", reason="发票金额与申请不符")
    assert request.status == "returned" and request.decision_reason == "发票金额与申请不符"
    milestone = signed.milestones.get(sequence=1)
    request = services.resubmit_request(
        cast.contractor,
        request,
        services.RequestInput(amount=wan_to_yuan("40"), purpose="合同签订款（更正）", milestone=milestone),
        [evidence("corrected-invoice.pdf")],
    )
    assert (request.status, request.revision, request.amount) == ("submitted", 1, wan_to_yuan("40"))
    assert through(request, cast).status == "paid"
    assert "request_resubmitted" in events(request)


def test_finance_can_return_or_reject_after_review(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    first = services.decide(cast.office, milestone_request(cast.contractor, signed, 1), "review")
    assert services.decide(cast.finance, first, "return", reason="缺少验收单").status == "returned"
    second = services.decide(cast.office, milestone_request(cast.contractor, signed, 2), "review")
    rejected = services.decide(cast.finance, second, "reject", reason="不符合付款条件")
    assert rejected.status == "rejected" and rejected.decided_by == cast.finance
    with pytest.raises(FundRuleViolation) as caught:
        services.decide(cast.finance, rejected, "approve")
    assert caught.value.code == "invalid_transition"


def test_refusals_need_a_reason(cast):
    request = milestone_request(cast.contractor, contract(cast.office, number=1), 1)
    with pytest.raises(FundRuleViolation) as caught:
        services.decide(cast.office, request, "reject", reason=" ")
    assert caught.value.code == "reason_required"


def test_nobody_approves_their_own_request(cast):
    set_status(6, "in_implementation")
    own = direct_request(cast.office, amount_wan="2", number=6, source="local")
    with pytest.raises(FundRuleViolation) as caught:
        services.decide(cast.office, own, "review")
    assert caught.value.code == "own_request"
    reviewed = services.decide(cast.office2, own, "review")
    assert services.decide(cast.finance, reviewed, "approve").approved_by == cast.finance


def test_the_reviewer_cannot_also_approve(cast, django_user_model):
    from cuntong.accounts.models import Membership, Role

    both = cast.office2
    Membership.objects.create(user=both, role=Role.objects.get(code="finance"), area=programme().county)
    both = django_user_model.objects.get(pk=both.pk)
    request = services.decide(both, milestone_request(cast.contractor, contract(cast.office, number=1), 1), "review")
    with pytest.raises(FundRuleViolation) as caught:
        services.decide(both, request, "approve")
    assert caught.value.code == "same_reviewer"


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        ("office", "approve", "reviewed"),  # the office reviews but never approves …
        ("office", "pay", "approved"),  # … nor pays
        ("finance", "review", "submitted"),  # finance approves but does not review
        ("contractor", "review", "submitted"),
        ("evaluator", "review", "submitted"),
        ("evaluator", "approve", "reviewed"),
    ],
)
def test_only_the_right_role_takes_each_step(cast, who, action, status):
    request = milestone_request(cast.contractor, contract(cast.office, number=1), 1)
    request = through(request, cast, until=status) if status != "submitted" else request
    assert request.status == status
    with pytest.raises(PermissionDenied):
        services.decide(getattr(cast, who), request, action, **(PAY if action == "pay" else {}))


def test_payment_needs_a_voucher(cast):
    request = through(milestone_request(cast.contractor, contract(cast.office, number=1), 1), cast, until="approved")
    with pytest.raises(FundRuleViolation) as caught:
        services.decide(cast.finance, request, "pay", voucher_number="", paid_on=None)
    assert caught.value.code == "voucher_required"


def test_local_matching_funds_only_once_the_project_is_in_implementation(cast):
    with pytest.raises(FundRuleViolation) as caught:
        direct_request(cast.office, amount_wan="5", number=6, source="local")
    assert caught.value.code == "local_funds_not_in_implementation"
    assert "6. 其他相关项目" in caught.value.message and "未启动" in caught.value.message
    set_status(6, "in_implementation")
    request = services.decide(
        cast.office2, direct_request(cast.office, amount_wan="5", number=6, source="local"), "review"
    )
    # The status is checked again when money is released: a project put back to "planned" stops the approval.
    set_status(6, "planned")
    with pytest.raises(FundRuleViolation):
        services.decide(cast.finance, request, "approve")
    set_status(6, "in_implementation")
    approved = services.decide(cast.finance, request, "approve")
    set_status(6, "planned")
    with pytest.raises(FundRuleViolation):
        services.decide(cast.finance, approved, "pay", **PAY)


def test_national_funds_do_not_wait_for_implementation(cast):
    assert through(direct_request(cast.office, amount_wan="5", number=5, source="national"), cast).status == "paid"


@pytest.mark.parametrize(
    ("purpose", "rule"),
    [
        ("电商平台店铺购买流量推广", "traffic_purchase"),
        ("自建平台开发", "platform_building"),
        ("偿还债务", "debt_repayment"),
    ],
)
def test_negative_list_spending_is_refused_naming_the_rule(cast, purpose, rule):
    with pytest.raises(FundRuleViolation) as caught:
        direct_request(cast.office, amount_wan="1", number=5, source="national", purpose=purpose)
    assert caught.value.code == f"negative_list:{rule}"
    assert rule in caught.value.message
    with pytest.raises(FundRuleViolation):
        contract(cast.office, number=5, title=purpose)


def test_milestone_payments_cannot_exceed_the_milestone(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    milestone_request(cast.contractor, signed, 1, amount=wan_to_yuan("30"))
    with pytest.raises(FundRuleViolation) as caught:
        milestone_request(cast.contractor, signed, 1, amount=wan_to_yuan("10.01"))
    assert caught.value.code == "over_contract"
    milestone_request(cast.contractor, signed, 1, amount=wan_to_yuan("10"))


def test_draft_contracts_cannot_be_paid_and_signed_ones_cannot_be_changed(cast):
    draft = contract(cast.office, number=1, sign=False)
    with pytest.raises(FundRuleViolation) as caught:
        milestone_request(cast.contractor, draft, 1)
    assert caught.value.code == "contract_not_signed"
    signed = services.sign_contract(cast.office, draft, datetime.date(2020, 2, 1))
    with pytest.raises(FundRuleViolation):
        services.save_contract(cast.office, programme(), signed)


def test_evidence_is_required(cast):
    milestone = contract(cast.office, number=1).milestones.get(sequence=1)
    with pytest.raises(FundRuleViolation) as caught:
        services.submit_request(
            cast.contractor,
            programme(),
            services.RequestInput(amount=milestone.amount, purpose="x", milestone=milestone),
        )
    assert caught.value.code == "evidence_required"


def test_contractors_request_only_on_their_own_contracts(cast):
    from .factories import contractor_org, contractor_user

    stranger = contractor_user("stranger", contractor_org("别家公司"))
    signed = contract(cast.office, number=1)
    with pytest.raises(PermissionDenied):
        milestone_request(stranger, signed, 1)
    with pytest.raises(PermissionDenied):  # and never outside a contract
        direct_request(cast.contractor, amount_wan="1", number=5, source="national")
    assert not DisbursementRequest.objects.filter(submitted_by=stranger).exists()


def test_contract_schedule_defaults_to_the_plan_and_can_be_changed(cast):
    record = contract(cast.office, amount_wan="100", number=1, sign=False)
    assert [(m.name, m.percent, m.amount) for m in record.milestones.all()] == [
        ("合同签订", 40, wan_to_yuan("40")),
        ("进度款", 40, wan_to_yuan("40")),
        ("中期评估及公示后", 15, wan_to_yuan("15")),
        ("质保金", 5, wan_to_yuan("5")),
    ]
    assert "中期评估报告" in record.milestones.get(code="mid_term").evidence_required
    services.save_contract(
        cast.office,
        programme(),
        record,
        [services.MilestoneInput("首付款", 30), services.MilestoneInput("验收款", 70, evidence_required="验收报告")],
    )
    assert [m.amount for m in record.milestones.all()] == [wan_to_yuan("30"), wan_to_yuan("70")]
    with pytest.raises(FundRuleViolation):
        services.save_contract(cast.office, programme(), record, [services.MilestoneInput("首付款", 30)])


class TestTheDatabaseRefusesWhatTheServicesRefuse:
    """Even a write that bypasses the services cannot record a self-approval or a payment without a voucher."""

    def _request(self, cast):
        return through(milestone_request(cast.contractor, contract(cast.office, number=1), 1), cast, until="approved")

    def _refused(self, **fields):
        with pytest.raises(IntegrityError), transaction.atomic():
            DisbursementRequest.objects.filter(pk=self.pk).update(**fields)

    def test_constraints(self, cast):
        request = self._request(cast)
        self.pk = request.pk
        self._refused(approved_by=request.submitted_by)
        self._refused(approved_by=request.reviewed_by)
        self._refused(reviewed_by=request.submitted_by)
        self._refused(status="paid")
        self._refused(status="rejected", decision_reason="")
        self._refused(amount=0)
        self._refused(status="reviewed", reviewed_by=None)
