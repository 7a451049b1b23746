"""Appeals (申诉): filed by whom a decision concerns, within the window; under review; upheld or dismissed with
reasons by someone independent of the decision; every step in the ledger; an upheld rejection reopens the request."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cuntong.funds import ledger, services
from cuntong.funds.models import Appeal, LedgerEntry
from cuntong.funds.rules import FundRuleViolation
from cuntong.web.testing import make_user

from .factories import contract, contractor_org, contractor_user, milestone_request


@pytest.fixture
def rejection(cast):
    """A contractor's request, reviewed by the office and rejected by finance: the decision to appeal."""
    request = milestone_request(cast.contractor, contract(cast.office, number=1), 1)
    services.decide(cast.office, request, "review")
    request = services.decide(cast.finance, request, "reject", reason="中期评估未公示")
    return request, LedgerEntry.objects.get(request=request, event="request_rejected")


def test_contractor_appeals_a_rejection_and_the_office_upholds_it(cast, rejection):
    request, decision = rejection
    appeal = services.file_appeal(cast.contractor, decision, "评估报告已公示，见附件")
    assert (appeal.status, appeal.request, appeal.appellant) == ("filed", request, cast.organisation.name)
    assert appeal.deadline == timezone.localdate() + datetime.timedelta(days=15)
    appeal = services.start_appeal_review(cast.office, appeal)
    assert appeal.status == "under_review" and appeal.reviewer == cast.office
    appeal = services.decide_appeal(cast.office, appeal, "upheld", "公示材料齐全，撤销驳回决定")
    assert appeal.status == "upheld" and appeal.decided_by == cast.office
    request.refresh_from_db()
    assert request.status == "submitted" and request.approved_by is None
    events = list(
        LedgerEntry.objects.filter(subject_type="funds.appeal").order_by("seq").values_list("event", flat=True)
    )
    assert events == ["appeal_filed", "appeal_review_started", "appeal_upheld"]
    filed = LedgerEntry.objects.get(event="appeal_filed")
    assert filed.payload["decision_hash"] == decision.hash and filed.request_id == request.pk
    assert LedgerEntry.objects.filter(request=request, event="request_reopened").exists()
    assert ledger.verify().ok


def test_a_dismissed_appeal_leaves_the_decision(cast, rejection):
    request, decision = rejection
    appeal = services.file_appeal(cast.contractor, decision, "不服")
    appeal = services.decide_appeal(cast.office2, appeal, "dismissed", "材料仍不齐全")
    request.refresh_from_db()
    assert (appeal.status, request.status) == ("dismissed", "rejected")


def test_the_decision_maker_and_the_appellant_do_not_decide(cast, rejection):
    _request, decision = rejection
    appeal = services.file_appeal(cast.contractor, decision, "不服")
    # finance made the contested decision (and holds no decide permission either); the appellant cannot decide.
    with pytest.raises(PermissionDenied):
        services.decide_appeal(cast.finance, appeal, "upheld", "x")
    with pytest.raises(PermissionDenied):
        services.decide_appeal(cast.contractor, appeal, "upheld", "x")
    from cuntong.accounts.models import Membership, Role

    Membership.objects.create(
        user=cast.finance, role=Role.objects.get(code="office"), area=cast.office.memberships.get().area
    )
    finance = type(cast.finance).objects.get(pk=cast.finance.pk)
    with pytest.raises(FundRuleViolation) as caught:
        services.decide_appeal(finance, appeal, "upheld", "x")
    assert caught.value.code == "own_decision"


def test_decisions_need_reasons_and_cannot_be_taken_twice(cast, rejection):
    appeal = services.file_appeal(cast.contractor, rejection[1], "不服")
    with pytest.raises(FundRuleViolation):
        services.decide_appeal(cast.office, appeal, "upheld", " ")
    services.decide_appeal(cast.office, appeal, "dismissed", "理由")
    with pytest.raises(FundRuleViolation):
        services.decide_appeal(cast.office, appeal, "upheld", "改判")
    with pytest.raises(FundRuleViolation):
        services.start_appeal_review(cast.office, appeal)


def test_only_those_the_decision_concerns_may_appeal(cast, rejection):
    _request, decision = rejection
    stranger = contractor_user("stranger", contractor_org("别家公司"))
    with pytest.raises(PermissionDenied):
        services.file_appeal(stranger, decision, "不服")
    with pytest.raises(PermissionDenied):
        services.file_appeal(cast.evaluator, decision, "不服")  # read-only: no appeals
    colleague = contractor_user("colleague", cast.organisation)  # the contractor's other staff may
    assert services.file_appeal(colleague, decision, "不服").appellant == cast.organisation.name


def test_only_decisions_within_the_window_are_appealable(cast, rejection):
    _request, decision = rejection
    budget_entry = LedgerEntry.objects.filter(event="budget_set").first()
    with pytest.raises(FundRuleViolation) as caught:
        services.file_appeal(cast.office, budget_entry, "不服")
    assert caught.value.code == "not_appealable"
    services.file_appeal(cast.contractor, decision, "不服")
    with pytest.raises(FundRuleViolation) as caught:
        services.file_appeal(cast.contractor, decision, "再次申诉")
    assert caught.value.code == "appeal_open"


def test_late_appeals_are_refused(cast, rejection, monkeypatch):
    _request, decision = rejection
    later = timezone.localdate() + datetime.timedelta(days=31)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later if not args else args[0].date())
    with pytest.raises(FundRuleViolation) as caught:
        services.file_appeal(cast.contractor, decision, "不服")
    assert caught.value.code == "appeal_window_closed"


def test_overdue_appeals_are_flagged(cast, rejection):
    appeal = services.file_appeal(cast.contractor, rejection[1], "不服")
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    appeal.refresh_from_db()
    assert appeal.is_overdue
    from cuntong.programme.kpi import AreaScope, registry

    (result,) = registry.evaluate(AreaScope(appeal.programme), ["funds.overdue_appeals"])
    assert result.value == 1
    services.decide_appeal(cast.office, appeal, "dismissed", "理由")
    appeal.refresh_from_db()
    assert not appeal.is_overdue


def test_station_operator_needs_no_office_rights_to_appeal(base_data):
    operator = make_user("operator-x", "station_operator")
    assert operator.has_perm("funds.add_appeal") and not operator.has_perm("funds.view_disbursementrequest")
