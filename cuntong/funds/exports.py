"""The auditors' workbook: every fund record of a programme with its evidence checksums and the full ledger."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from cuntong.attachments.models import Attachment
from cuntong.programme.models import SubItem

from . import queries
from .models import Appeal, BudgetLine, Contract, ContractMilestone, DisbursementRequest, LedgerEntry


def _counted(rows, counter: list[int]):
    for row in rows:
        counter[0] += 1
        yield row


def audit_workbook(programme, user) -> tuple[list, list[int]]:
    """Sheets of (title, headers, rows) restricted to what ``user`` may see; rows stream from the database."""
    lines = queries.lines_with_figures(
        BudgetLine.objects.restrict(user, "view").filter(project__programme=programme).select_related("project")
    ).order_by("project__number", "source")
    sub_items = queries.sub_items_with_figures(
        SubItem.objects.restrict(user, "view").filter(project__programme=programme).select_related("project")
    )
    contracts = (
        Contract.objects.restrict(user, "view")
        .filter(programme=programme)
        .select_related("contractor", "allocation__project", "sub_item")
    )
    milestones = queries.milestones_with_figures(
        ContractMilestone.objects.restrict(user, "view")
        .filter(contract__programme=programme)
        .select_related("contract")
    )
    requests = (
        DisbursementRequest.objects.restrict(user, "view")
        .filter(programme=programme)
        .select_related(
            "allocation__project",
            "sub_item",
            "contract",
            "milestone",
            "submitted_by",
            "reviewed_by",
            "approved_by",
            "paid_by",
        )
    )
    fund_types = ContentType.objects.filter(app_label="funds")
    evidence = (
        Attachment.objects.restrict(user, "view")
        .filter(programme=programme, content_type__in=fund_types)
        .select_related("content_type", "uploaded_by")
    )
    appeals = (
        Appeal.objects.restrict(user, "view").filter(programme=programme).select_related("decision_entry", "decided_by")
    )
    entries = LedgerEntry.objects.restrict(user, "view").filter(programme=programme).order_by("seq")
    count = [0]
    sheets = [
        (
            _("预算执行"),
            [
                _("项目"),
                _("资金来源"),
                _("预算（元）"),
                _("已承诺（元）"),
                _("已批准（元）"),
                _("已拨付（元）"),
                _("审批中（元）"),
            ],
            (
                [
                    str(line.project),
                    line.get_source_display(),
                    line.amount,
                    line.committed_amount,
                    line.approved_amount,
                    line.paid_amount,
                    line.pending_amount,
                ]
                for line in lines
            ),
        ),
        (
            _("子项"),
            [_("项目"), _("代码"), _("子项"), _("预算（元）"), _("已承诺（元）"), _("已批准（元）"), _("已拨付（元）")],
            (
                [str(s.project), s.code, s.name, s.amount, s.committed_amount, s.approved_amount, s.paid_amount]
                for s in sub_items
            ),
        ),
        (
            _("合同"),
            [
                _("合同编号"),
                _("合同名称"),
                _("承办单位"),
                _("预算线"),
                _("子项"),
                _("合同金额（元）"),
                _("开始日期"),
                _("结束日期"),
                _("状态"),
                _("签订日期"),
                _("演示数据"),
            ],
            (
                [
                    c.number,
                    c.title,
                    c.contractor.name,
                    str(c.allocation),
                    c.sub_item,
                    c.amount,
                    c.start_date,
                    c.end_date,
                    c.get_status_display(),
                    c.signed_on,
                    c.is_demo,
                ]
                for c in contracts
            ),
        ),
        (
            _("付款节点"),
            [
                _("合同编号"),
                _("序号"),
                _("付款节点"),
                _("比例（%）"),
                _("金额（元）"),
                _("所需证据"),
                _("已申请（元）"),
                _("已批准（元）"),
                _("已拨付（元）"),
            ],
            (
                [
                    m.contract.number,
                    m.sequence,
                    m.name,
                    m.percent,
                    m.amount,
                    m.evidence_required,
                    m.claimed_amount,
                    m.approved_amount,
                    m.paid_amount,
                ]
                for m in milestones
            ),
        ),
        (
            _("拨付申请"),
            [
                _("申请编号"),
                _("类型"),
                _("状态"),
                _("预算线"),
                _("子项"),
                _("合同"),
                _("付款节点"),
                _("金额（元）"),
                _("用途"),
                _("收款单位"),
                _("申请人"),
                _("提交时间"),
                _("审核人"),
                _("审核时间"),
                _("批准人"),
                _("批准时间"),
                _("拨付人"),
                _("拨付日期"),
                _("凭证号"),
                _("退回/驳回理由"),
            ],
            (
                [
                    r.code,
                    r.get_kind_display(),
                    r.get_status_display(),
                    str(r.allocation),
                    r.sub_item,
                    r.contract,
                    r.milestone and r.milestone.name,
                    r.amount,
                    r.purpose,
                    r.payee,
                    r.submitted_by,
                    r.submitted_at,
                    r.reviewed_by,
                    r.reviewed_at,
                    r.approved_by,
                    r.approved_at,
                    r.paid_by,
                    r.paid_on,
                    r.voucher_number,
                    r.decision_reason,
                ]
                for r in requests
            ),
        ),
        (
            _("证据文件"),
            [
                _("所属记录"),
                _("记录编号"),
                _("文件名"),
                _("类别"),
                _("大小（字节）"),
                _("SHA-256"),
                _("上传人"),
                _("上传时间"),
            ],
            (
                [
                    a.content_type.name,
                    a.object_id,
                    a.original_name,
                    a.get_kind_display(),
                    a.size,
                    a.sha256,
                    a.uploaded_by,
                    a.uploaded_at,
                ]
                for a in evidence
            ),
        ),
        (
            _("申诉"),
            [
                _("申诉编号"),
                _("申诉单位/个人"),
                _("被申诉的决定"),
                _("事由"),
                _("状态"),
                _("办理期限"),
                _("处理人"),
                _("处理意见及理由"),
            ],
            (
                [
                    a.code,
                    a.appellant,
                    str(a.decision_entry),
                    a.grounds,
                    a.get_status_display(),
                    a.deadline,
                    a.decided_by,
                    a.decision_reason,
                ]
                for a in appeals
            ),
        ),
        (
            _("资金台账"),
            [_("序号"), _("时间"), _("事件"), _("对象"), _("金额（元）"), _("操作人"), _("前一条哈希"), _("本条哈希")],
            (
                [e.seq, e.time, e.event_label, e.subject_repr, e.amount, e.actor_name, e.prev_hash, e.hash]
                for e in entries.iterator(chunk_size=2000)
            ),
        ),
    ]
    return [(title, headers, _counted(rows, count)) for title, headers, rows in sheets], count
