import django_filters
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedFilterSet

from .models import Area, Level


class AreaFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索（名称、拼音、首字母、代码）"), method="search")
    level = django_filters.ChoiceFilter(label=_("层级"), choices=Level.choices)
    parent = django_filters.CharFilter(label=_("上级代码"), field_name="code", lookup_expr="startswith")
    is_provincial_poverty_village = django_filters.BooleanFilter(label=_("省定贫困村"))

    class Meta:
        model = Area
        fields = ["q", "level", "parent", "is_provincial_poverty_village"]

    def search(self, queryset, name, value):
        return queryset.search(value)
