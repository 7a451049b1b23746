"""Forms whose choices are scoped: a township clerk can only pick villages and stations of their township."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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


def programme_condition(model, programme) -> Q | None:
    """What keeps ``model``'s records to one programme: its programme path, else (areas, users) an area inside the
    programme's county or one of the county's ancestors (a province membership serves every county). None: neither."""
    scope = getattr(model, "scope", None)
    if scope is None or not programme:  # `not`: the request's lazy programme may wrap None
        return None
    if scope.programme is not None:
        return Q(**{scope.programme or "pk": programme.pk})
    if scope.area is None:
        return None
    code = programme.county.code
    area_code = f"{scope.area}__code" if scope.area else "code"
    ancestors = [code[:length] for length in (2, 4) if length < len(code)]
    return Q(**{f"{area_code}__startswith": code}) | Q(**{f"{area_code}__in": ancestors})


def narrow_choices(queryset, user, programme):
    """A choice list as its reader may use it: records ``user`` may view, of the current ``programme`` only.

    Without the programme a province-level reader's lists held every county's stations and townships (22,000
    options on one page); with it a list holds what the page's records can refer to."""
    if not isinstance(queryset, RestrictedQuerySet) or user is None:
        return queryset
    narrowed = queryset.restrict(user, "view")
    condition = programme_condition(queryset.model, programme)
    if condition is not None:
        narrowed = narrowed.filter(condition)
        if queryset.model.scope.spans_many:
            narrowed = narrowed.distinct()
    return narrowed


def search_choices(queryset, text: str):
    """Choices matching ``text``: the queryset's own ``search`` (areas: name, pinyin, initials, code), else the
    model's name-like fields (contains) and code (starts with)."""
    text = (text or "").strip()
    if not text:
        return queryset
    if hasattr(queryset, "search"):
        return queryset.search(text)
    names = {field.name for field in queryset.model._meta.get_fields()}
    condition = Q()
    for field in ("name", "short_name", "display_name", "username"):
        if field in names:
            condition |= Q(**{f"{field}__icontains": text})
    if "code" in names:
        condition |= Q(code__istartswith=text)
    if not condition:
        return queryset.none()
    return queryset.filter(condition)


def empty_label(found: int, searched: bool) -> str:
    """The first option of a searching select: what to do next, or how many records matched."""
    if not searched:
        return _("（在上方输入以搜索）")
    return (
        ngettext("（%(count)d 个匹配，请选择）", "（%(count)d 个匹配，请选择）", found) % {"count": found}
        if found
        else _("（没有匹配）")
    )


class AutocompleteSelect(forms.Select):
    """A select that lists its choices when they are few and searches them when they are many.

    Up to ``list_limit`` choices it is a plain select (one query, as before). Beyond, it renders a search box and a
    select holding only the chosen record and the matches of the search: typing asks ``web:choices`` for matching
    options (htmx); without JavaScript the search text is submitted with the form and the page comes back with the
    matches in the select. The endpoint builds the same form for the same user and programme, so it offers exactly
    the choices the form would accept."""

    template_name = "core/widgets/autocomplete.html"
    list_limit = 100
    match_limit = 20

    def __init__(self, source: str, field: str, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.source = source
        self.field_name = field
        self.search_text = ""

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.search_text = ""
        return copied

    def rows(self, selected: list[str]) -> tuple[bool, list]:
        """(searching, the records to offer): all of them when few, else the chosen ones and the matches."""
        queryset = self.choices.queryset
        first = list(queryset[: self.list_limit + 1])
        if len(first) <= self.list_limit:
            return False, first
        key = self.choices.field.to_field_name or "pk"
        chosen = [value for value in selected if value not in ("", None)]
        try:
            rows = list(queryset.filter(**{f"{key}__in": chosen})) if chosen else []
        except (ValueError, ValidationError):  # a hand-made value the form will refuse anyway
            rows = []
        if self.search_text:
            seen = {row.pk for row in rows}
            rows += [
                row for row in search_choices(queryset, self.search_text)[: self.match_limit] if row.pk not in seen
            ]
        return True, rows

    def optgroups(self, name, value, attrs=None):
        iterator = self.choices
        if not hasattr(iterator, "queryset"):
            return super().optgroups(name, value, attrs)
        self.searching, rows = self.rows([str(v) for v in value])
        empty = getattr(iterator.field, "empty_label", None)
        if self.searching and empty is not None:
            empty = empty_label(len(rows), bool(self.search_text))
        self.choices = ([("", empty)] if empty is not None else []) + [iterator.choice(row) for row in rows]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = iterator

    def get_context(self, name, value, attrs):
        self.searching = False
        context = super().get_context(name, value, attrs)  # optgroups decides whether this is a search
        css = self.attrs.get("class", "")
        context["widget"].update(
            searching=self.searching,
            search_name=f"{name}_q",
            search_text=self.search_text,
            search_class="form-control form-control-sm" if "-sm" in css else "form-control",
            url=reverse("web:choices", args=[self.source, self.field_name]),
        )
        return context


_SOURCES: dict[str, type] = {}


def choice_source(key: str):
    """The form or filter set registered as ``key`` (its dotted path), or None."""
    return _SOURCES.get(key)


def _register(cls) -> None:
    _SOURCES[f"{cls.__module__}.{cls.__qualname__}"] = cls


def scope_choices(form: forms.BaseForm, user, programme, source: str) -> None:
    """Every model choice of ``form`` narrowed to ``user`` and ``programme``; single choices of a scoped model search
    when they are many (``AutocompleteSelect``)."""
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if not isinstance(queryset, RestrictedQuerySet):
            continue
        field.queryset = narrow_choices(queryset, user, programme)
        if type(field.widget) is forms.Select and isinstance(field, forms.ModelChoiceField):
            widget = AutocompleteSelect(source, name, attrs=dict(field.widget.attrs))
            widget.choices = field.choices
            widget.is_required = field.widget.is_required
            field.widget = widget
        if isinstance(field.widget, AutocompleteSelect) and form.data:
            field.widget.search_text = str(form.data.get(f"{form.add_prefix(name)}_q", "") or "").strip()[:64]


class ScopedFilterSet(django_filters.FilterSet):
    """List-page filters: compact Bootstrap widgets, choices restricted to the reader and the current programme."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _register(cls)

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.form.compact = True
        scope_choices(
            self.form,
            getattr(request, "user", None),
            getattr(request, "programme", None),
            f"{type(self).__module__}.{type(self).__qualname__}",
        )
        style_widgets(self.form)

    @classmethod
    def for_choices(cls, request):
        """An unbound instance for ``request``'s user and programme: what the choices endpoint searches."""
        return cls(None, queryset=cls._meta.model.objects.none(), request=request).form


class ScopedModelForm(forms.ModelForm):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _register(cls)

    def __init__(self, *args, user=None, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.programme = programme
        scope_choices(self, user, programme, f"{type(self).__module__}.{type(self).__qualname__}")
        style_widgets(self)
        # Stored personal data is never sent back to the browser: the field shows its masked form as a placeholder
        # and a blank submission keeps the stored value.
        self._kept_personal = {}
        for name, field in self.fields.items():
            stored = getattr(self.instance, name, None) if self.instance.pk else None
            if isinstance(field, PersonalFormField) and stored:
                field.required = False
                field.widget.attrs["placeholder"] = str(stored)
                self._kept_personal[name] = stored

    @classmethod
    def for_choices(cls, request):
        """An unbound form for ``request``'s user and programme: what the choices endpoint searches."""
        return cls(user=request.user, programme=request.programme)

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
