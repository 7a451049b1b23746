from django import forms
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedModelForm, StyledForm

from . import rules, services
from .models import Resident


class PersonForm(ScopedModelForm):
    """A form about a person of the county (the roster's residents, training's trainees): the village choice holds
    the programme's county's current villages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        villages = self.fields["village"].queryset.filter(level="village")
        if self.programme:
            villages = villages.filter(code__startswith=self.programme.county.code)
        self.fields["village"].queryset = villages.current().select_related("parent")


class ResidentForm(PersonForm):
    class Meta:
        model = Resident
        fields = [
            "name",
            "id_number",
            "village",
            "household_number",
            "relation_to_head",
            "phone",
            "is_labour_capable",
            "is_migrant_worker",
            "poverty_status",
            "lifted_year",
        ]

    def clean(self):
        cleaned = super().clean()
        id_number = cleaned.get("id_number")
        programme = self.instance.programme if self.instance.pk else self.programme
        if id_number and programme is not None:
            plain = id_number.reveal() if hasattr(id_number, "reveal") else id_number
            duplicate = services.duplicate_of(programme, plain, exclude_pk=self.instance.pk)
            if duplicate is not None:
                self.add_error("id_number", _("该身份证号已在名册中（记录编号 %(pk)d）。") % {"pk": duplicate.pk})
        if cleaned.get("lifted_year") and cleaned.get("poverty_status") != "lifted":
            self.add_error("lifted_year", _("只有已脱贫人员才填写脱贫年度。"))
        return cleaned


class LookupForm(StyledForm):
    """Find a person by ID number without the number ever appearing in a URL (and so in access logs)."""

    compact = True
    id_number = forms.CharField(label=_("按身份证号查找"), max_length=20)


class RevealForm(StyledForm):
    reason = forms.CharField(
        label=_("查看事由"),
        max_length=200,
        help_text=_("例如：核实培训报名身份、办理帮扶事项。事由将记入安全日志。"),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        error = rules.reveal_reason_error(reason)
        if error:
            raise forms.ValidationError(error)
        return reason.strip()
