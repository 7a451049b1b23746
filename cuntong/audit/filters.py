import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedFilterSet

from .changelog import is_tracked
from .models import ChangeRecord, SecurityEvent

DATE = forms.DateInput(attrs={"type": "date"})


class _PeriodFilterSet(ScopedFilterSet):
    date_from = django_filters.DateFilter(label=_("起始日期"), field_name="time", lookup_expr="date__gte", widget=DATE)
    date_to = django_filters.DateFilter(label=_("截止日期"), field_name="time", lookup_expr="date__lte", widget=DATE)


class SecurityEventFilter(_PeriodFilterSet):
    kind = django_filters.ChoiceFilter(label=_("事件"), choices=SecurityEvent.Kind.choices)
    username = django_filters.CharFilter(label=_("用户名"), field_name="username", lookup_expr="iexact")

    class Meta:
        model = SecurityEvent
        fields = ["kind", "username", "date_from", "date_to"]


def tracked_types(request=None):
    """Content types of the models whose changes are recorded."""
    ids = [ct.pk for ct in ContentType.objects.all() if ct.model_class() and is_tracked(ct.model_class())]
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


class ChangeRecordFilter(_PeriodFilterSet):
    content_type = django_filters.ModelChoiceFilter(label=_("对象类型"), queryset=tracked_types)
    object_id = django_filters.CharFilter(label=_("对象编号"), field_name="object_id")
    user_name = django_filters.CharFilter(label=_("操作人"), field_name="user_name", lookup_expr="iexact")
    action = django_filters.ChoiceFilter(label=_("操作"), choices=ChangeRecord.Action.choices)

    class Meta:
        model = ChangeRecord
        fields = ["content_type", "object_id", "user_name", "action", "date_from", "date_to"]
