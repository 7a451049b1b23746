"""Fund records: contracts with their payment schedule, disbursement requests, appeals, monthly claim batches
(subsidies and costs other apps claim through ``core.claims``) and the hash-chained ledger of every fund event.

Budget lines are the programme app's :class:`~cuntong.programme.models.BudgetAllocation` (project × source) and
:class:`~cuntong.programme.models.SubItem`; nothing here stores a running total. Committed, approved and paid
amounts are always summed from the records (``queries.py``), so they cannot drift from them.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core import claims
from cuntong.core.appendonly import AppendOnlyModel, append_only_triggers
from cuntong.core.models import BusinessModel
from cuntong.core.money import MoneyField, percent
from cuntong.core.scoping import RestrictedManager, RestrictedQuerySet, Scope
from cuntong.programme.models import BudgetAllocation

from .rules import AppealStatus
from .rules import Status as RequestStatus


def _person(label, *, required: bool = False):
    """Who did something to a record; people with fund history are deactivated, never deleted."""
    optional = {} if required else {"null": True, "blank": True}
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=label, on_delete=models.PROTECT, related_name="+", **optional
    )


def _reference(model, label):
    """A ledger entry's pointer to what it is about: a plain id, no constraint, no cascade (the chain outlives it)."""
    return models.ForeignKey(
        model,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )


class BudgetLine(BudgetAllocation):
    """A project's budget from one source (the programme's BudgetAllocation row) seen as a fund line: the same
    table, with the fund pages' address and permission (``funds.view_budgetline``)."""

    class Meta:
        proxy = True
        verbose_name = _("预算线")
        verbose_name_plural = _("预算执行")

    def get_absolute_url(self) -> str:
        return reverse("funds:line_detail", args=[self.pk])

    @property
    def label(self) -> str:
        return f"{self.project.number}. {self.project.name} · {self.get_source_display()}"

    @property
    def execution_percent(self):
        """Paid as a share of budget (needs ``queries.lines_with_figures``)."""
        return percent(getattr(self, "paid_amount", 0), self.amount)


class ChargedToBudget(BusinessModel):
    """A record that draws on one budget line (project × source) and, optionally, one of the project's sub-items."""

    allocation = models.ForeignKey(
        "programme.BudgetAllocation",
        verbose_name=_("预算线（项目·资金来源）"),
        on_delete=models.PROTECT,
        related_name="%(class)s_set",
    )
    sub_item = models.ForeignKey(
        "programme.SubItem",
        verbose_name=_("子项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)s_set",
    )

    class Meta:
        abstract = True


class Contract(ChargedToBudget):
    """A contract with a contractor (承办单位) on one budget line, paid in milestones."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SIGNED = "signed", _("已签订")
        TERMINATED = "terminated", _("已终止")

    scope = Scope(programme="programme", owner_organisation="contractor")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("合同编号"), max_length=64)
    title = models.CharField(_("合同名称"), max_length=200)
    contractor = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="contracts",
        limit_choices_to={"kind": "contractor"},
    )
    amount = MoneyField(_("合同金额（元）"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    deliverables = models.TextField(_("交付内容"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    signed_by = _person(_("签订登记人"))
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True)
    terminated_by = _person(_("终止登记人"))
    termination_reason = models.TextField(_("终止原因"), blank=True)
    created_by = _person(_("创建人"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="funds_contract_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_contract_amount_positive"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="funds_contract_dates_ordered"),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_on__isnull=False), name="funds_contract_signed_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="terminated") | Q(signed_on__isnull=False, terminated_on__isnull=False),
                name="funds_contract_terminated_has_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("funds:contract_detail", args=[self.pk])


class ContractMilestone(BusinessModel):
    """One payment of a contract's schedule (e.g. 40 % on signing) and the evidence it needs."""

    scope = Scope(programme="contract__programme", owner_organisation="contract__contractor")

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="milestones")
    sequence = models.PositiveSmallIntegerField(_("序号"))
    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("付款节点"), max_length=64)
    percent = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2)
    amount = MoneyField(_("金额（元）"))
    evidence_required = models.TextField(_("所需证据"), blank=True)
    due_date = models.DateField(_("计划日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("付款节点")
        verbose_name_plural = _("付款节点")
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="funds_milestone_sequence_unique"),
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lte=100), name="funds_milestone_percent"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funds_milestone_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.name}（{self.percent.normalize():f}%）"


class DisbursementRequestQuerySet(RestrictedQuerySet):
    def approved(self):
        return self.filter(status__in=(RequestStatus.APPROVED, RequestStatus.PAID))


class DisbursementRequest(ChargedToBudget):
    """A request to pay money from a budget line: submitted → reviewed (office) → approved (finance) → paid."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("合同付款")
        DIRECT = "direct", _("直接支出")
        SUBSIDY = "subsidy", _("补贴及费用")

    class Status(models.TextChoices):
        SUBMITTED = RequestStatus.SUBMITTED, _("待审核")
        RETURNED = RequestStatus.RETURNED, _("退回修改")
        REVIEWED = RequestStatus.REVIEWED, _("已审核，待批准")
        APPROVED = RequestStatus.APPROVED, _("已批准，待拨付")
        PAID = RequestStatus.PAID, _("已拨付")
        REJECTED = RequestStatus.REJECTED, _("已驳回")

    scope = Scope(programme="programme", owner_organisation="contract__contractor")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT, related_name="disbursements"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    milestone = models.ForeignKey(
        ContractMilestone,
        verbose_name=_("付款节点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    amount = MoneyField(_("申请金额（元）"))
    purpose = models.TextField(_("用途"))
    payee = models.CharField(_("收款单位"), max_length=128)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    revision = models.PositiveSmallIntegerField(_("修改次数"), default=0)
    submitted_by = _person(_("申请人"), required=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    reviewed_by = _person(_("审核人（项目办）"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = _person(_("批准人（财政局）"))
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    paid_by = _person(_("拨付人"))
    paid_at = models.DateTimeField(_("拨付登记时间"), null=True, blank=True)
    voucher_number = models.CharField(_("凭证号"), max_length=64, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    decided_by = _person(_("退回/驳回人"))
    decided_at = models.DateTimeField(_("退回/驳回时间"), null=True, blank=True)
    decision_reason = models.TextField(_("退回/驳回理由"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = RestrictedManager.from_queryset(DisbursementRequestQuerySet)()

    class Meta:
        verbose_name = _("拨付申请")
        verbose_name_plural = _("拨付申请")
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            ("review_disbursementrequest", _("审核拨付申请（项目办）")),
            ("approve_disbursementrequest", _("批准拨付申请（财政局）")),
            ("pay_disbursementrequest", _("登记拨付（财政局）")),
        ]
        indexes = [models.Index(fields=["allocation", "status"]), models.Index(fields=["programme", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_request_amount_positive"),
            # Nobody decides on their own request, and the office reviewer is not the finance approver.
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("submitted_by")),
                name="funds_request_reviewer_not_submitter",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | (~Q(approved_by=F("submitted_by")) & ~Q(approved_by=F("reviewed_by"))),
                name="funds_request_approver_independent",
            ),
            models.CheckConstraint(
                condition=Q(paid_by__isnull=True) | ~Q(paid_by=F("submitted_by")),
                name="funds_request_payer_not_submitter",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["reviewed", "approved", "paid"]) | Q(reviewed_by__isnull=False),
                name="funds_request_reviewed_has_reviewer",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"]) | Q(approved_by__isnull=False),
                name="funds_request_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(voucher_number="")),
                name="funds_request_paid_has_voucher",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["returned", "rejected"]) | ~Q(decision_reason=""),
                name="funds_request_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(milestone__isnull=True) | Q(contract__isnull=False), name="funds_request_milestone_contract"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.purpose[:40]}"

    @property
    def purpose_short(self) -> str:
        return self.purpose if len(self.purpose) <= 40 else f"{self.purpose[:39]}…"

    @property
    def code(self) -> str:
        """申请编号: BF + year of submission + id."""
        return f"BF{self.submitted_at:%Y}-{self.pk:05d}" if self.pk and self.submitted_at else "BF—"

    def get_absolute_url(self) -> str:
        return reverse("funds:request_detail", args=[self.pk])


class Appeal(BusinessModel):
    """申诉: an involved party contests a fund decision recorded in the ledger."""

    class Status(models.TextChoices):
        FILED = AppealStatus.FILED, _("已提出")
        UNDER_REVIEW = AppealStatus.UNDER_REVIEW, _("审查中")
        UPHELD = AppealStatus.UPHELD, _("申诉成立")
        DISMISSED = AppealStatus.DISMISSED, _("申诉驳回")

    # A station operator (scoped to a township) sees the appeals they filed about their station's subsidy.
    scope = Scope(programme="programme", area="subsidy_line__area", owner_user="filed_by")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT, related_name="fund_appeals"
    )
    decision_entry = models.ForeignKey(
        "funds.LedgerEntry",
        verbose_name=_("被申诉的决定（台账记录）"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    request = models.ForeignKey(
        DisbursementRequest,
        verbose_name=_("拨付申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    subsidy_line = models.ForeignKey(
        "funds.SubsidyLine",
        verbose_name=_("补贴明细"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    filed_by = _person(_("申诉人"), required=True)
    appellant = models.CharField(_("申诉单位/个人"), max_length=128)
    grounds = models.TextField(_("申诉事由"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.FILED)
    deadline = models.DateField(_("办理期限"))
    reviewer = _person(_("审查人"))
    decided_by = _person(_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.TextField(_("处理意见及理由"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-created_at", "-pk"]
        permissions = [("decide_appeal", _("审查和处理申诉"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["upheld", "dismissed"])
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="funds_appeal_decision_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("filed_by")),
                name="funds_appeal_not_decided_by_appellant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.appellant}"

    @property
    def code(self) -> str:
        return f"SS-{self.pk:05d}" if self.pk else "SS—"

    @property
    def is_overdue(self) -> bool:
        return self.status in AppealStatus.OPEN and self.deadline < timezone.localdate()

    def get_absolute_url(self) -> str:
        return reverse("funds:appeal_detail", args=[self.pk])


class SubsidyBatch(BusinessModel):
    """One month's claims of one source (``core.claims``: station operating subsidies, training sessions …), priced
    by the source's rule under the plan and paid as one request."""

    scope = Scope(programme="programme")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT, related_name="subsidy_batches"
    )
    claim_source = models.CharField(_("申领来源"), max_length=64, help_text=_("登记申领来源的代码"))
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    request = models.OneToOneField(
        DisbursementRequest,
        verbose_name=_("拨付申请"),
        on_delete=models.PROTECT,
        related_name="subsidy_batch",
    )
    rule = models.JSONField(_("计算规则"), default=dict)
    created_by = _person(_("创建人"), required=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("补贴及费用批次")
        verbose_name_plural = _("补贴及费用批次")
        ordering = ["-month", "claim_source"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "claim_source", "month"], name="funds_subsidy_batch_source_month_unique"
            )
        ]

    def __str__(self) -> str:
        return _("%(month)s %(source)s") % {"month": f"{self.month:%Y-%m}", "source": self.source_label}

    @property
    def source_label(self) -> str:
        return claims.label_of(self.claim_source)

    def get_absolute_url(self) -> str:
        return reverse("funds:subsidy_detail", args=[self.pk])


class SubsidyLine(BusinessModel):
    """One claim in a batch: its subject (a station, a training session …), the facts it was priced from and the
    amount with its reason."""

    scope = Scope(programme="batch__programme", area="area", owner_user="claimant")

    batch = models.ForeignKey(SubsidyBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="lines")
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    subject_name = models.CharField(_("申领对象"), max_length=128)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("所在区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facts = models.JSONField(_("核定依据"), default=dict, blank=True)
    amount = MoneyField(_("金额（元）"))
    reason_code = models.CharField(_("结果代码"), max_length=32)
    reason = models.CharField(_("说明"), max_length=200)
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申领人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("补贴及费用明细")
        verbose_name_plural = _("补贴及费用明细")
        ordering = ["batch", "-amount", "subject_name"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "subject_id"], name="funds_subsidy_line_subject_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funds_subsidy_line_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.batch.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("funds:subsidy_line_detail", args=[self.pk])

    def fact_cells(self, source: claims.ClaimSource | None = None) -> list[tuple[claims.Fact, object]]:
        """The source's facts of this line, labelled and displayed as the source declares them."""
        source = source or claims.get(self.batch.claim_source)
        return [(fact, fact.display(self.facts.get(fact.key))) for fact in (source.facts if source else ())]

    @property
    def facts_summary(self) -> str:
        """The facts on one line (“层级：村级服务点；活跃度得分：88.0 …”), for lists that mix sources."""
        return "；".join(f"{fact.label}：{_fact_text(value)}" for fact, value in self.fact_cells())


def _fact_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    return str(value)


# --- the ledger -------------------------------------------------------------------------------------------------


class LedgerEvent(models.TextChoices):
    """Every kind of fund event the ledger records: a closed set, refused by the database outside it."""

    BUDGET_SET = "budget_set", _("预算下达")
    BUDGET_REMOVED = "budget_removed", _("预算撤销")
    CONTRACT_CREATED = "contract_created", _("合同登记")
    CONTRACT_SIGNED = "contract_signed", _("合同签订")
    CONTRACT_AMENDED = "contract_amended", _("合同变更")
    CONTRACT_TERMINATED = "contract_terminated", _("合同终止")
    REQUEST_SUBMITTED = "request_submitted", _("提交拨付申请")
    REQUEST_RESUBMITTED = "request_resubmitted", _("修改后重新提交")
    REQUEST_REVIEWED = "request_reviewed", _("项目办审核通过")
    REQUEST_RETURNED = "request_returned", _("退回修改")
    REQUEST_REJECTED = "request_rejected", _("驳回")
    REQUEST_APPROVED = "request_approved", _("财政局批准")
    REQUEST_PAID = "request_paid", _("拨付")
    REQUEST_REOPENED = "request_reopened", _("申诉成立，重新受理")
    EVIDENCE_ATTACHED = "evidence_attached", _("上传证据")
    SUBSIDY_BATCH_COMPUTED = "subsidy_batch_computed", _("补贴及费用核定")
    APPEAL_FILED = "appeal_filed", _("提出申诉")
    APPEAL_REVIEW_STARTED = "appeal_review_started", _("申诉审查")
    APPEAL_UPHELD = "appeal_upheld", _("申诉成立")
    APPEAL_DISMISSED = "appeal_dismissed", _("申诉驳回")


# On PostgreSQL the database itself refuses to change or remove ledger rows. pgtrigger's own escape hatch
# (``pgtrigger.ignore``) is no wider than the table owner's ALTER TABLE; core.appendonly.triggers_disabled is the
# one sanctioned way to lift them (``cuntong flush``).
APPEND_ONLY_TRIGGERS = append_only_triggers("funds ledger")


class CanonicalJSONEncoder(json.JSONEncoder):
    """JSON as the ledger's hash covers it: sorted keys, no spaces, UTF-8 characters unescaped (``ledger.canonical``).

    A ledger entry's payload is stored in this form, so on a database that keeps JSON text as written (SQLite) the
    column already holds the payload's canonical bytes and verification hashes them without decoding the JSON."""

    def __init__(self, **options):
        options.update(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        super().__init__(**options)


class LedgerEntry(AppendOnlyModel):
    """One fund event in a programme's hash chain: ``hash`` = SHA-256 of the entry's canonical JSON, which holds the
    previous entry's hash. Rows are never updated or deleted (on PostgreSQL triggers refuse it; see ledger.py).

    References to other records are plain ids without database constraints or cascades: the chain must survive
    whatever happens to the rows it describes.
    """

    scope = Scope(programme="programme")

    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("示范项目"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    seq = models.PositiveBigIntegerField(_("序号"))
    time = models.DateTimeField(_("时间"))
    event = models.CharField(_("事件"), max_length=40, choices=LedgerEvent.choices, db_index=True)
    actor = _reference(settings.AUTH_USER_MODEL, _("操作人"))
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    via = models.CharField(_("来源"), max_length=16, blank=True)
    subject_type = models.CharField(_("对象类型"), max_length=64)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    subject_repr = models.CharField(_("对象"), max_length=200)
    amount = MoneyField(_("金额（元）"), null=True, blank=True)
    line = _reference("programme.BudgetAllocation", _("预算线"))
    sub_item = _reference("programme.SubItem", _("子项"))
    contract = _reference(Contract, _("合同"))
    request = _reference(DisbursementRequest, _("拨付申请"))
    payload = models.JSONField(_("内容"), default=dict, encoder=CanonicalJSONEncoder)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("本条哈希"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("资金台账记录")
        verbose_name_plural = _("资金台账")
        ordering = ["programme", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "seq"], name="funds_ledger_seq_unique"),
            models.CheckConstraint(condition=Q(event__in=LedgerEvent.values), name="funds_ledger_event_known"),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["line", "seq"]),
            models.Index(fields=["contract", "seq"]),
            models.Index(fields=["request", "seq"]),
        ]
        triggers = APPEND_ONLY_TRIGGERS

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_label} {self.subject_repr}"

    def get_absolute_url(self) -> str:
        return reverse("funds:ledger_detail", args=[self.pk])

    @property
    def short_hash(self) -> str:
        return f"{self.hash[:12]}…"

    @property
    def event_label(self) -> str:
        return self.get_event_display()


class LedgerHead(models.Model):
    """The end of a programme's chain. Appends lock this row, so they are serialised per programme."""

    programme = models.OneToOneField(
        "programme.Programme", on_delete=models.PROTECT, related_name="ledger_head", primary_key=True
    )
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("台账链头")
        verbose_name_plural = _("台账链头")

    def __str__(self) -> str:
        return f"{self.programme_id}#{self.seq} {self.hash[:12]}"


class LedgerSnapshot(AppendOnlyModel):
    """The head as it stood on a day, shown on the public page: whoever saved it can later prove no rewrite.
    Protected like the entries: a rewritten snapshot could otherwise hide a rewritten chain."""

    public_fields = ("day", "seq", "hash")

    programme = models.ForeignKey("programme.Programme", on_delete=models.PROTECT, related_name="ledger_snapshots")
    day = models.DateField(_("日期"))
    seq = models.PositiveBigIntegerField(_("序号"))
    hash = models.CharField(_("链头哈希"), max_length=64)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("台账每日链头")
        verbose_name_plural = _("台账每日链头")
        ordering = ["programme", "-day"]
        constraints = [models.UniqueConstraint(fields=["programme", "day"], name="funds_snapshot_day_unique")]
        triggers = APPEND_ONLY_TRIGGERS

    def __str__(self) -> str:
        return f"{self.day} #{self.seq} {self.hash}"
