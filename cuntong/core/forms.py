"""Forms whose choices are scoped: a township clerk can only pick villages and stations of their township."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import PersonalFormField
from .importer import limit, megabytes
from .scoping import RestrictedQuerySet


def style_widgets(form: forms.BaseForm) -> forms.BaseForm:
    """Bootstrap classes on every widget, so one form template serves all forms."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select form-select-sm" if getattr(form, "compact", False) else "form-select"
        else:
            css = "form-control form-control-sm" if getattr(form, "compact", False) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class ScopedFilterSet(django_filters.FilterSet):
    """List-page filters: compact Bootstrap widgets, choices restricted like any scoped form."""

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.form.compact = True
        style_widgets(self.form)
        user = getattr(request, "user", None)
        for field in self.form.fields.values():
            choices = getattr(field, "queryset", None)
            if isinstance(choices, RestrictedQuerySet) and user is not None:
                field.queryset = choices.restrict(user, "view")


class ScopedModelForm(forms.ModelForm):
    def __init__(self, *args, user=None, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.programme = programme
        style_widgets(self)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, RestrictedQuerySet) and user is not None:
                field.queryset = queryset.restrict(user, "view").in_programme(programme)
        # Stored personal data is never sent back to the browser: the field shows its masked form as a placeholder
        # and a blank submission keeps the stored value.
        self._kept_personal = {}
        for name, field in self.fields.items():
            stored = getattr(self.instance, name, None) if self.instance.pk else None
            if isinstance(field, PersonalFormField) and stored:
                field.required = False
                field.widget.attrs["placeholder"] = str(stored)
                self._kept_personal[name] = stored

    def clean(self):
        cleaned = super().clean()
        for name, stored in self._kept_personal.items():
            if not cleaned.get(name) and name not in self.errors:
                cleaned[name] = stored
        return cleaned


class ImportForm(StyledForm):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
    valid_only = forms.BooleanField(label=_("仅导入无错误的行（默认：有任何错误则全部不导入）"), required=False)
    check_only = forms.BooleanField(label=_("只检查，不写入"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件。"))
        most = limit("IMPORT_MAX_UPLOAD_BYTES")
        if upload.size > most:
            raise forms.ValidationError(
                _("文件有 %(size)s，超过了 %(limit)s 的上限：请分成几个文件导入。")
                % {"size": megabytes(upload.size), "limit": megabytes(most)}
            )
        return upload
