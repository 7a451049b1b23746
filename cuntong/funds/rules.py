"""Fund rules as pure functions: plain values in, a result or a :class:`FundRuleViolation` out (no ORM).

The seed's section 四(四) asks for funds managed "strictly by the rules for public money" with every approval step
recorded; these are those rules. ``services.py`` applies them to the database inside transactions that hold row
locks, so the same checks decide a form, an API call, a command and a concurrent approval.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from cuntong.core.money import CENT, format_wan, format_yuan, yuan

HUNDRED = Decimal(100)
# The plan is silent on appeal periods; these are Cuntong defaults (a programme may set them in its rules).
APPEAL_WINDOW_DAYS = 30  # an appeal must be filed within this many days of the decision
APPEAL_DECISION_DAYS = 15  # the office decides within this many days of filing
# Project life cycle order (programme.Project.Status): "at least in implementation" means this status or later.
PROJECT_STATUS_ORDER = ("planned", "in_implementation", "completed", "accepted")


class FundRuleViolation(Exception):
    """A rule refused an action; ``code`` names the rule for the API, the message names it for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- payment schedules ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneSpec:
    code: str
    name: str
    percent: Decimal


def schedule_from_rule(rule: dict) -> list[MilestoneSpec]:
    """The plan's default payment schedule (``rules.funds.payment_schedule.milestones``)."""
    milestones = rule.get("payment_schedule", {}).get("milestones", [])
    return [MilestoneSpec(m["code"], m["name"], Decimal(str(m["percent"]))) for m in milestones]


def check_schedule(percents: Sequence[Decimal]) -> None:
    if not percents:
        raise FundRuleViolation("schedule_empty", _("付款计划至少要有一个付款节点。"))
    if any(p <= 0 for p in percents):
        raise FundRuleViolation("schedule_percent", _("每个付款节点的比例必须大于0。"))
    total = sum(percents, Decimal(0))
    if total != HUNDRED:
        raise FundRuleViolation(
            "schedule_total", _("付款节点比例合计为 %(total)s%%，应为 100%%。") % {"total": total.normalize()}
        )


def split_by_percent(amount: Decimal, percents: Sequence[Decimal]) -> list[Decimal]:
    """Milestone amounts in fen that add up exactly to ``amount``; rounding goes to the last milestone."""
    check_schedule(percents)
    amount = yuan(amount)
    parts = [(amount * p / HUNDRED).quantize(CENT, rounding=ROUND_DOWN) for p in percents[:-1]]
    return [*parts, amount - sum(parts, Decimal(0))]


# --- budget -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where a budget line (project × source) or a sub-item stands, all derived from records.

    ``committed``: signed contracts plus approved requests outside any contract; ``approved``: requests approved
    or paid. A contract's payments stay inside its commitment, so ``approved <= committed`` always holds.
    """

    label: str
    budget: Decimal
    committed: Decimal = Decimal(0)
    approved: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)

    @property
    def uncommitted(self) -> Decimal:
        return self.budget - self.committed


def _over(code: str, position: Position, used: Decimal, amount: Decimal, what: str) -> FundRuleViolation:
    """Amounts in 元 to the fen: in 万元 a refusal over 0.01 元 would read "本次 0.00 万元"."""
    return FundRuleViolation(
        code,
        _(
            "超出预算：%(label)s 预算 %(budget)s 元（%(budget_wan)s 万元），%(what)s %(used)s 元，"
            "本次 %(amount)s 元，超出 %(excess)s 元。"
        )
        % {
            "label": position.label,
            "budget": format_yuan(position.budget, symbol=False),
            "budget_wan": format_wan(position.budget),
            "what": what,
            "used": format_yuan(used, symbol=False),
            "amount": format_yuan(amount, symbol=False),
            "excess": format_yuan(used + amount - position.budget, symbol=False),
        },
    )


def check_commitment(amount: Decimal, positions: Iterable[Position]) -> None:
    """A contract, or a request outside any contract, must fit in what is not yet committed."""
    for position in positions:
        if position.committed + amount > position.budget:
            raise _over("over_budget", position, position.committed, amount, _("已承诺"))


def check_approval(amount: Decimal, positions: Iterable[Position], *, within_contract: bool) -> None:
    """The approval that would take a line or sub-item past its budget is refused.

    Requests against a contract draw on its commitment, so only approvals are counted for them; a request outside
    any contract makes a new commitment and must also fit in what contracts have not already reserved.
    """
    for position in positions:
        if position.approved + amount > position.budget:
            raise _over("over_budget", position, position.approved, amount, _("已批准"))
        if not within_contract and position.committed + amount > position.budget:
            raise _over("over_budget", position, position.committed, amount, _("已承诺"))


def check_contract_balance(amount: Decimal, contract_amount: Decimal, already: Decimal, label: str) -> None:
    """Requests on a contract (or one milestone of it) cannot exceed its amount."""
    if already + amount > contract_amount:
        raise FundRuleViolation(
            "over_contract",
            _("超出%(label)s金额：金额 %(total)s 元，已申请或批准 %(already)s 元，本次 %(amount)s 元。")
            % {
                "label": label,
                "total": format_yuan(contract_amount, symbol=False),
                "already": format_yuan(already, symbol=False),
                "amount": format_yuan(amount, symbol=False),
            },
        )


def check_positive(amount: Decimal) -> None:
    if amount is None or amount <= 0:
        raise FundRuleViolation("amount", _("金额必须大于0。"))


# --- local matching funds ---------------------------------------------------------------------------------------


def check_local_funds(source: str, project_label: str, project_status: str, status_label: str, rule: dict) -> None:
    """本级财政配套资金需在项目进入实际实施时拨付 (the plan's note to its table)."""
    required = rule.get("local_funds_require_status")
    if source != "local" or not required:
        return
    if PROJECT_STATUS_ORDER.index(project_status) < PROJECT_STATUS_ORDER.index(required):
        raise FundRuleViolation(
            "local_funds_not_in_implementation",
            _("本级财政配套资金须在项目进入实际实施后拨付（实施计划表备注）：项目“%(project)s”当前状态为“%(status)s”。")
            % {"project": project_label, "status": status_label},
        )


# --- negative list ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NegativeItem:
    code: str
    name: str
    keywords: tuple[str, ...]


def negative_items(rule: dict) -> list[NegativeItem]:
    items = rule.get("negative_list", {}).get("items", [])
    return [NegativeItem(i["code"], i["name"], tuple(i.get("keywords", ())) or (i["name"],)) for i in items]


def check_negative_list(texts: Iterable[str], items: Iterable[NegativeItem]) -> None:
    """Spending on the plan's negative list is refused, naming the rule and the words that matched."""
    haystack = "\n".join(t for t in texts if t).casefold()
    for item in items:
        for keyword in item.keywords:
            if keyword.casefold() in haystack:
                raise FundRuleViolation(
                    f"negative_list:{item.code}",
                    _("属于资金使用负面清单“%(name)s”（%(code)s）：内容含“%(keyword)s”，不得列支。")
                    % {"name": item.name, "code": item.code, "keyword": keyword},
                )


# --- the approval flow ------------------------------------------------------------------------------------------


class Status:
    SUBMITTED = "submitted"
    RETURNED = "returned"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Transition:
    """``sources`` maps each status the action may start from to the permission (action) it needs there."""

    sources: dict[str, str]
    target: str
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    "review": Transition({Status.SUBMITTED: "review"}, Status.REVIEWED),
    "approve": Transition({Status.REVIEWED: "approve"}, Status.APPROVED),
    "pay": Transition({Status.APPROVED: "pay"}, Status.PAID),
    "return": Transition({Status.SUBMITTED: "review", Status.REVIEWED: "approve"}, Status.RETURNED, True),
    "reject": Transition(
        {Status.SUBMITTED: "review", Status.REVIEWED: "approve", Status.APPROVED: "approve"}, Status.REJECTED, True
    ),
    "resubmit": Transition({Status.RETURNED: "change"}, Status.SUBMITTED),
    # Only an upheld appeal reopens a rejected request (see services.decide_appeal).
    "reopen": Transition({Status.REJECTED: "decide"}, Status.SUBMITTED),
}
# Statuses whose amounts count as approved (and so against the budget).
APPROVED_STATUSES = (Status.APPROVED, Status.PAID)
PENDING_STATUSES = (Status.SUBMITTED, Status.REVIEWED)
OPEN_STATUSES = (Status.SUBMITTED, Status.RETURNED, Status.REVIEWED, Status.APPROVED)


def transition(action: str, status: str, status_label: str) -> tuple[str, str]:
    """(target status, permission action needed) for ``action`` from ``status``, or a violation."""
    spec = TRANSITIONS.get(action)
    if spec is None or status not in spec.sources:
        raise FundRuleViolation(
            "invalid_transition",
            _("当前状态“%(status)s”下不能执行该操作。") % {"status": status_label},
        )
    return spec.target, spec.sources[status]


def check_separation(action: str, actor_id: int, submitted_by: int | None, reviewed_by: int | None) -> None:
    """Nobody decides on their own request; the finance approver is not the office reviewer (四眼原则)."""
    if action in ("review", "approve", "pay", "return", "reject") and actor_id == submitted_by:
        raise FundRuleViolation("own_request", _("不能审核、批准或拨付本人提交的申请。"))
    if action == "approve" and actor_id == reviewed_by:
        raise FundRuleViolation("same_reviewer", _("审核人与批准人不能是同一人。"))


def check_reason(action: str, reason: str) -> None:
    if TRANSITIONS[action].needs_reason and not (reason or "").strip():
        raise FundRuleViolation("reason_required", _("退回或驳回必须说明理由。"))


# --- appeals ----------------------------------------------------------------------------------------------------


class AppealStatus:
    FILED = "filed"
    UNDER_REVIEW = "under_review"
    UPHELD = "upheld"
    DISMISSED = "dismissed"

    OPEN = (FILED, UNDER_REVIEW)
    DECIDED = (UPHELD, DISMISSED)


APPEALABLE_EVENTS = frozenset(
    {
        "request_returned",
        "request_rejected",
        "request_approved",
        "request_reviewed",
        "subsidy_batch_computed",
        "contract_terminated",
    }
)


def appeal_deadline(filed_on: datetime.date, rule: dict) -> datetime.date:
    return filed_on + datetime.timedelta(days=int(rule.get("appeal_decision_days", APPEAL_DECISION_DAYS)))


def check_appeal_window(event: str, decided_on: datetime.date, today: datetime.date, rule: dict) -> None:
    if event not in APPEALABLE_EVENTS:
        raise FundRuleViolation("not_appealable", _("该记录不是可申诉的决定。"))
    window = int(rule.get("appeal_window_days", APPEAL_WINDOW_DAYS))
    if (today - decided_on).days > window:
        raise FundRuleViolation(
            "appeal_window_closed",
            _("申诉期已过：应在决定作出后 %(days)s 日内提出（决定日期 %(date)s）。")
            % {"days": window, "date": decided_on.isoformat()},
        )


def check_appeal_transition(action: str, status: str) -> str:
    targets = {
        "start_review": ({AppealStatus.FILED}, AppealStatus.UNDER_REVIEW),
        "uphold": ({AppealStatus.FILED, AppealStatus.UNDER_REVIEW}, AppealStatus.UPHELD),
        "dismiss": ({AppealStatus.FILED, AppealStatus.UNDER_REVIEW}, AppealStatus.DISMISSED),
    }
    sources, target = targets.get(action, (set(), None))
    if status not in sources:
        raise FundRuleViolation("invalid_transition", _("该申诉当前状态下不能执行该操作。"))
    return target


def check_appeal_decider(actor_id: int, filed_by: int, decided_by: int | None) -> None:
    """Whoever made the contested decision, or filed the appeal, does not decide it."""
    if actor_id == filed_by:
        raise FundRuleViolation("own_appeal", _("不能处理本人提出的申诉。"))
    if decided_by is not None and actor_id == decided_by:
        raise FundRuleViolation("own_decision", _("被申诉决定的作出人不能处理该申诉，须回避。"))


# --- progress against the plan's timetable ----------------------------------------------------------------------


def planned_share(start: datetime.date, due: datetime.date, day: datetime.date) -> Decimal:
    """The share of a line's budget the timetable expects paid by ``day``: linear from the start of
    implementation to the project's due date (the plan sets dates, not a spending curve)."""
    if day >= due:
        return Decimal(1)
    if day <= start or due <= start:
        return Decimal(0)
    return Decimal((day - start).days) / Decimal((due - start).days)


def planned_cumulative(
    lines: Sequence[tuple[Decimal, datetime.date]], start: datetime.date, days: Sequence[datetime.date]
) -> list[Decimal]:
    """Expected cumulative payments on each of ``days`` for lines of (budget, due date), in yuan."""
    return [yuan(sum((budget * planned_share(start, due, day) for budget, due in lines), Decimal(0))) for day in days]


def month_ends(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The last day of each month from ``start``'s month to ``end``'s month."""
    days, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        days.append(following - datetime.timedelta(days=1))
        year, month = following.year, following.month
    return days
