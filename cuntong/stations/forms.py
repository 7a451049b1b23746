from __future__ import annotations

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedModelForm, StyledForm
from cuntong.geo.models import Area

from . import rules
from .models import CandidateSite, DisplayLink, MonthlyReport, Station

# What people edit on a station (the page and the API); status and dates change only through the life cycle, and
# the benchmark flag follows the plan's criteria (services.refresh_benchmarks).
STATION_FIELDS = [
    "name",
    "code",
    "level",
    "area",
    "latitude",
    "longitude",
    "address",
    "operator_name",
    "operator_phone",
    "operator_user",
    "organisation",
    "floor_area_m2",
    "services",
    "sub_item",
    "replaces",
    "note",
]


class StationForm(ScopedModelForm):
    class Meta:
        model = Station
        fields = STATION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.programme and not self.instance.programme_id:
            self.instance.programme = self.programme
        county = self.programme.county.code if self.programme else ""
        self.fields["area"].queryset = (
            self.fields["area"].queryset.current().filter(code__startswith=county, level__in=["township", "village"])
        )
        self.fields["operator_user"].queryset = (
            self.fields["operator_user"].queryset.filter(memberships__role__code="station_operator").distinct()
        )
        self.fields["replaces"].queryset = self.fields["replaces"].queryset.filter(
            status__in=[rules.PROBATION, rules.ELIMINATED]
        )
        if self.programme:
            self.fields["sub_item"].queryset = self.fields["sub_item"].queryset.filter(
                project__programme=self.programme
            )
        self.fields["services"].widget.attrs.pop("class", None)


class FiguresForm(ScopedModelForm):
    """The monthly figures (labels from the model): whole numbers for counts, yuan with fen for money, never
    negative; plus the confirmation of unusual figures and the reason for a correction. Saved by the service."""

    confirm = forms.BooleanField(label=_("我已核对，以上数字无误"), required=False)
    reason = forms.CharField(label=_("修改原因"), required=False, max_length=500)

    class Meta:
        model = MonthlyReport
        fields = list(rules.FIGURE_NAMES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in rules.FIGURE_NAMES:
            field = self.fields[name]
            field.min_value = 0
            field.validators.append(MinValueValidator(0))
            field.widget.attrs.update(
                {"inputmode": "decimal" if name in rules.MONEY_FIGURES else "numeric", "min": "0"}
            )

    def figures(self) -> rules.Figures:
        return rules.Figures(**{name: self.cleaned_data[name] for name in rules.FIGURE_NAMES})


class CheckInForm(StyledForm):
    is_open = forms.BooleanField(label=_("今日开门营业"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)
    photo = forms.ImageField(label=_("门店照片（可选）"), required=False)
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].widget.attrs.update({"accept": "image/*", "capture": "environment"})


class TransitionForm(StyledForm):
    target = forms.ChoiceField(label=_("变更为"))
    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override = forms.BooleanField(label=_("规则例外批准（须说明理由）"), required=False)

    def __init__(self, *args, station: Station, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            (target, rules.status_label(target)) for target in rules.TRANSITIONS.get(station.status, {})
        ]


class DecisionForm(StyledForm):
    reason = forms.CharField(label=_("审定意见"), widget=forms.Textarea(attrs={"rows": 3}))


class DisplayLinkForm(ScopedModelForm):
    valid_days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=3650, initial=365)

    class Meta:
        model = DisplayLink
        fields = ["name", "area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        county = self.programme.county.code if self.programme else ""
        self.fields["area"].queryset = (
            self.fields["area"].queryset.current().filter(code__startswith=county, level__in=["county", "township"])
        )


class PlanForm(StyledForm):
    township = forms.ModelChoiceField(
        label=_("范围"), queryset=Area.objects.none(), required=False, empty_label=_("全县")
    )
    village_target = forms.DecimalField(label=_("行政村覆盖率目标（%）"), min_value=0, max_value=100, initial=50)
    poverty_target = forms.DecimalField(label=_("省定贫困村覆盖率目标（%）"), min_value=0, max_value=100, initial=100)
    time_limit = forms.IntegerField(label=_("求解时限（秒）"), min_value=1, max_value=600, initial=30)

    def __init__(self, *args, user=None, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        county = programme.county.code if programme else ""
        self.fields["township"].queryset = (
            Area.objects.current().filter(code__startswith=county, level="township").restrict(user, "view")
        )


class CandidateSiteForm(ScopedModelForm):
    class Meta:
        model = CandidateSite
        fields = ["village", "name", "latitude", "longitude", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        county = self.programme.county.code if self.programme else ""
        self.fields["village"].queryset = (
            self.fields["village"].queryset.current().filter(code__startswith=county, level="village")
        )
