import django_filters
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedFilterSet
from cuntong.geo.models import Area
from cuntong.people.models import Resident

from .models import Category, FollowUp, Level, Session, Topic, Trainee


class SessionFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("名称"), field_name="title", lookup_expr="contains")
    level = django_filters.ChoiceFilter(label=_("层级"), field_name="course__level", choices=Level.choices)
    topic = django_filters.ChoiceFilter(label=_("主题"), field_name="course__topic", choices=Topic.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="start_date__year")

    class Meta:
        model = Session
        fields = ["q", "level", "topic", "year"]


class TraineeFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("姓名"), field_name="name", lookup_expr="contains")
    township = django_filters.ModelChoiceFilter(
        label=_("乡镇"), field_name="village__parent", queryset=Area.objects.filter(level="township")
    )
    category = django_filters.ChoiceFilter(label=_("学员类别"), choices=Category.choices)

    class Meta:
        model = Trainee
        fields = ["q", "township", "category"]


class FollowUpFilter(ScopedFilterSet):
    overdue = django_filters.BooleanFilter(label=_("仅逾期"), method="filter_overdue")
    done = django_filters.BooleanFilter(label=_("已回访"), field_name="done_on", lookup_expr="isnull", exclude=True)

    class Meta:
        model = FollowUp
        fields = ["overdue", "done"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        if value:
            return queryset.filter(done_on__isnull=True, due_date__lt=timezone.localdate())
        return queryset


class UntrainedFilter(ScopedFilterSet):
    township = django_filters.ModelChoiceFilter(
        label=_("乡镇"), field_name="village__parent", queryset=Area.objects.filter(level="township")
    )
    village = django_filters.ModelChoiceFilter(
        label=_("村"),
        field_name="village",
        queryset=Area.objects.filter(level="village", is_provincial_poverty_village=True),
    )

    class Meta:
        model = Resident
        fields = ["township", "village"]
