"""Logistics forms: a month's volume, a price sample, the county centre's scan, the keeper's pickup code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedModelForm, StyledForm
from cuntong.geo.models import Area

from .models import ExpressVolume, PriceSample, VehicleRun


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


class MonthField(forms.DateField):
    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]


class VolumeForm(ScopedModelForm):
    month = MonthField(label=_("月份"))

    class Meta:
        model = ExpressVolume
        fields = ["month", "township", "carrier", "inbound", "outbound"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        county = self.programme.county.code if self.programme else ""
        self.fields["township"].queryset = (
            Area.objects.current().filter(level="township", code__startswith=county).order_by("code")
        )


class PriceForm(ScopedModelForm):
    class Meta:
        model = PriceSample
        fields = ["carrier", "weight_kg", "zone", "price", "on", "source"]
        widgets = {"on": forms.DateInput(attrs={"type": "date"})}


STEP_CHOICES = [
    ("arrive", _("到件扫描（县中心）")),
    ("sort", _("分拣到线路和站点")),
    ("load", _("装车")),
    ("deliver", _("送达站点（生成取件码）")),
]


class HubForm(StyledForm):
    step = forms.ChoiceField(label=_("环节"), choices=STEP_CHOICES)
    waybills = forms.CharField(
        label=_("运单号"),
        widget=forms.Textarea(attrs={"rows": 6, "autofocus": True, "autocomplete": "off"}),
        help_text=_("扫描或输入运单号，每行一个"),
    )
    run = forms.ModelChoiceField(label=_("车次（装车时必选）"), queryset=VehicleRun.objects.none(), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, runs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if runs is not None:
            self.fields["run"].queryset = runs

    def waybill_list(self) -> list[str]:
        seen = []
        for line in self.cleaned_data["waybills"].replace(",", "\n").splitlines():
            if line.strip() and line.strip() not in seen:
                seen.append(line.strip())
        return seen


class PickupForm(forms.Form):
    code = forms.CharField(
        label=_("取件码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text", "spellcheck": "false"}
        ),
    )
