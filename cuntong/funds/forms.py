"""Fund forms: choices restricted to the user's scope; the services decide whether what is entered is allowed."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cuntong.attachments.models import Attachment
from cuntong.core import claims
from cuntong.core.forms import ScopedModelForm, StyledForm
from cuntong.programme.models import BudgetAllocation, FundSource, SubItem

from .models import Appeal, Contract, ContractMilestone
from .queries import milestones_with_figures

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.docx,.xlsx,.pptx"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def milestone_label(milestone) -> str:
    return gettext("%(contract)s · %(name)s（%(amount)s 元，已申请 %(claimed)s 元）") % {
        "contract": milestone.contract,
        "name": milestone.name,
        "amount": f"{milestone.amount:,.2f}",
        "claimed": f"{milestone.claimed_amount:,.2f}",
    }


def sub_item_label(item: SubItem) -> str:
    return f"{item.project.number}. {item.name}"


def can_request_directly(user) -> bool:
    """Programme-wide staff may request spending outside contracts; contractors pay only from their contracts."""
    return any(
        not grant.own_records_only and "funds.add_disbursementrequest" in grant.permissions
        for grant in user.scope_grants()
    ) or bool(user.is_superuser)


class ContractForm(ScopedModelForm):
    class Meta:
        model = Contract
        fields = [
            "number",
            "title",
            "contractor",
            "allocation",
            "sub_item",
            "amount",
            "start_date",
            "end_date",
            "deliverables",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "deliverables": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocation"].queryset = (
            self.fields["allocation"].queryset.filter(amount__gt=0).select_related("project")
        )
        self.fields["sub_item"].queryset = self.fields["sub_item"].queryset.select_related("project")
        self.fields["sub_item"].label_from_instance = sub_item_label


class MilestoneForm(StyledForm):
    name = forms.CharField(label=_("付款节点"), max_length=64)
    code = forms.SlugField(label=_("代码"), max_length=32, required=False, widget=forms.HiddenInput)
    percent = forms.DecimalField(label=_("比例（%）"), max_digits=5, decimal_places=2, min_value=0)
    evidence_required = forms.CharField(label=_("所需证据"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("计划日期"), required=False, widget=DATE)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=1)


def milestone_initial(milestones) -> list[dict]:
    return [
        {
            "name": m.name,
            "code": m.code,
            "percent": m.percent,
            "evidence_required": m.evidence_required,
            "due_date": m.due_date,
        }
        for m in milestones
    ]


class RequestForm(StyledForm):
    """A contract milestone payment, or (programme staff only) spending from a line outside any contract."""

    milestone = forms.ModelChoiceField(
        label=_("合同付款节点"), queryset=ContractMilestone.objects.none(), required=False
    )
    allocation = forms.ModelChoiceField(
        label=_("预算线（不属于合同的支出）"), queryset=BudgetAllocation.objects.none(), required=False
    )
    sub_item = forms.ModelChoiceField(label=_("子项"), queryset=SubItem.objects.none(), required=False)
    payee = forms.CharField(label=_("收款单位"), max_length=128, required=False)
    amount = forms.DecimalField(label=_("申请金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    purpose = forms.CharField(label=_("用途"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("证据材料（合同、发票、照片等，可多选）"))
    evidence_kind = forms.ChoiceField(
        label=_("证据类别"), choices=Attachment.Kind.choices, initial=Attachment.Kind.INVOICE
    )

    def __init__(self, *args, user, programme, **kwargs):
        super().__init__(*args, **kwargs)
        milestones = ContractMilestone.objects.restrict(user, "view").filter(
            contract__programme=programme, contract__status=Contract.Status.SIGNED
        )
        self.fields["milestone"].queryset = milestones_with_figures(milestones).select_related("contract")
        self.fields["milestone"].label_from_instance = milestone_label
        if can_request_directly(user):
            self.fields["allocation"].queryset = BudgetAllocation.objects.filter(
                project__programme=programme, amount__gt=0
            ).select_related("project")
            self.fields["sub_item"].queryset = SubItem.objects.filter(project__programme=programme).select_related(
                "project"
            )
            self.fields["sub_item"].label_from_instance = sub_item_label
        else:
            for name in ("allocation", "sub_item", "payee"):
                del self.fields[name]
            self.fields["milestone"].required = True

    def clean(self):
        data = super().clean()
        if not data.get("milestone") and not data.get("allocation"):
            raise forms.ValidationError(_("请选择合同付款节点，或不属于合同的预算线。"))
        if data.get("milestone") and data.get("allocation"):
            raise forms.ValidationError(_("合同付款节点与预算线只能选一个。"))
        return data


class ActionForm(StyledForm):
    """The fields one decision needs: a reason to return or reject, a voucher to pay."""

    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
    voucher_number = forms.CharField(label=_("凭证号"), max_length=64)
    paid_on = forms.DateField(label=_("拨付日期"), widget=DATE)

    FIELDS = {"return": ("reason",), "reject": ("reason",), "pay": ("voucher_number", "paid_on")}

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        for name in list(self.fields):
            if name not in self.FIELDS.get(action, ()):
                del self.fields[name]
        if "paid_on" in self.fields:
            self.fields["paid_on"].initial = timezone.localdate()


class SignForm(StyledForm):
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE, initial=timezone.localdate)


class AmendForm(StyledForm):
    amount = forms.DecimalField(label=_("变更后合同金额（元）"), max_digits=14, decimal_places=2, min_value=0)
    end_date = forms.DateField(label=_("变更后结束日期"), widget=DATE, required=False)
    reason = forms.CharField(label=_("变更原因（补充协议）"), widget=forms.Textarea(attrs={"rows": 3}))


class TerminateForm(StyledForm):
    terminated_on = forms.DateField(label=_("终止日期"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("终止原因"), widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(StyledForm):
    appellant = forms.CharField(label=_("申诉单位/个人"), max_length=128, required=False)
    grounds = forms.CharField(label=_("申诉事由"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("证据材料（可多选）"))


class AppealDecisionForm(StyledForm):
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=[
            (Appeal.Status.UPHELD, Appeal.Status.UPHELD.label),
            (Appeal.Status.DISMISSED, Appeal.Status.DISMISSED.label),
        ],
    )
    reason = forms.CharField(label=_("处理意见及理由"), widget=forms.Textarea(attrs={"rows": 3}))


def _claim_source_choices():
    return [(source.code, source.label) for source in claims.sources()]


class SubsidyBatchForm(StyledForm):
    claim_source = forms.ChoiceField(label=_("申领来源"), choices=_claim_source_choices)
    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    source = forms.ChoiceField(label=_("资金来源"), choices=FundSource.choices, initial=FundSource.NATIONAL)
