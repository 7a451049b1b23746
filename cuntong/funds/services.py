"""Fund transactions: every page, API call, command and demo step changes fund records through these functions.

Each applies the rules of ``rules.py`` inside one transaction and appends what happened to the ledger in that same
transaction, so a record and its ledger entry exist together or not at all. Approvals lock the request, then the
budget line (BudgetAllocation row), then the sub-item, then the ledger head — always in that order — and only
then sum what is already approved, so concurrent approvals on one line are serialised and can never together
exceed its budget (PostgreSQL: SELECT … FOR UPDATE; SQLite: the settings' IMMEDIATE transactions).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.attachments.rules import UploadRefused
from cuntong.attachments.services import attach
from cuntong.audit import bulk as history
from cuntong.core import claims, freshness
from cuntong.core.money import format_yuan, yuan
from cuntong.core.scoping import is_permitted
from cuntong.geo.models import Area
from cuntong.notify.services import notify
from cuntong.programme.models import BudgetAllocation, Project, SubItem

from . import ledger, policies, queries, rules
from .models import (
    Appeal,
    Contract,
    ContractMilestone,
    DisbursementRequest,
    LedgerEntry,
    SubsidyBatch,
    SubsidyLine,
)
from .rules import FundRuleViolation
from .rules import Status as S

# What each milestone of the default schedule must be evidenced by (the plan is silent: Cuntong defaults).
DEFAULT_EVIDENCE = {
    "signing": "已签订的合同文本；履约保证（如有）",
    "progress": "进度报告及现场照片；对应发票",
    "mid_term": "中期评估报告及公示截图；对应发票",
    "retention": "验收报告；质保期满证明",
}


def funds_rule(programme) -> dict:
    return programme.rule("funds")


def _project_label(project: Project) -> str:
    return f"{project.number}. {project.name}"


def _check_line(programme, allocation: BudgetAllocation, sub_item: SubItem | None) -> None:
    if allocation.project.programme_id != programme.pk:
        raise FundRuleViolation("line_programme", _("预算线不属于当前示范项目。"))
    if sub_item is not None:
        if sub_item.project_id != allocation.project_id:
            raise FundRuleViolation("sub_item_project", _("子项“%(item)s”不属于该项目。") % {"item": sub_item.name})
        if sub_item.source and sub_item.source != allocation.source:
            raise FundRuleViolation(
                "sub_item_source",
                _("子项“%(item)s”只能使用%(source)s。")
                % {"item": sub_item.name, "source": sub_item.get_source_display()},
            )


def _check_local_funds(programme, allocation: BudgetAllocation) -> None:
    project = allocation.project
    rules.check_local_funds(
        allocation.source, _project_label(project), project.status, project.get_status_display(), funds_rule(programme)
    )


def _negative_list(programme, *texts: str) -> None:
    rules.check_negative_list(texts, rules.negative_items(funds_rule(programme)))


def _positions(allocation_id: int, sub_item_id: int | None) -> list[rules.Position]:
    positions = [queries.line_position(allocation_id)]
    if sub_item_id:
        positions.append(queries.sub_item_position(sub_item_id))
    return positions


def _lock_budget(allocation_id: int, sub_item_id: int | None) -> None:
    """Row locks on the budget line and sub-item, in that order; held until the transaction ends."""
    list(BudgetAllocation.objects.select_for_update().filter(pk=allocation_id).values_list("pk"))
    if sub_item_id:
        list(SubItem.objects.select_for_update().filter(pk=sub_item_id).values_list("pk"))


# --- contracts --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneInput:
    name: str
    percent: Decimal
    code: str = ""
    evidence_required: str = ""
    due_date: datetime.date | None = None


def default_schedule(programme) -> list[MilestoneInput]:
    """The plan's payment schedule: 40 % on signing, 40 % progress, 15 % after mid-term evaluation, 5 % retained."""
    return [
        MilestoneInput(m.name, m.percent, m.code, DEFAULT_EVIDENCE.get(m.code, ""))
        for m in rules.schedule_from_rule(funds_rule(programme))
    ]


def _check_contract(programme, contract: Contract) -> None:
    rules.check_positive(contract.amount)
    if contract.contractor.kind != "contractor":
        raise FundRuleViolation("contractor_kind", _("合同相对方必须是承办单位。"))
    if contract.end_date < contract.start_date:
        raise FundRuleViolation("contract_dates", _("合同结束日期早于开始日期。"))
    _check_line(programme, contract.allocation, contract.sub_item)
    _negative_list(programme, contract.title, contract.deliverables)


def _write_milestones(contract: Contract, schedule: Sequence[MilestoneInput]) -> None:
    amounts = rules.split_by_percent(contract.amount, [Decimal(m.percent) for m in schedule])
    contract.milestones.all().delete()
    history.bulk_create(
        ContractMilestone,
        (
            ContractMilestone(
                contract=contract,
                sequence=index,
                code=m.code or f"m{index}",
                name=m.name,
                percent=Decimal(m.percent),
                amount=amount,
                evidence_required=m.evidence_required,
                due_date=m.due_date,
            )
            for index, (m, amount) in enumerate(zip(schedule, amounts, strict=True), start=1)
        ),
    )


@transaction.atomic
def save_contract(
    user, programme, contract: Contract, schedule: Sequence[MilestoneInput] | None = None, *, is_demo: bool = False
) -> Contract:
    """Create a draft contract or change a draft; the payment schedule defaults to the plan's."""
    creating = contract.pk is None
    if not creating:
        current = Contract.objects.select_for_update().get(pk=contract.pk)
        if current.status != Contract.Status.DRAFT:
            raise FundRuleViolation("contract_signed", _("已签订的合同不能修改。"))
    contract.programme = programme
    contract.status = Contract.Status.DRAFT
    contract.is_demo = contract.is_demo or is_demo
    if creating:
        contract.created_by = user
    _check_contract(programme, contract)
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        raise FundRuleViolation("contract_number", _("合同编号已存在。")) from exc
    if creating or schedule is not None:
        _write_milestones(contract, schedule or default_schedule(programme))
    policies.require(user, "add" if creating else "change", contract)
    ledger.append(
        programme.pk,
        "contract_created",
        contract,
        user=user,
        amount=contract.amount,
        payload={
            "number": contract.number,
            "contractor": contract.contractor.name,
            "schedule": [[m.name, m.percent, m.amount] for m in contract.milestones.all()],
        },
    )
    freshness.bump(contract.programme_id)
    return contract


@transaction.atomic
def sign_contract(user, contract: Contract, signed_on: datetime.date) -> Contract:
    """Registering the signature commits the contract's amount against its line and sub-item."""
    contract = Contract.objects.select_for_update().select_related("programme", "contractor").get(pk=contract.pk)
    policies.require(user, "change", contract)
    if contract.status != Contract.Status.DRAFT:
        raise FundRuleViolation("contract_signed", _("合同已签订。"))
    _lock_budget(contract.allocation_id, contract.sub_item_id)
    contract = Contract.objects.select_related("programme", "contractor", "allocation__project", "sub_item").get(
        pk=contract.pk
    )
    _check_contract(contract.programme, contract)
    rules.check_commitment(contract.amount, _positions(contract.allocation_id, contract.sub_item_id))
    contract.status, contract.signed_on, contract.signed_by = Contract.Status.SIGNED, signed_on, user
    contract.save(update_fields=["status", "signed_on", "signed_by", "updated_at"])
    ledger.append(
        contract.programme_id,
        "contract_signed",
        contract,
        user=user,
        amount=contract.amount,
        payload={"number": contract.number, "contractor": contract.contractor.name, "signed_on": signed_on},
    )
    freshness.bump(contract.programme_id)
    return contract


def _signed_for_change(user, contract: Contract, reason: str, refusal: str) -> Contract:
    """Lock a signed contract for a change after signing (amendment, termination): with a reason, and only while
    no request on it awaits a decision, so no approval is judged against figures that are changing."""
    contract = Contract.objects.select_for_update().select_related("programme", "contractor").get(pk=contract.pk)
    policies.require(user, "change", contract)
    if contract.status != Contract.Status.SIGNED:
        raise FundRuleViolation("contract_not_signed", refusal)
    if not reason.strip():
        raise FundRuleViolation("reason_required", _("请写明原因。"))
    pending = [r.code for r in contract.requests.filter(status__in=rules.PENDING_STATUSES).order_by("pk")]
    if pending:
        raise FundRuleViolation(
            "pending_requests",
            _("以下拨付申请尚待审批，请先办结：%(codes)s") % {"codes": "、".join(pending)},
        )
    return contract


@transaction.atomic
def amend_contract(
    user, contract: Contract, amount: Decimal, reason: str, end_date: datetime.date | None = None
) -> Contract:
    """变更（补充协议）: a new amount (and end date) for a signed contract. The milestones keep their percentages and
    are re-split; none may fall below what is already claimed on it; an increase must fit the uncommitted budget."""
    contract = _signed_for_change(user, contract, reason, _("只有已签订的合同可以变更。"))
    amount = yuan(amount)
    rules.check_positive(amount)
    end_date = end_date or contract.end_date
    if end_date < contract.start_date:
        raise FundRuleViolation("contract_dates", _("合同结束日期早于开始日期。"))
    before = contract.amount
    _lock_budget(contract.allocation_id, contract.sub_item_id)
    if amount > before:
        rules.check_commitment(amount - before, _positions(contract.allocation_id, contract.sub_item_id))
    milestones = list(queries.milestones_with_figures(contract.milestones.order_by("sequence")))
    new_amounts = rules.split_by_percent(amount, [m.percent for m in milestones])
    for milestone, new_amount in zip(milestones, new_amounts, strict=True):
        if milestone.claimed_amount > new_amount:
            raise FundRuleViolation(
                "below_claimed",
                _("付款节点“%(name)s”已申请 %(claimed)s 元，变更后只有 %(amount)s 元。")
                % {
                    "name": milestone.name,
                    "claimed": format_yuan(milestone.claimed_amount, symbol=False),
                    "amount": format_yuan(new_amount, symbol=False),
                },
            )
    for milestone, new_amount in zip(milestones, new_amounts, strict=True):
        milestone.amount = new_amount
    history.bulk_update(ContractMilestone, milestones, ["amount"])
    contract.amount, contract.end_date = amount, end_date
    contract.save(update_fields=["amount", "end_date", "updated_at"])
    ledger.append(
        contract.programme_id,
        "contract_amended",
        contract,
        user=user,
        amount=amount - before,
        payload={
            "number": contract.number,
            "amount_before": before,
            "amount_after": amount,
            "end_date": end_date,
            "reason": reason.strip(),
            "schedule": [[m.name, m.percent, a] for m, a in zip(milestones, new_amounts, strict=True)],
        },
    )
    freshness.bump(contract.programme_id)
    return contract


@transaction.atomic
def terminate_contract(user, contract: Contract, terminated_on: datetime.date, reason: str) -> Contract:
    """终止: no further payment requests; what was approved on the contract stays committed (and payable), the rest
    of its amount returns to the line. Requests still awaiting a decision must be decided first."""
    contract = _signed_for_change(user, contract, reason, _("只有已签订的合同可以终止。"))
    if terminated_on < contract.signed_on:
        raise FundRuleViolation("contract_dates", _("终止日期早于签订日期。"))
    _lock_budget(contract.allocation_id, contract.sub_item_id)
    settled = queries.approved_on("contract_id", contract.pk)
    contract.status, contract.terminated_on, contract.terminated_by = Contract.Status.TERMINATED, terminated_on, user
    contract.termination_reason = reason.strip()
    contract.save(update_fields=["status", "terminated_on", "terminated_by", "termination_reason", "updated_at"])
    ledger.append(
        contract.programme_id,
        "contract_terminated",
        contract,
        user=user,
        amount=contract.amount - settled,
        payload={
            "number": contract.number,
            "terminated_on": terminated_on,
            "reason": contract.termination_reason,
            "settled": settled,
            "released": contract.amount - settled,
        },
    )
    freshness.bump(contract.programme_id)
    return contract


def change_contract(user, contract: Contract, action: str, data) -> Contract:
    """Sign, amend or terminate from a form's or an API call's validated fields."""
    if action == "sign":
        return sign_contract(user, contract, data["signed_on"])
    if action == "amend":
        return amend_contract(user, contract, data["amount"], data["reason"], data.get("end_date"))
    if action == "terminate":
        return terminate_contract(user, contract, data["terminated_on"], data["reason"])
    raise ValueError(f"unknown contract action {action!r}")


def _require_open_contract(contract_id: int) -> None:
    """Read from the database, not from a possibly stale instance: the contract may have ended meanwhile."""
    status = Contract.objects.filter(pk=contract_id).values_list("status", flat=True).get()
    if status == Contract.Status.TERMINATED:
        raise FundRuleViolation("contract_terminated", _("合同已终止，不能再申请或批准付款。"))
    if status != Contract.Status.SIGNED:
        raise FundRuleViolation("contract_not_signed", _("合同尚未签订，不能申请付款。"))


# --- disbursement requests --------------------------------------------------------------------------------------


@dataclass
class RequestInput:
    """What a person fills in; ``milestone`` (a contract payment) or ``allocation`` (direct spending) is given."""

    amount: Decimal
    purpose: str
    payee: str = ""
    milestone: ContractMilestone | None = None
    allocation: BudgetAllocation | None = None
    sub_item: SubItem | None = None


def _fill_from_milestone(request: DisbursementRequest, data: RequestInput) -> None:
    if data.milestone is not None:
        contract = data.milestone.contract
        request.kind = DisbursementRequest.Kind.CONTRACT
        request.contract, request.milestone = contract, data.milestone
        request.allocation, request.sub_item = contract.allocation, contract.sub_item
        request.payee = contract.contractor.name
    elif data.allocation is not None:
        request.kind = request.kind or DisbursementRequest.Kind.DIRECT
        request.contract = request.milestone = None
        request.allocation, request.sub_item = data.allocation, data.sub_item
        request.payee = data.payee
    else:
        raise FundRuleViolation("no_line", _("请选择合同付款节点或预算线。"))
    request.amount, request.purpose = yuan(data.amount), data.purpose.strip()


def _validate_request(request: DisbursementRequest) -> None:
    """Every rule a request must meet to be submitted (approval re-checks the budget under lock)."""
    programme = request.programme
    rules.check_positive(request.amount)
    if not request.purpose:
        raise FundRuleViolation("purpose", _("请填写用途。"))
    if not request.payee:
        raise FundRuleViolation("payee", _("请填写收款单位。"))
    _check_line(programme, request.allocation, request.sub_item)
    if request.contract_id:
        contract, milestone = request.contract, request.milestone
        _require_open_contract(contract.pk)
        if milestone is None or milestone.contract_id != contract.pk:
            raise FundRuleViolation("milestone_contract", _("付款节点不属于该合同。"))
        rules.check_contract_balance(
            request.amount,
            milestone.amount,
            queries.claimed_on(milestone.pk, request.pk),
            _("付款节点“%(name)s”") % {"name": milestone.name},
        )
    _check_local_funds(programme, request.allocation)
    _negative_list(programme, request.purpose)
    rules.check_approval(
        request.amount,
        _positions(request.allocation_id, request.sub_item_id),
        within_contract=bool(request.contract_id),
    )


def _require_evidence(request: DisbursementRequest, files: Sequence) -> None:
    from cuntong.attachments.services import attachments_of

    if request.kind != DisbursementRequest.Kind.SUBSIDY and not files and not attachments_of(request).exists():
        raise FundRuleViolation("evidence_required", _("请上传证据材料（合同、发票、进度照片等）。"))


def add_evidence(user, owner, files: Iterable, kind: str = "other", description: str = "") -> list:
    """Attach evidence files (SHA-256 stored); each becomes an ``evidence_attached`` ledger entry (signals.py)."""
    attached = []
    for upload in files:
        try:
            attached.append(attach(owner, upload, user=user, kind=kind, description=description))
        except UploadRefused as exc:
            raise FundRuleViolation("evidence_file", str(exc)) from exc
    return attached


@transaction.atomic
def submit_request(
    user, programme, data: RequestInput, files: Sequence = (), *, evidence_kind: str = "invoice", is_demo=False
) -> DisbursementRequest:
    request = DisbursementRequest(programme=programme, submitted_by=user, submitted_at=timezone.now(), is_demo=is_demo)
    _fill_from_milestone(request, data)
    _require_evidence(request, files)
    _validate_request(request)
    request.save()
    policies.require(user, "add", request)
    _append_submitted(request, user, "request_submitted")
    add_evidence(user, request, files, evidence_kind)
    freshness.bump(request.programme_id)
    return request


def _append_submitted(request: DisbursementRequest, user, event: str) -> LedgerEntry:
    return ledger.append(
        request.programme_id,
        event,
        request,
        user=user,
        amount=request.amount,
        payload={
            "kind": request.kind,
            "source": request.allocation.source,
            "purpose": request.purpose,
            "payee": request.payee,
            "milestone": request.milestone.name if request.milestone_id else None,
            "revision": request.revision,
        },
    )


def _locked(request: DisbursementRequest) -> DisbursementRequest:
    DisbursementRequest.objects.select_for_update().filter(pk=request.pk).values_list("pk").first()
    return DisbursementRequest.objects.select_related(
        "programme", "allocation__project", "sub_item", "contract__contractor", "milestone"
    ).get(pk=request.pk)


def _start(user, request: DisbursementRequest, action: str) -> tuple[DisbursementRequest, str]:
    """Lock the request, check the transition, the permission it needs there and the separation of duties."""
    request = _locked(request)
    target, needed = rules.transition(action, request.status, request.get_status_display())
    policies.require(user, needed, request)
    rules.check_separation(action, user.pk, request.submitted_by_id, request.reviewed_by_id)
    return request, target


@transaction.atomic
def resubmit_request(
    user, request: DisbursementRequest, data: RequestInput, files: Sequence = ()
) -> DisbursementRequest:
    """A returned request, corrected, goes back to the programme office for review."""
    request, target = _start(user, request, "resubmit")
    _fill_from_milestone(request, data)
    _require_evidence(request, files)
    _validate_request(request)
    request.status, request.revision = target, request.revision + 1
    request.reviewed_by = request.reviewed_at = None
    request.save()
    policies.require(user, "change", request)  # still inside the user's scope after the correction
    _append_submitted(request, user, "request_resubmitted")
    add_evidence(user, request, files, "invoice")
    freshness.bump(request.programme_id)
    return request


@transaction.atomic
def decide(
    user,
    request: DisbursementRequest,
    action: str,
    *,
    reason: str = "",
    voucher_number: str = "",
    paid_on: datetime.date | None = None,
) -> DisbursementRequest:
    """review / approve / pay / return / reject one request."""
    if action not in ("review", "approve", "pay", "return", "reject"):
        raise FundRuleViolation("invalid_transition", _("未知操作。"))
    request, target = _start(user, request, action)
    rules.check_reason(action, reason)
    now = timezone.now()
    payload: dict = {}
    if action == "review":
        request.reviewed_by, request.reviewed_at = user, now
    elif action == "approve":
        _lock_budget(request.allocation_id, request.sub_item_id)
        _check_local_funds(request.programme, request.allocation)
        _negative_list(request.programme, request.purpose)
        positions = _positions(request.allocation_id, request.sub_item_id)
        rules.check_approval(request.amount, positions, within_contract=bool(request.contract_id))
        if request.milestone_id:
            _require_open_contract(request.contract_id)
            milestone = request.milestone
            rules.check_contract_balance(
                request.amount,
                milestone.amount,
                queries.approved_on("milestone_id", milestone.pk),
                _("付款节点“%(name)s”") % {"name": milestone.name},
            )
        request.approved_by, request.approved_at = user, now
        payload = {"line_approved_after": positions[0].approved + request.amount, "line_budget": positions[0].budget}
    elif action == "pay":
        if not voucher_number.strip() or paid_on is None:
            raise FundRuleViolation("voucher_required", _("拨付须登记凭证号和拨付日期。"))
        _check_local_funds(request.programme, request.allocation)
        request.paid_by, request.paid_at = user, now
        request.voucher_number, request.paid_on = voucher_number.strip(), paid_on
        payload = {"voucher_number": request.voucher_number, "paid_on": paid_on}
    else:
        request.decided_by, request.decided_at, request.decision_reason = user, now, reason.strip()
        payload = {"reason": request.decision_reason, "from_status": request.status}
    request.status = target
    request.save()
    ledger.append(
        request.programme_id, f"request_{_PAST[action]}", request, user=user, amount=request.amount, payload=payload
    )
    notify(  # the submitter hears of the decision (inbox, and the channels they chose); sent after commit
        "funds.request_decided",
        [request.submitted_by],
        _("拨付申请 %(code)s：%(status)s") % {"code": request.code, "status": request.get_status_display()},
        request.decision_reason if action in ("return", "reject") else "",
        request.get_absolute_url(),
        actor=user,
        programme=request.programme,
    )
    freshness.bump(request.programme_id)
    return request


_PAST = {"review": "reviewed", "approve": "approved", "pay": "paid", "return": "returned", "reject": "rejected"}


# --- appeals ----------------------------------------------------------------------------------------------------


def appealable_subject(entry: LedgerEntry):
    """The record a decision entry is about, when it is one a person may appeal."""
    if entry.request_id and entry.event.startswith("request_"):
        return DisbursementRequest.objects.filter(pk=entry.request_id).first()
    if entry.event == "subsidy_batch_computed":
        return SubsidyBatch.objects.filter(pk=entry.subject_id).first()
    if entry.event == "contract_terminated":
        return Contract.objects.filter(pk=entry.contract_id).first()
    return None


@transaction.atomic
def file_appeal(
    user,
    entry: LedgerEntry,
    grounds: str,
    *,
    appellant: str = "",
    subsidy_line: SubsidyLine | None = None,
    files: Sequence = (),
    is_demo: bool = False,
) -> Appeal:
    """申诉: anyone the decision concerns (who can see the record it is about) contests it within the window."""
    programme = entry.programme
    rule = funds_rule(programme)
    rules.check_appeal_window(entry.event, timezone.localdate(entry.time), timezone.localdate(), rule)
    subject = subsidy_line if subsidy_line is not None else appealable_subject(entry)
    if subject is None or not is_permitted(user, "view", subject) or not policies.is_involved(user, subject):
        raise PermissionDenied(_("您只能对与您相关的决定提出申诉。"))
    if subsidy_line is not None and str(subsidy_line.batch_id) != entry.subject_id:
        raise FundRuleViolation("appeal_line", _("补贴明细不属于该批次。"))
    if not grounds.strip():
        raise FundRuleViolation("grounds", _("请写明申诉事由。"))
    if Appeal.objects.filter(decision_entry=entry, filed_by=user, status__in=rules.AppealStatus.OPEN).exists():
        raise FundRuleViolation("appeal_open", _("您对该决定的申诉尚在办理中。"))
    request = entry.request if entry.request_id else None
    appeal = Appeal.objects.create(
        programme=programme,
        decision_entry=entry,
        request=request,
        subsidy_line=subsidy_line,
        filed_by=user,
        appellant=(appellant or _appellant_name(user))[:128],
        grounds=grounds.strip(),
        deadline=rules.appeal_deadline(timezone.localdate(), rule),
        is_demo=is_demo,
    )
    policies.require(user, "add", appeal)
    ledger.append(
        programme.pk,
        "appeal_filed",
        appeal,
        user=user,
        payload={
            "decision_seq": entry.seq,
            "decision_hash": entry.hash,
            "grounds": appeal.grounds,
            "deadline": appeal.deadline,
        },
    )
    add_evidence(user, appeal, files, "other")
    freshness.bump(appeal.programme_id)
    return appeal


def _appellant_name(user) -> str:
    organisations = [m.organisation.name for m in user.active_memberships if m.organisation_id]
    return organisations[0] if organisations else str(user)


def _locked_appeal(appeal: Appeal) -> Appeal:
    Appeal.objects.select_for_update().filter(pk=appeal.pk).values_list("pk").first()
    return Appeal.objects.select_related("programme", "decision_entry", "request").get(pk=appeal.pk)


@transaction.atomic
def start_appeal_review(user, appeal: Appeal) -> Appeal:
    appeal = _locked_appeal(appeal)
    policies.require(user, "decide", appeal)
    appeal.status = rules.check_appeal_transition("start_review", appeal.status)
    rules.check_appeal_decider(user.pk, appeal.filed_by_id, appeal.decision_entry.actor_id)
    appeal.reviewer = user
    appeal.save(update_fields=["status", "reviewer", "updated_at"])
    ledger.append(
        appeal.programme_id, "appeal_review_started", appeal, user=user, payload={"deadline": appeal.deadline}
    )
    freshness.bump(appeal.programme_id)
    return appeal


@transaction.atomic
def decide_appeal(user, appeal: Appeal, outcome: str, reason: str) -> Appeal:
    """Uphold or dismiss with reasons; an upheld appeal against a rejection reopens the request for review."""
    appeal = _locked_appeal(appeal)
    policies.require(user, "decide", appeal)
    action = {"upheld": "uphold", "dismissed": "dismiss"}.get(outcome, "")
    appeal.status = rules.check_appeal_transition(action, appeal.status)
    rules.check_appeal_decider(user.pk, appeal.filed_by_id, appeal.decision_entry.actor_id)
    if not reason.strip():
        raise FundRuleViolation("reason_required", _("请写明处理意见及理由。"))
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = user, timezone.now(), reason.strip()
    appeal.reviewer = appeal.reviewer or user
    appeal.save()
    ledger.append(
        appeal.programme_id,
        f"appeal_{appeal.status}",
        appeal,
        user=user,
        payload={"reason": appeal.decision_reason, "decision_seq": appeal.decision_entry.seq},
    )
    if appeal.status == Appeal.Status.UPHELD and appeal.request_id:
        _reopen(user, appeal)
    freshness.bump(appeal.programme_id)
    return appeal


def _reopen(user, appeal: Appeal) -> None:
    request = _locked(appeal.request)
    if request.status != S.REJECTED:
        # An upheld appeal against a return or an approval (or a contract's termination, which has no request) is
        # acted on by the office itself.
        return
    request.status, _needed = rules.transition("reopen", request.status, request.get_status_display())
    request.reviewed_by = request.reviewed_at = request.approved_by = request.approved_at = None
    request.save()
    ledger.append(
        request.programme_id,
        "request_reopened",
        request,
        user=user,
        amount=request.amount,
        payload={"appeal": appeal.pk},
    )


# --- monthly claims: subsidies and costs other apps claim through core.claims ------------------------------------


def named_claim_source(code: str | None = None) -> claims.ClaimSource:
    """The registered claim source ``code`` names; without a code, the only one registered."""
    if code:
        source = claims.get(code)
        if source is None:
            raise FundRuleViolation("unknown_claim_source", _("没有登记代码为“%(code)s”的申领来源。") % {"code": code})
        return source
    registered = claims.sources()
    if not registered:
        raise FundRuleViolation("no_claim_source", _("尚无模块登记补贴或费用申领来源，无法核定。"))
    if len(registered) > 1:
        raise FundRuleViolation("claim_source_required", _("请选择申领来源。"))
    return registered[0]


def claim_binding(programme, source: claims.ClaimSource) -> tuple[dict, SubItem]:
    """The source's rule in the plan and the sub-item it names: where the source's claims are paid from."""
    rule = source.rule(programme) or {}
    code = rule.get("sub_item")
    sub_item = (
        SubItem.objects.select_related("project").filter(project__programme=programme, code=code).first()
        if code
        else None
    )
    if sub_item is None:
        raise FundRuleViolation(
            "no_plan_binding",
            _("计划没有把“%(source)s”绑定到预算子项：计划的 rules.%(path)s 须以 sub_item 写明计划中的一个子项代码。")
            % {"source": source.label, "path": source.plan_rule},
        )
    return rule, sub_item


def _priced_claims(source: claims.ClaimSource, programme, month: datetime.date, rule: dict):
    collected = sorted(source.collect(programme, month), key=lambda claim: claim.subject_id)
    if len({claim.subject_id for claim in collected}) != len(collected):
        raise FundRuleViolation("duplicate_claim", _("“%(source)s”对同一对象申领了两次。") % {"source": source.label})
    priced = []
    for claim in collected:
        decision = source.price(claim, rule)
        if decision.amount < 0:
            raise FundRuleViolation(
                "negative_claim",
                _("“%(source)s”给“%(name)s”算出了负数金额。") % {"source": source.label, "name": claim.name},
            )
        priced.append((claim, dataclasses.replace(decision, amount=yuan(decision.amount))))
    return priced


def _recorded_facts(facts) -> dict:
    """A claim's facts as the line keeps them: JSON values, decimals (scores, rates) as their exact text."""
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in facts.items()}


@transaction.atomic
def create_subsidy_batch(
    user, programme, month: datetime.date, source: str = "national", *, claim_source: str | None = None, is_demo=False
) -> SubsidyBatch:
    """One month's claims of one registered source (``claim_source``; the only one when left out), each priced
    by the source's rule under the plan, submitted as one disbursement request on the sub-item the plan binds the
    source to, from the ``source`` (national or local) funds."""
    claims_of = named_claim_source(claim_source)
    month = month.replace(day=1)
    rule, sub_item = claim_binding(programme, claims_of)
    allocation = (
        BudgetAllocation.objects.select_related("project").filter(project=sub_item.project, source=source).first()
    )
    if allocation is None:
        raise FundRuleViolation(
            "no_budget_line",
            _("项目“%(project)s”没有该资金来源的预算。") % {"project": _project_label(sub_item.project)},
        )
    if SubsidyBatch.objects.filter(programme=programme, claim_source=claims_of.code, month=month).exists():
        raise FundRuleViolation(
            "batch_exists",
            _("%(month)s 的%(source)s批次已存在。") % {"month": f"{month:%Y-%m}", "source": claims_of.label},
        )
    priced = _priced_claims(claims_of, programme, month, rule)
    areas = dict(
        Area.objects.current()
        .filter(code__in={claim.area_code for claim, _p in priced if claim.area_code})
        .values_list("code", "pk")
    )
    total = sum((p.amount for _c, p in priced), Decimal(0))
    paid = sum(1 for _c, p in priced if p.amount)
    if not total:
        raise FundRuleViolation(
            "nothing_to_pay",
            _("%(month)s 没有符合%(source)s条件的申领。") % {"month": f"{month:%Y-%m}", "source": claims_of.label},
        )
    request = DisbursementRequest(
        programme=programme,
        kind=DisbursementRequest.Kind.SUBSIDY,
        submitted_by=user,
        submitted_at=timezone.now(),
        is_demo=is_demo,
    )
    _fill_from_milestone(
        request,
        RequestInput(
            amount=total,
            purpose=_("%(month)s %(source)s（%(paid)s %(unit)s）")
            % {"month": f"{month:%Y年%m月}", "source": claims_of.label, "paid": paid, "unit": claims_of.unit},
            payee=str(claims_of.payee),
            allocation=allocation,
            sub_item=sub_item,
        ),
    )
    _validate_request(request)
    request.save()
    policies.require(user, "add", request)
    batch = SubsidyBatch.objects.create(
        programme=programme,
        claim_source=claims_of.code,
        month=month,
        request=request,
        rule=rule,
        created_by=user,
        is_demo=is_demo,
    )
    history.bulk_create(
        SubsidyLine,
        (
            SubsidyLine(
                batch=batch,
                subject_id=claim.subject_id,
                subject_name=claim.name[:128],
                area_id=areas.get(claim.area_code),
                facts=_recorded_facts(claim.facts),
                amount=decision.amount,
                reason_code=decision.reason_code,
                reason=decision.reason[:200],
                claimant_id=claim.claimant_id,
            )
            for claim, decision in priced
        ),
    )
    _append_submitted(request, user, "request_submitted")
    ledger.append(
        programme.pk,
        "subsidy_batch_computed",
        batch,
        user=user,
        amount=total,
        payload={
            "month": f"{month:%Y-%m}",
            "source": claims_of.code,
            "rule": rule,
            "lines": [[c.subject_id, c.name, dict(c.facts), p.amount, p.reason_code] for c, p in priced],
        },
    )
    freshness.bump(programme)
    return batch
