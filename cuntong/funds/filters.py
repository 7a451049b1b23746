"""Search and filters of the fund lists (the same filters feed the XLSX exports)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuntong.accounts.models import Organisation
from cuntong.core import claims
from cuntong.core.forms import ScopedFilterSet
from cuntong.programme.models import FundSource, Project

from .models import Appeal, Contract, DisbursementRequest, LedgerEntry, LedgerEvent, SubsidyLine


def _date(label, field: str, lookup: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label, field_name=field, lookup_expr=lookup, widget=forms.DateInput(attrs={"type": "date"})
    )


def _projects(request):
    programme = getattr(request, "programme", None)
    return Project.objects.filter(programme=programme) if programme else Project.objects.none()


def _contractors(request):
    return Organisation.objects.filter(kind=Organisation.Kind.CONTRACTOR)


def _code_or_text(queryset, value, fields):
    """``BF2020-00012``/``SS-00003``/``12`` find a record by number; anything else searches the text fields."""
    value = (value or "").strip()
    if not value:
        return queryset
    digits = value.rsplit("-", 1)[-1]
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": value})
    if digits.isdigit():
        condition |= Q(pk=int(digits))
    return queryset.filter(condition)


class RequestFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索（编号、用途、收款单位）"), method="search")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=DisbursementRequest.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=DisbursementRequest.Kind.choices)
    source = django_filters.ChoiceFilter(
        label=_("资金来源"), field_name="allocation__source", choices=FundSource.choices
    )
    project = django_filters.ModelChoiceFilter(label=_("项目"), field_name="allocation__project", queryset=_projects)
    contractor = django_filters.ModelChoiceFilter(
        label=_("承办单位"), field_name="contract__contractor", queryset=_contractors
    )
    submitted_from = _date(_("提交日期自"), "submitted_at", "date__gte")
    submitted_to = _date(_("提交日期至"), "submitted_at", "date__lte")

    class Meta:
        model = DisbursementRequest
        fields = ["q", "status", "kind", "source", "project", "contractor", "submitted_from", "submitted_to"]

    def search(self, queryset, name, value):
        return _code_or_text(queryset, value, ("purpose", "payee", "voucher_number"))


class ContractFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索（编号、名称、交付内容）"), method="search")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Contract.Status.choices)
    source = django_filters.ChoiceFilter(
        label=_("资金来源"), field_name="allocation__source", choices=FundSource.choices
    )
    project = django_filters.ModelChoiceFilter(label=_("项目"), field_name="allocation__project", queryset=_projects)
    contractor = django_filters.ModelChoiceFilter(label=_("承办单位"), queryset=_contractors)

    class Meta:
        model = Contract
        fields = ["q", "status", "source", "project", "contractor"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(deliverables__icontains=value)
        )


class AppealFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索（编号、申诉人、事由）"), method="search")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Appeal.Status.choices)
    overdue = django_filters.BooleanFilter(label=_("已超期未办结"), method="filter_overdue")

    class Meta:
        model = Appeal
        fields = ["q", "status", "overdue"]

    def search(self, queryset, name, value):
        return _code_or_text(queryset, value, ("appellant", "grounds"))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=Appeal.Status.values[:2], deadline__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class LedgerFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索（对象、操作人、哈希）"), method="search")
    event = django_filters.ChoiceFilter(label=_("事件"), choices=LedgerEvent.choices)
    time_from = _date(_("日期自"), "time", "date__gte")
    time_to = _date(_("日期至"), "time", "date__lte")

    class Meta:
        model = LedgerEntry
        fields = ["q", "event", "time_from", "time_to"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        condition = (
            Q(subject_repr__icontains=value) | Q(actor_name__icontains=value) | Q(hash__startswith=value.lower())
        )
        if value.isdigit():
            condition |= Q(seq=int(value))
        return queryset.filter(condition)


def _claim_sources():
    return [(source.code, source.label) for source in claims.sources()]


def _claim_reasons():
    """The reason codes every registered source's rule gives, each once."""
    reasons = {}
    for source in claims.sources():
        for code, label in source.reasons.items():
            reasons.setdefault(code, label)
    return list(reasons.items())


class SubsidyLineFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("申领对象"), field_name="subject_name", lookup_expr="icontains")
    source = django_filters.ChoiceFilter(label=_("申领来源"), field_name="batch__claim_source", choices=_claim_sources)
    reason_code = django_filters.ChoiceFilter(label=_("结果"), choices=_claim_reasons)

    class Meta:
        model = SubsidyLine
        fields = ["q", "source", "reason_code"]
