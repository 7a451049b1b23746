import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedFilterSet
from cuntong.core.importer import RowInvalid, month
from cuntong.geo.models import Area

from . import rules
from .models import (
    CandidateSite,
    CheckIn,
    Level,
    ManagementProposal,
    MonthlyReport,
    ProposalKind,
    ProposalStatus,
    Station,
    Status,
)


class TownshipFilter(django_filters.ModelChoiceFilter):
    """The township-level units in the viewer's scope; ``path`` leads from the record to the served area."""

    def __init__(self, path: str = "area", **kwargs):
        self.path = path
        kwargs.setdefault("label", _("乡镇"))
        kwargs.setdefault("queryset", Area.objects.filter(level="township", valid_to__isnull=True))
        super().__init__(method=self.narrow, **kwargs)

    def narrow(self, queryset, name, value):
        return queryset.filter(**{f"{self.path}__code__startswith": value.code}) if value else queryset


class StationFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索（名称、编号、站长）"), method="search")
    township = TownshipFilter()
    level = django_filters.ChoiceFilter(label=_("层级"), choices=Level.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices)
    service = django_filters.ChoiceFilter(
        label=_("服务项目"), choices=list(rules.SERVICE_LABELS.items()), method="offering"
    )
    is_benchmark = django_filters.BooleanFilter(label=_("标杆站点"))

    class Meta:
        model = Station
        fields = ["q", "township", "level", "status", "service", "is_benchmark"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(code__startswith=value) | Q(operator_name__contains=value))

    def offering(self, queryset, name, value):
        return queryset.offering(value)


class MonthFilter(django_filters.CharFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("月份（2020-05）"))
        super().__init__(method=self.in_month, **kwargs)

    def in_month(self, queryset, name, value):
        try:
            first = month(value)
        except RowInvalid:
            return queryset.none()
        return queryset.filter(month=first) if first else queryset


class StationRecordFilter(ScopedFilterSet):
    """Records of a station (reports, check-ins): by township and by station, both within the viewer's scope."""

    township = TownshipFilter("station__area")
    station = django_filters.ModelChoiceFilter(label=_("站点"), queryset=Station.objects.all())


class ReportFilter(StationRecordFilter):
    month = MonthFilter()

    class Meta:
        model = MonthlyReport
        fields = ["month", "township", "station"]


class CheckInFilter(StationRecordFilter):
    day = django_filters.DateFilter(label=_("日期"))

    class Meta:
        model = CheckIn
        fields = ["day", "township", "station"]


class ProposalFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ProposalStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("建议"), choices=ProposalKind.choices)
    township = TownshipFilter("station__area")

    class Meta:
        model = ManagementProposal
        fields = ["status", "kind", "township"]


class CandidateFilter(ScopedFilterSet):
    township = TownshipFilter("village")

    class Meta:
        model = CandidateSite
        fields = ["township"]
