from django_filters import rest_framework as filters
from rest_framework import serializers

from cuntong.web.api import ScopedModelSerializer, ScopedReadOnlyViewSet

from .models import Area


class AreaSerializer(ScopedModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "level",
            "kind",
            "parent",
            "parent_code",
            "population",
            "poor_labour_count",
            "is_provincial_poverty_village",
            "latitude",
            "longitude",
            "valid_from",
            "valid_to",
            "is_generated",
        ]


class AreaApiFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label="name, pinyin, initials or code")
    within = filters.CharFilter(field_name="code", lookup_expr="startswith", label="code prefix")

    class Meta:
        model = Area
        fields = ["level", "kind", "is_provincial_poverty_village", "q", "within"]

    def search(self, queryset, name, value):
        return queryset.search(value)


class AreaViewSet(ScopedReadOnlyViewSet):
    """Administrative areas inside the caller's scope; search by Chinese name or pinyin (initials too)."""

    model = Area
    serializer_class = AreaSerializer
    filterset_class = AreaApiFilter

    def optimise(self, queryset):
        return queryset.current().select_related("parent")


ROUTES = [("areas", AreaViewSet)]
