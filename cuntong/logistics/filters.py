import django_filters
from django.utils.translation import gettext_lazy as _

from cuntong.core.forms import ScopedFilterSet
from cuntong.core.importer import RowInvalid, month
from cuntong.geo.models import Area

from .models import Carrier, ExpressVolume, Parcel, ParcelStatus, PriceSample, Zone


class VolumeFilter(ScopedFilterSet):
    month = django_filters.CharFilter(label=_("月份（如 2020-05）"), method="in_month")
    township = django_filters.ModelChoiceFilter(
        label=_("乡镇"), queryset=Area.objects.filter(level="township", valid_to__isnull=True)
    )
    carrier = django_filters.ModelChoiceFilter(label=_("快递公司"), queryset=Carrier.objects.all())

    class Meta:
        model = ExpressVolume
        fields = ["month", "township", "carrier"]

    def in_month(self, queryset, name, value):
        try:
            day = month(value)
        except RowInvalid:
            return queryset.none()
        return queryset.filter(month=day) if day else queryset


class ParcelFilter(ScopedFilterSet):
    waybill = django_filters.CharFilter(label=_("运单号"), lookup_expr="startswith")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ParcelStatus.choices)
    carrier = django_filters.ModelChoiceFilter(label=_("快递公司"), queryset=Carrier.objects.all())

    class Meta:
        model = Parcel
        fields = ["waybill", "status", "carrier"]


class PriceFilter(ScopedFilterSet):
    carrier = django_filters.ModelChoiceFilter(label=_("快递公司"), queryset=Carrier.objects.all())
    zone = django_filters.ChoiceFilter(label=_("目的地区域"), choices=Zone.choices)

    class Meta:
        model = PriceSample
        fields = ["carrier", "zone"]
