"""The audit trail over the API: read-only (GET only), scoped like the pages."""

from django_filters import rest_framework as filters
from rest_framework import serializers

from cuntong.web.api import ScopedReadOnlyViewSet

from .models import ChangeRecord, SecurityEvent


class SecurityEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SecurityEvent
        fields = ["id", "time", "kind", "username", "address", "area", "object_id", "object_repr", "reason", "detail"]


class PeriodFilter(filters.FilterSet):
    since = filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte")
    until = filters.IsoDateTimeFilter(field_name="time", lookup_expr="lt")


class SecurityEventFilter(PeriodFilter):
    class Meta:
        model = SecurityEvent
        fields = ["kind", "username", "since", "until"]


class SecurityEventViewSet(ScopedReadOnlyViewSet):
    """Logins, failures, lockouts, unlocks, permission changes, exports and reveals of personal data."""

    model = SecurityEvent
    serializer_class = SecurityEventSerializer
    filterset_class = SecurityEventFilter


class ChangeRecordSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="content_type.model", read_only=True)
    app_label = serializers.CharField(source="content_type.app_label", read_only=True)

    class Meta:
        model = ChangeRecord
        fields = [
            "id",
            "time",
            "user_name",
            "address",
            "via",
            "action",
            "app_label",
            "model",
            "object_id",
            "object_repr",
            "before",
            "after",
        ]


class ChangeRecordFilter(PeriodFilter):
    class Meta:
        model = ChangeRecord
        fields = ["action", "user_name", "object_id", "since", "until"]


class ChangeRecordViewSet(ScopedReadOnlyViewSet):
    """Who changed which record when, with the values before and after (personal data masked)."""

    model = ChangeRecord
    serializer_class = ChangeRecordSerializer
    filterset_class = ChangeRecordFilter

    def optimise(self, queryset):
        return queryset.select_related("content_type")


ROUTES = [("audit/events", SecurityEventViewSet), ("audit/changes", ChangeRecordViewSet)]
