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
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django.views.decorators.http import require_POST

from cuntong.attachments.models import Attachment
from cuntong.audit.services import log_event
from cuntong.core import claims
from cuntong.core.export import xlsx_response
from cuntong.core.public import public_record, public_rows, public_view
from cuntong.core.scoping import is_permitted
from cuntong.programme.models import Programme
from cuntong.web.views import ObjectDetailView, ObjectEditView, ObjectListView, get_permitted_or_404

from . import dashboard, exports, ledger, policies, queries, rules, services, tables
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


class LineListView(ObjectListView):
    table = tables.LineTable
    export_filename = "预算执行.xlsx"
    paginate_by = 100

    def optimise(self, queryset):
        return queries.lines_with_figures(queryset.filter(amount__gt=0)).annotate(
            remaining_amount=F("amount") - F("committed_amount")
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


class ContractListView(ObjectListView):
    table = tables.ContractTable
    filterset_class = ContractFilter
    add_url_name = "funds:contract_add"
    export_filename = "合同.xlsx"

    def optimise(self, queryset):
        return queries.contracts_with_figures(queryset)


class ContractDetailView(ObjectDetailView):
    model = Contract
    template_name = "funds/contract_detail.html"
    edit_url_name = "funds:contract_edit"
    fields = tables.CONTRACT_DETAIL

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
            if contract.status == Contract.Status.DRAFT and policies.may(user, "change", contract)
            else None,
            **(
                {
                    "amend_form": AmendForm(initial={"amount": contract.amount, "end_date": contract.end_date}),
                    "terminate_form": TerminateForm(),
                }
                if contract.status == Contract.Status.SIGNED and policies.may(user, "change", contract)
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


class RequestListView(ObjectListView):
    table = tables.RequestTable
    filterset_class = RequestFilter
    add_url_name = "funds:request_add"
    export_filename = "拨付申请.xlsx"


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
    fields = tables.REQUEST_DETAIL

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
            can_resubmit=obj.status == rules.Status.RETURNED and policies.may(user, "change", obj),
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


class AppealListView(ObjectListView):
    table = tables.AppealTable
    filterset_class = AppealFilter
    export_filename = "申诉.xlsx"


class AppealDetailView(ObjectDetailView):
    model = Appeal
    template_name = "funds/appeal_detail.html"
    fields = tables.APPEAL_DETAIL

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


class LedgerListView(ObjectListView):
    table = tables.LedgerTable
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
    fields = tables.LEDGER_DETAIL

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


class SubsidyBatchListView(ObjectListView):
    table = tables.SubsidyBatchTable
    add_url_name = "funds:subsidy_add"
    export_filename = "补贴及费用批次.xlsx"

    def optimise(self, queryset):
        return queryset.annotate(line_count=Count("lines"), paid_count=Count("lines", filter=Q(lines__amount__gt=0)))


class SubsidyBatchDetailView(ObjectDetailView):
    model = SubsidyBatch
    template_name = "funds/subsidy_detail.html"
    fields = tables.SUBSIDY_BATCH_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("request", "created_by")

    def get_context_data(self, **kwargs):
        """The lines with the columns their source declares (a station's level and score, a session's person-times)."""
        context = super().get_context_data(**kwargs)
        columns, rows = tables.batch_line_rows(self.object, claims.get(self.object.claim_source))
        context.update(columns=columns, rows=rows)
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
    table = tables.SubsidyLineTable
    filterset_class = SubsidyLineFilter
    export_filename = "补贴及费用明细.xlsx"


class SubsidyLineDetailView(ObjectDetailView):
    model = SubsidyLine
    template_name = "funds/subsidy_line_detail.html"
    fields = tables.SUBSIDY_LINE_DETAIL

    def optimise(self, queryset):
        return queryset.select_related("batch__request")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line = self.object
        source = claims.get(line.batch.claim_source)
        if source:  # the source's own facts, each on its own row, in place of the one-line summary
            facts = tables.fact_cells(line, source)
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


def _published_snapshots(programme: Programme, days: int) -> list[dict]:
    return public_rows(LedgerSnapshot.objects.filter(programme=programme).order_by("-day")[:days])


@public_view(reason="公示: the programme's published fund ledger head and totals, meant for the public")
def public_ledger(request, code):
    """Today's head of the fund ledger and the heads of earlier days (政务公开). Reads only: the daily heads are
    recorded by ``cuntong ledger snapshot``."""
    programme = _public_programme(code)
    seq, head_hash = ledger.current_head(programme.pk)
    return TemplateResponse(
        request,
        "funds/public_ledger.html",
        {
            "programme": public_record(programme, "code", "name"),
            "today": public_record(ledger.published_head(programme.pk)),
            "head": {"seq": seq, "hash": head_hash},
            "snapshots": _published_snapshots(programme, 60),
            "total": queries.programme_totals(programme).get("total"),
        },
    )


@public_view(reason="公示: the same head as JSON, for anyone who wants to compare it")
def public_ledger_json(request, code):
    programme = _public_programme(code)
    return JsonResponse(
        {
            "programme": programme.code,
            "algorithm": "sha256",
            "today": public_record(ledger.published_head(programme.pk)),
            "snapshots": _published_snapshots(programme, 365),
        },
        json_dumps_params={"ensure_ascii": False},
    )
