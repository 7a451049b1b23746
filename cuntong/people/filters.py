import django_filters
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedFilterSet
from cuntong.geo.models import Area

from .models import PovertyStatus, Resident


class ResidentFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("姓名"), field_name="name", lookup_expr="contains")
    township = django_filters.ModelChoiceFilter(
        label=_("乡镇"), field_name="village__parent", queryset=Area.objects.filter(level="township")
    )
    poverty_status = django_filters.ChoiceFilter(label=_("贫困状态"), choices=PovertyStatus.choices)
    is_labour_capable = django_filters.BooleanFilter(label=_("有劳动能力"))
    is_migrant_worker = django_filters.BooleanFilter(label=_("外出务工"))

    class Meta:
        model = Resident
        fields = ["q", "township", "poverty_status", "is_labour_capable", "is_migrant_worker"]
