import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedModelForm, StyledForm
from cuntong.people.forms import PersonForm

from . import rules
from .models import Course, FollowUp, JobFair, Session, Trainee


def parse_days(text: str) -> list[datetime.date]:
    """Session days typed as dates separated by commas or lines, or a range ``2020-10-12 至 2020-10-14``."""
    days: list[datetime.date] = []
    for part in text.replace("，", ",").replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "至" in part or "~" in part:
                start, end = (p.strip() for p in part.replace("~", "至").split("至", 1))
                days += rules.days_between(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
            else:
                days.append(datetime.date.fromisoformat(part))
        except ValueError as exc:
            raise forms.ValidationError(_("日期“%(d)s”格式不正确（应为 2020-10-12）。") % {"d": part}) from exc
    if not days:
        raise forms.ValidationError(_("请填写至少一个培训日。"))
    if len(set(days)) > 31:
        raise forms.ValidationError(_("一个培训班最多31个培训日。"))
    return sorted(set(days))


class SessionForm(ScopedModelForm):
    days = forms.CharField(
        label=_("培训日期"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("多个日期用逗号分隔，或写起止日期：2020-10-12 至 2020-10-14"),
    )

    class Meta:
        model = Session
        fields = ["code", "title", "course", "provider", "trainer", "area", "station", "venue", "capacity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].required = False
        self.fields["area"].help_text = _("在站点举办时可留空（取站点所在地）")
        areas = self.fields["area"].queryset.filter(level__in=("township", "village"))
        if self.programme:
            areas = areas.filter(code__startswith=self.programme.county.code)
        self.fields["area"].queryset = areas.current()
        if self.instance.pk:
            self.initial["days"] = ", ".join(f"{d:%Y-%m-%d}" for d in self.instance.days.values_list("date", flat=True))

    def clean_days(self):
        return parse_days(self.cleaned_data["days"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("area") and not cleaned.get("station"):
            self.add_error("area", _("请选择举办地或举办站点。"))
        elif cleaned.get("station") and not cleaned.get("area"):
            self.instance.area = cleaned["station"].area
        return cleaned


class TraineeForm(PersonForm):
    class Meta:
        model = Trainee
        fields = ["name", "id_number", "phone", "village", "category"]

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("id_number")
        programme = self.instance.programme if self.instance.pk else self.programme
        if number and programme is not None:
            plain = number.reveal() if hasattr(number, "reveal") else number
            twin = Trainee.objects.filter(programme=programme).with_id_number(plain).exclude(pk=self.instance.pk)
            if twin.exists():
                self.add_error("id_number", _("该身份证号的学员已登记（一人一档）。"))
        return cleaned


class CourseForm(ScopedModelForm):
    class Meta:
        model = Course
        fields = ["title", "topic", "level", "mode", "hours", "provider"]


class JobFairForm(ScopedModelForm):
    class Meta:
        model = JobFair
        fields = ["title", "date", "area", "station", "venue"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class FollowUpForm(ScopedModelForm):
    class Meta:
        model = FollowUp
        fields = ["done_on", "opened_shop", "employed", "started_business", "online_sales", "income_change", "notes"]
        widgets = {"done_on": forms.DateInput(attrs={"type": "date"})}


class NoEchoInput(forms.TextInput):
    """An ID number typed on a phone is never sent back in the page (not even to its sender, after an error)."""

    def format_value(self, value):
        return None


class SignInForm(StyledForm):
    """What a trainee types on the phone: name, ID number, optionally phone and village."""

    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("身份证号"), max_length=20, widget=NoEchoInput)
    phone = forms.CharField(label=_("手机号（选填）"), max_length=20, required=False)
    village = forms.TypedChoiceField(label=_("所在村"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("其他/不在列表中"))] + list(villages)
        self.fields["id_number"].widget.attrs.update(autocomplete="off", inputmode="text")
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")

    def clean_id_number(self):
        from cuntong.core.personal import RESIDENT_ID

        return RESIDENT_ID.validate(self.cleaned_data["id_number"])

    def clean_phone(self):
        from cuntong.core.personal import PHONE

        phone = self.cleaned_data["phone"]
        return PHONE.validate(phone) if phone else ""


class ReminderForm(StyledForm):
    note = forms.CharField(label=_("提醒内容"), max_length=200, required=False)
