"""The fund lists' columns (``core.tables``) and the fields of the fund records' detail pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cuntong.core import claims
from cuntong.core.tables import Col, Table

from .models import Appeal, BudgetLine, Contract, DisbursementRequest, LedgerEntry, SubsidyBatch, SubsidyLine

# An allocation is shown by its project and source (BudgetAllocation.__str__).
ALLOCATION = ("allocation__project",)


class LineTable(Table):
    """Budget execution; the amounts besides ``amount`` come from ``queries.lines_with_figures``."""

    project = Col("project", _("项目"), kind="link", order_by="project__number")
    source = Col("source", _("资金来源"))
    amount = Col("amount", _("预算（万元）"), kind="wan", order_by="amount")
    committed_amount = Col("committed_amount", _("已承诺"), kind="wan", order_by="committed_amount")
    approved_amount = Col("approved_amount", _("已批准"), kind="wan", order_by="approved_amount")
    paid_amount = Col("paid_amount", _("已拨付"), kind="wan", order_by="paid_amount")
    pending_amount = Col("pending_amount", _("审批中"), kind="wan")
    remaining_amount = Col("remaining_amount", _("未承诺余额"), kind="wan")
    execution_percent = Col("execution_percent", _("执行率"), kind="percent")

    class Meta:
        model = BudgetLine
        ordering = ("project__number", "source")
        phone_hidden = ("pending_amount", "remaining_amount")


class ContractTable(Table):
    number = Col("number", _("合同编号"), kind="link", order_by="number")
    title = Col("title", _("合同名称"))
    contractor = Col("contractor.name", _("承办单位"))
    allocation = Col("allocation", _("预算线"), needs=ALLOCATION)
    amount = Col("amount", _("合同金额（万元）"), kind="wan", order_by="amount")
    status = Col("status", _("状态"), kind="badge")
    approved_amount = Col("approved_amount", _("已批准（万元）"), kind="wan")
    paid_amount = Col("paid_amount", _("已拨付（万元）"), kind="wan")

    class Meta:
        model = Contract
        phone_hidden = ("contractor", "allocation", "approved_amount")


CONTRACT_DETAIL = (
    Col("number", _("合同编号")),
    Col("title", _("合同名称")),
    Col("contractor", _("承办单位")),
    Col("allocation", _("预算线")),
    Col("sub_item", _("子项")),
    Col("amount", _("合同金额"), kind="yuan"),
    Col("start_date", _("开始日期"), kind="date"),
    Col("end_date", _("结束日期"), kind="date"),
    Col("deliverables", _("交付内容")),
    Col("status", _("状态"), kind="badge"),
    Col("signed_on", _("签订日期"), kind="date"),
    Col("signed_by", _("签订登记人")),
    Col("terminated_on", _("终止日期"), kind="date", hide_empty=True),
    Col("termination_reason", _("终止原因"), hide_empty=True),
    Col("terminated_by", _("终止登记人"), hide_empty=True),
    Col("is_demo", _("演示数据"), kind="bool"),
)


class RequestTable(Table):
    code = Col("code", _("申请编号"), kind="link", order_by="pk")
    purpose = Col("purpose_short", _("用途"))
    allocation = Col("allocation", _("预算线"), needs=ALLOCATION)
    amount = Col("amount", _("金额（元）"), kind="yuan", order_by="amount")
    status = Col("status", _("状态"), kind="badge", order_by="status")
    payee = Col("payee", _("收款单位"))
    submitted_by = Col("submitted_by", _("申请人"))
    submitted_at = Col("submitted_at", _("提交时间"), kind="datetime", order_by="submitted_at")

    class Meta:
        model = DisbursementRequest
        phone_hidden = ("allocation", "payee", "submitted_by", "submitted_at")


REQUEST_DETAIL = (
    Col("code", _("申请编号")),
    Col("kind", _("类型")),
    Col("status", _("状态"), kind="badge"),
    Col("allocation", _("预算线")),
    Col("sub_item", _("子项")),
    Col("contract", _("合同")),
    Col("milestone", _("付款节点")),
    Col("amount", _("申请金额"), kind="yuan"),
    Col("purpose", _("用途")),
    Col("payee", _("收款单位")),
    Col("submitted_by", _("申请人")),
    Col("submitted_at", _("提交时间"), kind="datetime"),
    Col("reviewed_by", _("审核人（项目办）")),
    Col("approved_by", _("批准人（财政局）")),
    Col("voucher_number", _("凭证号")),
    Col("paid_on", _("拨付日期"), kind="date"),
    Col("decision_reason", _("退回/驳回理由")),
    Col("revision", _("修改次数"), kind="number"),
    Col("is_demo", _("演示数据"), kind="bool"),
)


class AppealTable(Table):
    code = Col("code", _("申诉编号"), kind="link", order_by="pk")
    appellant = Col("appellant", _("申诉单位/个人"))
    decision_entry = Col("decision_entry", _("被申诉的决定"))
    status = Col("status", _("状态"), kind="badge", order_by="status")
    deadline = Col("deadline", _("办理期限"), kind="date", order_by="deadline")
    is_overdue = Col("is_overdue", _("已超期"), kind="bool")
    created_at = Col("created_at", _("提出时间"), kind="datetime")

    class Meta:
        model = Appeal
        phone_hidden = ("decision_entry", "created_at")


APPEAL_DETAIL = (
    Col("code", _("申诉编号")),
    Col("status", _("状态"), kind="badge"),
    Col("appellant", _("申诉单位/个人")),
    Col("filed_by", _("申诉人")),
    Col("created_at", _("提出时间"), kind="datetime"),
    Col("decision_entry", _("被申诉的决定")),
    Col("request", _("拨付申请")),
    Col("subsidy_line", _("补贴明细")),
    Col("grounds", _("申诉事由")),
    Col("deadline", _("办理期限"), kind="date"),
    Col("reviewer", _("审查人")),
    Col("decided_by", _("处理人")),
    Col("decided_at", _("处理时间"), kind="datetime"),
    Col("decision_reason", _("处理意见及理由")),
)


class LedgerTable(Table):
    seq = Col("seq", _("序号"), kind="link", order_by="seq")
    time = Col("time", _("时间"), kind="datetime", order_by="time")
    event = Col("event_label", _("事件"))
    subject = Col("subject_repr", _("对象"))
    amount = Col("amount", _("金额（元）"), kind="yuan")
    actor = Col("actor_name", _("操作人"))
    hash = Col("short_hash", _("哈希"))

    class Meta:
        model = LedgerEntry
        phone_hidden = ("subject", "actor", "hash")


LEDGER_DETAIL = (
    Col("seq", _("序号"), kind="number"),
    Col("time", _("时间"), kind="datetime"),
    Col("event_label", _("事件")),
    Col("subject_repr", _("对象")),
    Col("amount", _("金额"), kind="yuan"),
    Col("actor_name", _("操作人")),
    Col("via", _("来源")),
    Col("prev_hash", _("前一条哈希")),
    Col("hash", _("本条哈希")),
)


# --- monthly claim batches (core.claims: station subsidies, training sessions, warehouse costs …) -----------------


class SubsidyBatchTable(Table):
    """The counts come from the list view's annotation."""

    batch = Col("__str__", _("批次"), kind="link", order_by="month")
    source = Col("source_label", _("申领来源"))
    amount = Col("request.amount", _("合计（元）"), kind="yuan")
    line_count = Col("line_count", _("申领数"), kind="number")
    paid_count = Col("paid_count", _("获付数"), kind="number")
    status = Col("request.status", _("拨付状态"), kind="badge")

    class Meta:
        model = SubsidyBatch
        ordering = ("-month", "claim_source")
        phone_hidden = ("source",)


SUBSIDY_BATCH_DETAIL = (
    Col("__str__", _("批次")),
    Col("source_label", _("申领来源")),
    Col("request", _("拨付申请")),
    Col("request.amount", _("合计"), kind="yuan"),
    Col("request.status", _("拨付状态"), kind="badge"),
    Col("created_by", _("创建人")),
    Col("created_at", _("创建时间"), kind="datetime"),
)


class SubsidyLineTable(Table):
    subject = Col("subject_name", _("申领对象"), kind="link", order_by="subject_name")
    source = Col("batch.source_label", _("申领来源"))
    month = Col("batch.month", _("月份"), kind="date", order_by="batch__month")
    facts = Col("facts_summary", _("核定依据"))
    amount = Col("amount", _("金额（元）"), kind="yuan", order_by="amount")
    reason = Col("reason", _("说明"))

    class Meta:
        model = SubsidyLine
        phone_hidden = ("source", "facts")


SUBSIDY_LINE_DETAIL = (*SubsidyLineTable.columns, Col("batch.request.status", _("拨付状态"), kind="badge"))


def fact_column(fact: claims.Fact) -> Col:
    """A claim source's own fact (a station's level and score, a session's person-times) as a column."""
    return Col(f"facts.{fact.key}", fact.label, kind=fact.kind, phone_hidden=True)


def fact_cells(line: SubsidyLine, source: claims.ClaimSource) -> list[tuple[Col, object]]:
    return [(fact_column(fact), value) for fact, value in line.fact_cells(source)]


def batch_line_rows(batch: SubsidyBatch, source: claims.ClaimSource | None):
    """A batch's lines with the columns their source declares: (columns, rows of (line, cells))."""
    subject = Col("subject_name", source.subject_label if source else _("申领对象"), kind="link")
    amount, reason = Col("amount", _("金额（元）"), kind="yuan"), Col("reason", _("说明"))
    fact_columns = [fact_column(fact) for fact in source.facts] if source else []
    rows = [
        (
            line,
            [
                (subject, line.subject_name),
                *(fact_cells(line, source) if source else ()),
                (amount, line.amount),
                (reason, line.reason),
            ],
        )
        for line in batch.lines.all()
    ]
    return [subject, *fact_columns, amount, reason], rows
