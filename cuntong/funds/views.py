"""Fund pages: thin views over core's generic views; every change goes through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django.views.decorators.http import require_POST

from cuntong.attachments.models import Attachment
from cuntong.audit.services import log_event
from cuntong.core import claims
from cuntong.core.export import xlsx_response
from cuntong.core.scoping import is_permitted
from cuntong.core.views import Col, ObjectDetailView, ObjectEditView, ObjectListView, get_permitted_or_404
from cuntong.programme.models import Programme

from . import dashboard, exports, ledger, policies, queries, rules, services
from .filters import AppealFilter, ContractFilter, LedgerFilter, RequestFilter, SubsidyLineFilter
from .forms import (
    ActionForm,
    AmendForm,
    AppealDecisionForm,
    AppealForm,
    ContractForm,
    MilestoneFormSet,
    RequestForm,
    SignForm,
    SubsidyBatchForm,
    TerminateForm,
    milestone_initial,
)
from .models import (
    Appeal,
    BudgetLine,
    Contract,
    DisbursementRequest,
    LedgerEntry,
    LedgerSnapshot,
    SubsidyBatch,
    SubsidyLine,
)
from .rules import FundRuleViolation


def _fail(request, exc) -> None:
    messages.error(request, str(exc) if isinstance(exc, FundRuleViolation) else _("您没有该操作的权限。"))


# --- timelines --------------------------------------------------------------------------------------------------


TIMELINE_LIMIT = 200


def timeline(user, **refs) -> dict:
    """Ledger events about one line, contract or request, oldest first, with who, when and evidence (the latest
    ``TIMELINE_LIMIT``; the ledger list filtered to the record has them all)."""
    rows = policies.visible_entries(user, LedgerEntry.objects.filter(**refs))
    total = rows.count()
    entries = list(reversed(rows.order_by("-seq")[:TIMELINE_LIMIT]))
    attachment_ids = [e.payload.get("attachment") for e in entries if e.event == "evidence_attached"]
    evidence_urls = {
        a.pk: a.get_absolute_url()
        for a in Attachment.objects.restrict(user, "view").filter(pk__in=[a for a in attachment_ids if a])
    }
    for entry in entries:  # the link (on the attachment host when one is set) only for evidence the user may open
        entry.evidence_url = evidence_urls.get(entry.payload.get("attachment")) if entry.payload else None
    ((field, record),) = refs.items()
    return {
        "entries": entries,
        "show_hashes": policies.may_read_ledger(user),
        "total": total,
        "full_history": f"{reverse('funds:ledger_list')}?{field}={record.pk}",
    }


# --- dashboard --------------------------------------------------------------------------------------------------


@login_required
def dashboard_view(request):
    programme = policies.ledger_programme(request.user, request.programme)
    return render(request, "funds/dashboard.html", dashboard.context(programme, request.user))


# --- budget lines -----------------------------------------------------------------------------------------------

MONEY_COLUMNS = (
    Col("amount", _("预算（万元）"), kind="wan", order_by="amount"),
    Col("committed_amount", _("已承诺"), kind="wan", order_by="committed_amount"),
    Col("approved_amount", _("已批准"), kind="wan", order_by="approved_amount"),
    Col("paid_amount", _("已拨付"), kind="wan", order_by="paid_amount"),
    Col("pending_amount", _("审批中"), kind="wan", phone_hidden=True),
    Col("remaining_amount", _("未承诺余额"), kind="wan", phone_hidden=True),
    Col("execution_percent", _("执行率"), kind="percent"),
)


class LineListView(ObjectListView):
    model = BudgetLine
    columns = (
        Col("project", _("项目"), kind="link", order_by="project__number"),
        Col("source", _("资金来源")),
        *MONEY_COLUMNS,
    )
    export_filename = "预算执行.xlsx"
    paginate_by = 100

    def optimise(self, queryset):
        return (
            queries.lines_with_figures(queryset.filter(amount__gt=0).select_related("project"))
            .annotate(remaining_amount=F("amount") - F("committed_amount"))
            .order_by("project__number", "source")
        )


class LineDetailView(ObjectDetailView):
    model = BudgetLine
    template_name = "funds/line_detail.html"

    def optimise(self, queryset):
        return queries.lines_with_figures(queryset.select_related("project__programme")).annotate(
            remaining_amount=F("amount") - F("committed_amount")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line, user = self.object, self.request.user
        context.update(
            line_figures=[
                (_("预算"), line.amount),
                (_("已承诺"), line.committed_amount),
                (_("已批准"), line.approved_amount),
                (_("已拨付"), line.paid_amount),
            ],
            sub_items=queries.sub_items_with_figures(line.project.sub_items.all()),
            contracts=queries.contracts_with_figures(
                Contract.objects.restrict(user, "view").filter(allocation=line).select_related("contractor")
            ),
            requests=DisbursementRequest.objects.restrict(user, "view").filter(allocation=line)[:100],
            timeline=timeline(user, line=line),
        )
        return context


# --- contracts --------------------------------------------------------------------------------------------------

CONTRACT_COLUMNS = (
    Col("number", _("合同编号"), kind="link", order_by="number"),
    Col("title", _("合同名称")),
    Col("contractor.name", _("承办单位"), phone_hidden=True),
    Col("allocation", _("预算线"), phone_hidden=True),
    Col("amount", _("合同金额（万元）"), kind="wan", order_by="amount"),
    Col("status", _("状态"), kind="badge"),
    Col("approved_amount", _("已批准（万元）"), kind="wan", phone_hidden=True),
    Col("paid_amount", _("已拨付（万元）"), kind="wan"),
)


class ContractListView(ObjectListView):
    model = Contract
    columns = CONTRACT_COLUMNS
    filterset_class = ContractFilter
    add_url_name = "funds:contract_add"
    export_filename = "合同.xlsx"

    def optimise(self, queryset):
        return queries.contracts_with_figures(queryset.select_related("contractor", "allocation__project"))


class ContractDetailView(ObjectDetailView):
    model = Contract
    template_name = "funds/contract_detail.html"
    edit_url_name = "funds:contract_edit"
    fields = (
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

    def optimise(self, queryset):
        return queryset.select_related("contractor", "allocation__project", "sub_item", "signed_by", "terminated_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract, user = self.object, self.request.user
        if contract.status != Contract.Status.DRAFT:
            context["edit_url"] = None
        context.update(
            milestones=queries.milestones_with_figures(contract.milestones.all()),
            requests=contract.requests.select_related("milestone"),
            timeline=timeline(user, contract=contract),
            sign_form=SignForm()
            if contract.status == Contract.Status.DRAFT and is_permitted(user, "change", contract)
            else None,
            **(
                {
                    "amend_form": AmendForm(initial={"amount": contract.amount, "end_date": contract.end_date}),
                    "terminate_form": TerminateForm(),
                }
                if contract.status == Contract.Status.SIGNED and is_permitted(user, "change", contract)
                else {}
            ),
            can_request=user.has_perm("funds.add_disbursementrequest") and contract.status == Contract.Status.SIGNED,
            appeals=Appeal.objects.restrict(user, "view").filter(
                decision_entry__contract=contract, decision_entry__event="contract_terminated"
            ),
            appealable=policies.appealable(
                user, contract, LedgerEntry.objects.filter(contract=contract, request__isnull=True)
            ),
        )
        return context


class ContractEditView(ObjectEditView):
    """A draft contract with its payment schedule (default: the plan's 40/40/15/5)."""

    model = Contract
    form_class = ContractForm
    template_name = "funds/contract_edit.html"

    def get_object(self, queryset=None):
        contract = super().get_object(queryset)
        if contract is not None and contract.status != Contract.Status.DRAFT:
            raise PermissionDenied(_("已签订的合同不能修改。"))
        return contract

    def get_formset(self):
        if self.request.method == "POST":
            return MilestoneFormSet(self.request.POST, prefix="milestones")
        milestones = self.object.milestones.all() if self.object else services.default_schedule(self.request.programme)
        return MilestoneFormSet(initial=milestone_initial(milestones), prefix="milestones")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", self.get_formset())
        return context

    def form_valid(self, form):
        formset = self.get_formset()
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        schedule = [
            services.MilestoneInput(
                name=f["name"],
                percent=f["percent"],
                code=f.get("code") or "",
                evidence_required=f["evidence_required"],
                due_date=f["due_date"],
            )
            for f in formset.cleaned_data
            if f.get("name")
        ]
        try:
            self.object = services.save_contract(self.request.user, self.request.programme, form.instance, schedule)
        except FundRuleViolation as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        messages.success(self.request, _("已保存：%(obj)s") % {"obj": self.object})
        return HttpResponseRedirect(self.object.get_absolute_url())


# Changes to a contract after the draft: the form that carries each, what to say when done or incomplete.
CONTRACT_ACTIONS = {
    "sign": (SignForm, _("合同已签订，金额已计入预算承诺。"), _("请填写签订日期。")),
    "amend": (AmendForm, _("合同已变更，付款节点已按比例重新计算。"), _("请填写变更后的金额和变更原因。")),
    "terminate": (TerminateForm, _("合同已终止，未批准的余额已退回预算线。"), _("请填写终止日期和终止原因。")),
}


@require_POST
@login_required
def contract_action(request, pk, action):
    contract = get_permitted_or_404(request.user, Contract, "change", pk=pk)
    form_class, done, incomplete = CONTRACT_ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, incomplete)
        return redirect(contract.get_absolute_url())
    try:
        services.change_contract(request.user, contract, action, form.cleaned_data)
        messages.success(request, done)
    except (FundRuleViolation, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect(contract.get_absolute_url())


# --- disbursement requests --------------------------------------------------------------------------------------

REQUEST_COLUMNS = (
    Col("code", _("申请编号"), kind="link", order_by="pk"),
    Col("purpose_short", _("用途")),
    Col("allocation", _("预算线"), phone_hidden=True),
    Col("amount", _("金额（元）"), kind="yuan", order_by="amount"),
    Col("status", _("状态"), kind="badge", order_by="status"),
    Col("payee", _("收款单位"), phone_hidden=True),
    Col("submitted_by", _("申请人"), phone_hidden=True),
    Col("submitted_at", _("提交时间"), kind="datetime", order_by="submitted_at", phone_hidden=True),
)


class RequestListView(ObjectListView):
    model = DisbursementRequest
    columns = REQUEST_COLUMNS
    filterset_class = RequestFilter
    add_url_name = "funds:request_add"
    export_filename = "拨付申请.xlsx"

    def optimise(self, queryset):
        return queryset.select_related("allocation__project", "submitted_by")


ACTION_LABELS = {
    "review": _("审核通过"),
    "approve": _("批准"),
    "pay": _("登记拨付"),
    "return": _("退回修改"),
    "reject": _("驳回"),
}


class RequestDetailView(ObjectDetailView):
    model = DisbursementRequest
    template_name = "funds/request_detail.html"
    fields = (
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

    def optimise(self, queryset):
        return queryset.select_related(
            "allocation__project", "sub_item", "contract", "milestone", "submitted_by", "reviewed_by", "approved_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj, user = self.object, self.request.user
        actions = policies.request_decisions(user, obj)
        context.update(
            actions=[(a, ACTION_LABELS[a], ActionForm(action=a, prefix=a)) for a in actions],
            can_resubmit=obj.status == rules.Status.RETURNED and is_permitted(user, "change", obj),
            timeline=timeline(user, request=obj),
            appeals=Appeal.objects.restrict(user, "view").filter(request=obj),
            appealable=policies.appealable(user, obj, LedgerEntry.objects.filter(request=obj)),
            batch=SubsidyBatch.objects.filter(request=obj).first(),
        )
        return context


class RequestFormView(LoginRequiredMixin, generic.FormView):
    """Submit a new request, or correct and resubmit a returned one."""

    form_class = RequestForm
    template_name = "funds/request_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        if request.user.is_authenticated:
            if "pk" in kwargs:
                self.object = get_permitted_or_404(request.user, DisbursementRequest, "change", pk=kwargs["pk"])
                if self.object.status != rules.Status.RETURNED:
                    raise PermissionDenied(_("只有退回修改的申请可以修改后重新提交。"))
            elif not request.user.has_perm("funds.add_disbursementrequest"):
                raise PermissionDenied(_("您没有提交拨付申请的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "programme": self.request.programme}

    def get_initial(self):
        obj = self.object
        if obj is None:
            return {"milestone": self.request.GET.get("milestone")}
        return {
            "milestone": obj.milestone_id,
            "allocation": None if obj.milestone_id else obj.allocation_id,
            "sub_item": None if obj.milestone_id else obj.sub_item_id,
            "payee": obj.payee,
            "amount": obj.amount,
            "purpose": obj.purpose,
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object}

    def form_valid(self, form):
        data = form.cleaned_data
        entered = services.RequestInput(
            amount=data["amount"],
            purpose=data["purpose"],
            payee=data.get("payee", ""),
            milestone=data.get("milestone"),
            allocation=data.get("allocation"),
            sub_item=data.get("sub_item"),
        )
        user, files = self.request.user, data["files"]
        try:
            if self.object is None:
                obj = services.submit_request(
                    user, self.request.programme, entered, files, evidence_kind=data["evidence_kind"]
                )
            else:
                obj = services.resubmit_request(user, self.object, entered, files)
        except FundRuleViolation as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("拨付申请 %(code)s 已提交，等待项目办审核。") % {"code": obj.code})
        return redirect(obj.get_absolute_url())


@require_POST
@login_required
def request_action(request, pk, action):
    if action not in ACTION_LABELS:
        raise Http404
    obj = get_permitted_or_404(request.user, DisbursementRequest, "view", pk=pk)
    form = ActionForm(request.POST, action=action, prefix=action)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(obj.get_absolute_url())
    try:
        obj = services.decide(request.user, obj, action, **form.cleaned_data)
        messages.success(
            request,
            _("%(code)s：%(action)s，当前状态：%(status)s。")
            % {"code": obj.code, "action": ACTION_LABELS[action], "status": obj.get_status_display()},
        )
    except (FundRuleViolation, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect(obj.get_absolute_url())


# --- appeals ----------------------------------------------------------------------------------------------------

APPEAL_COLUMNS = (
    Col("code", _("申诉编号"), kind="link", order_by="pk"),
    Col("appellant", _("申诉单位/个人")),
    Col("decision_entry", _("被申诉的决定"), phone_hidden=True),
    Col("status", _("状态"), kind="badge", order_by="status"),
    Col("deadline", _("办理期限"), kind="date", order_by="deadline"),
    Col("is_overdue", _("已超期"), kind="bool"),
    Col("created_at", _("提出时间"), kind="datetime", phone_hidden=True),
)


class AppealListView(ObjectListView):
    model = Appeal
    columns = APPEAL_COLUMNS
    filterset_class = AppealFilter
    export_filename = "申诉.xlsx"

    def optimise(self, queryset):
        return queryset.select_related("decision_entry")


class AppealDetailView(ObjectDetailView):
    model = Appeal
    template_name = "funds/appeal_detail.html"
    fields = (
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

    def optimise(self, queryset):
        return queryset.select_related(
            "decision_entry", "request", "subsidy_line__batch", "filed_by", "reviewer", "decided_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        appeal, user = self.object, self.request.user
        may_decide = policies.may_decide_appeal(user, appeal)
        context.update(
            may_start=may_decide and appeal.status == Appeal.Status.FILED,
            decision_form=AppealDecisionForm() if may_decide else None,
            entries=LedgerEntry.objects.filter(subject_type="funds.appeal", subject_id=str(appeal.pk)).order_by("seq"),
            show_hashes=policies.may_read_ledger(user),
        )
        return context


class AppealCreateView(PermissionRequiredMixin, generic.FormView):
    """File an appeal against one decision in the ledger (from a request's or a subsidy line's page)."""

    form_class = AppealForm
    template_name = "funds/appeal_form.html"
    permission_required = "funds.add_appeal"

    def dispatch(self, request, *args, **kwargs):
        if request.user.has_perm(self.permission_required):
            self.entry = get_object_or_404(LedgerEntry.objects.select_related("programme"), pk=kwargs["entry"])
            line = request.GET.get("line") or request.POST.get("line")
            self.line = get_permitted_or_404(request.user, SubsidyLine, "view", pk=line) if line else None
            subject = self.line or services.appealable_subject(self.entry)
            if subject is None or not is_permitted(request.user, "view", subject):
                raise Http404
            if not policies.may_appeal(request.user, subject):
                raise PermissionDenied(_("您只能对与您相关的决定提出申诉。"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        rule = services.funds_rule(self.entry.programme)
        return {
            **super().get_context_data(**kwargs),
            "entry": self.entry,
            "line": self.line,
            "window_days": rule.get("appeal_window_days", rules.APPEAL_WINDOW_DAYS),
            "decision_days": rule.get("appeal_decision_days", rules.APPEAL_DECISION_DAYS),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            appeal = services.file_appeal(
                self.request.user,
                self.entry,
                data["grounds"],
                appellant=data["appellant"],
                subsidy_line=self.line,
                files=data["files"],
            )
        except (FundRuleViolation, PermissionDenied) as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("申诉 %(code)s 已提出，办理期限 %(deadline)s。") % {"code": appeal.code, "deadline": appeal.deadline},
        )
        return redirect(appeal.get_absolute_url())


@require_POST
@login_required
def appeal_action(request, pk, action):
    appeal = get_permitted_or_404(request.user, Appeal, "view", pk=pk)
    try:
        if action == "review":
            services.start_appeal_review(request.user, appeal)
        elif action == "decide":
            form = AppealDecisionForm(request.POST)
            if not form.is_valid():
                raise FundRuleViolation("form", _("请选择处理结果并写明理由。"))
            appeal = services.decide_appeal(
                request.user, appeal, form.cleaned_data["outcome"], form.cleaned_data["reason"]
            )
            messages.success(request, _("申诉已处理：%(status)s。") % {"status": appeal.get_status_display()})
        else:
            raise Http404
    except (FundRuleViolation, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect(appeal.get_absolute_url())


# --- ledger -----------------------------------------------------------------------------------------------------

LEDGER_COLUMNS = (
    Col("seq", _("序号"), kind="link", order_by="seq"),
    Col("time", _("时间"), kind="datetime", order_by="time"),
    Col("event_label", _("事件")),
    Col("subject_repr", _("对象"), phone_hidden=True),
    Col("amount", _("金额（元）"), kind="yuan"),
    Col("actor_name", _("操作人"), phone_hidden=True),
    Col("short_hash", _("哈希"), phone_hidden=True),
)


class LedgerListView(ObjectListView):
    model = LedgerEntry
    columns = LEDGER_COLUMNS
    filterset_class = LedgerFilter
    template_name = "funds/ledger_list.html"
    export_filename = "资金台账.xlsx"

    REFERENCES = ("line", "contract", "request")

    def get_queryset(self):
        """``?request=12`` (or ``line``, ``contract``): one record's full history, linked from its timeline."""
        queryset = super().get_queryset()
        for name in self.REFERENCES:
            value = self.request.GET.get(name, "")
            if value.isdigit():
                queryset = queryset.filter(**{f"{name}_id": int(value)})
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programme = self.request.programme
        context["head"] = (
            ledger.current_head(programme.pk) if programme and policies.may_read_ledger(self.request.user) else None
        )
        return context


class LedgerDetailView(ObjectDetailView):
    model = LedgerEntry
    template_name = "funds/ledger_detail.html"
    fields = (
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        values = {name: getattr(entry, name) for name in ledger.HASHED_FIELDS}
        context.update(
            canonical=ledger.canonical(values).decode(),
            recomputed=ledger.digest(values),
            history=None,
        )
        return context


@require_POST
@login_required
def ledger_verify(request):
    """Verification of the programme's whole chain runs as a background job with a progress bar."""
    from cuntong.jobs.services import start

    programme = policies.ledger_programme(request.user, request.programme)
    with transaction.atomic():
        job = start(
            "funds.verify_ledger",
            title=_("核验资金台账：%(programme)s") % {"programme": programme},
            user=request.user,
            programme=programme,
            params={"programme_id": programme.pk},
        )
    return redirect(job.get_absolute_url())


# --- monthly claim batches (core.claims: station subsidies, training sessions, warehouse costs …) -----------------

BATCH_COLUMNS = (
    Col("__str__", _("批次"), kind="link", order_by="month"),
    Col("source_label", _("申领来源"), phone_hidden=True),
    Col("request.amount", _("合计（元）"), kind="yuan"),
    Col("line_count", _("申领数"), kind="number"),
    Col("paid_count", _("获付数"), kind="number"),
    Col("request.status", _("拨付状态"), kind="badge"),
)


class SubsidyBatchListView(ObjectListView):
    model = SubsidyBatch
    columns = BATCH_COLUMNS
    add_url_name = "funds:subsidy_add"
    export_filename = "补贴及费用批次.xlsx"

    def optimise(self, queryset):
        return (
            queryset.select_related("request")
            .annotate(line_count=Count("lines"), paid_count=Count("lines", filter=Q(lines__amount__gt=0)))
            .order_by("-month", "claim_source")
        )


LINE_COLUMNS = (
    Col("subject_name", _("申领对象"), kind="link", order_by="subject_name"),
    Col("batch.source_label", _("申领来源"), phone_hidden=True),
    Col("batch.month", _("月份"), kind="date", order_by="batch__month"),
    Col("facts_summary", _("核定依据"), phone_hidden=True),
    Col("amount", _("金额（元）"), kind="yuan", order_by="amount"),
    Col("reason", _("说明")),
)


def _fact_column(fact: claims.Fact) -> Col:
    return Col(f"facts.{fact.key}", fact.label, kind=fact.kind, phone_hidden=True)


def _fact_cells(line: SubsidyLine, source: claims.ClaimSource) -> list[tuple[Col, object]]:
    return [(_fact_column(fact), value) for fact, value in line.fact_cells(source)]


class SubsidyBatchDetailView(ObjectDetailView):
    model = SubsidyBatch
    template_name = "funds/subsidy_detail.html"
    fields = (
        Col("__str__", _("批次")),
        Col("source_label", _("申领来源")),
        Col("request", _("拨付申请")),
        Col("request.amount", _("合计"), kind="yuan"),
        Col("request.status", _("拨付状态"), kind="badge"),
        Col("created_by", _("创建人")),
        Col("created_at", _("创建时间"), kind="datetime"),
    )

    def optimise(self, queryset):
        return queryset.select_related("request", "created_by")

    def get_context_data(self, **kwargs):
        """The lines with the columns their source declares (a station's level and score, a session's person-times)."""
        context = super().get_context_data(**kwargs)
        source = claims.get(self.object.claim_source)
        subject = Col("subject_name", source.subject_label if source else _("申领对象"), kind="link")
        amount, reason = Col("amount", _("金额（元）"), kind="yuan"), Col("reason", _("说明"))
        fact_columns = [_fact_column(fact) for fact in source.facts] if source else []
        context.update(
            columns=[subject, *fact_columns, amount, reason],
            rows=[
                (
                    line,
                    [
                        (subject, line.subject_name),
                        *(_fact_cells(line, source) if source else ()),
                        (amount, line.amount),
                        (reason, line.reason),
                    ],
                )
                for line in self.object.lines.all()
            ],
        )
        return context


class SubsidyBatchCreateView(PermissionRequiredMixin, generic.FormView):
    form_class = SubsidyBatchForm
    template_name = "core/object_edit.html"
    permission_required = "funds.add_subsidybatch"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "model_name": SubsidyBatch._meta.verbose_name}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            batch = services.create_subsidy_batch(
                self.request.user,
                self.request.programme,
                data["month"],
                data["source"],
                claim_source=data["claim_source"],
            )
        except (FundRuleViolation, PermissionDenied) as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("已生成 %(batch)s，并提交拨付申请。") % {"batch": batch})
        return redirect(batch.get_absolute_url())


class SubsidyLineListView(ObjectListView):
    model = SubsidyLine
    columns = LINE_COLUMNS
    filterset_class = SubsidyLineFilter
    export_filename = "补贴及费用明细.xlsx"

    def optimise(self, queryset):
        return queryset.select_related("batch")


class SubsidyLineDetailView(ObjectDetailView):
    model = SubsidyLine
    template_name = "funds/subsidy_line_detail.html"
    fields = tuple(LINE_COLUMNS) + (Col("batch.request.status", _("拨付状态"), kind="badge"),)

    def optimise(self, queryset):
        return queryset.select_related("batch__request")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line = self.object
        source = claims.get(line.batch.claim_source)
        if source:  # the source's own facts, each on its own row, in place of the one-line summary
            facts = _fact_cells(line, source)
            context["fields"] = [
                cell
                for field in context["fields"]
                for cell in (facts if field[0].accessor == "facts_summary" else [field])
            ]
        entry = LedgerEntry.objects.filter(
            event="subsidy_batch_computed", subject_type="funds.subsidybatch", subject_id=str(line.batch_id)
        ).first()
        user = self.request.user
        context["appeal_entry"] = entry if entry and policies.may_appeal(user, line) else None
        context["appeals"] = Appeal.objects.restrict(self.request.user, "view").filter(subsidy_line=line)
        return context


# --- auditor export and the public head -------------------------------------------------------------------------


@login_required
def audit_export(request):
    """One workbook for auditors: lines, contracts, milestones, requests, evidence, appeals and the ledger."""
    programme = policies.ledger_programme(request.user, request.programme)
    sheets, rows = exports.audit_workbook(programme, request.user)
    response = xlsx_response(f"{programme.code}-funds-audit-{timezone.localdate():%Y%m%d}.xlsx", sheets)
    log_event("export", model="funds.audit", programme=programme.code, rows=rows[0])
    return response


def _public_programme(code: str) -> Programme:
    return get_object_or_404(Programme, code=code)


def public_ledger(request, code):
    """Public, no login: today's head of the fund ledger and the heads of earlier days (政务公开). Reads only:
    a public GET writes nothing (the daily heads are recorded by ``cuntong ledger snapshot``)."""
    programme = _public_programme(code)
    today = ledger.published_head(programme.pk)
    return render(
        request,
        "funds/public_ledger.html",
        {
            "programme": programme,
            "today": today,
            "head": ledger.current_head(programme.pk),
            "snapshots": LedgerSnapshot.objects.filter(programme=programme).order_by("-day")[:60],
            "totals": queries.programme_totals(programme),
        },
    )


def public_ledger_json(request, code):
    programme = _public_programme(code)
    today = ledger.published_head(programme.pk)
    snapshots = LedgerSnapshot.objects.filter(programme=programme).order_by("-day")[:365]
    return JsonResponse(
        {
            "programme": programme.code,
            "algorithm": "sha256",
            "today": {"day": today.day.isoformat(), "seq": today.seq, "hash": today.hash},
            "snapshots": [{"day": s.day.isoformat(), "seq": s.seq, "hash": s.hash} for s in snapshots],
        },
        json_dumps_params={"ensure_ascii": False},
    )
