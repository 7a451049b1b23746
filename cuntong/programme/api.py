import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cuntong.core.public import PublicDeclaration, PublicEndpoint, cached_data
from cuntong.web.api import ScopedModelSerializer, ScopedReadOnlyViewSet

from .kpi import AreaScope, registry
from .models import BudgetAllocation, Phase, Programme, Project, SubItem, Target
from .portal import portal_content


class PhaseSerializer(ScopedModelSerializer):
    class Meta:
        model = Phase
        fields = ["code", "name", "start_date", "end_date", "description"]


class AllocationSerializer(ScopedModelSerializer):
    class Meta:
        model = BudgetAllocation
        fields = ["source", "amount"]


class SubItemSerializer(ScopedModelSerializer):
    class Meta:
        model = SubItem
        fields = ["id", "code", "name", "amount", "source"]


class ProjectSerializer(ScopedModelSerializer):
    allocations = AllocationSerializer(many=True, read_only=True)
    sub_items = SubItemSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "number",
            "category",
            "name",
            "content",
            "due_date",
            "status",
            "lead_unit",
            "cooperating_units",
            "allocations",
            "sub_items",
        ]


class TargetSerializer(ScopedModelSerializer):
    class Meta:
        model = Target
        fields = ["kpi", "name", "comparator", "value", "unit", "year"]


class ProgrammeSerializer(ScopedModelSerializer):
    county = serializers.CharField(source="county.code", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    phases = PhaseSerializer(many=True, read_only=True)
    projects = ProjectSerializer(many=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "county",
            "county_name",
            "batch_year",
            "document_number",
            "issued_on",
            "start_date",
            "end_date",
            "rules",
            "plan_sha256",
            "phases",
            "projects",
            "targets",
        ]


class KpiResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    display = serializers.CharField(help_text="the value as pages and the wall show it, rounded half up")
    numerator = serializers.CharField(allow_null=True)
    denominator = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    scope = serializers.CharField(help_text="the areas the figure covers when it is not the whole county")
    target = serializers.CharField(allow_null=True)
    comparator = serializers.CharField(allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField()
    registered = serializers.BooleanField()


class ProgrammeViewSet(ScopedReadOnlyViewSet):
    """Programmes in the caller's scope with their plan: phases, projects, budget by source, sub-items, targets."""

    model = Programme
    serializer_class = ProgrammeSerializer
    lookup_field = "code"

    def optimise(self, queryset):
        return queryset.select_related("county").prefetch_related(
            "phases",
            "targets",
            Prefetch("projects", queryset=Project.objects.prefetch_related("allocations", "sub_items")),
        )

    @extend_schema(responses=KpiResultSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def kpis(self, request, code=None):
        """Every registered KPI and every plan target, with value and status, over the areas the caller may see."""
        programme = self.get_object()
        return Response([r.as_dict() for r in registry.results(AreaScope(programme, request.user))])


class PublicValuesField(serializers.DictField):
    """Public values as the JSON pages publish them: money and percentages as decimal strings, never floats."""

    def to_representation(self, value):
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


class PortalSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    values = PublicValuesField(help_text="the section's public figures")


class PortalSerializer(serializers.Serializer):
    programme = PublicValuesField(help_text="the programme's public fields (Programme.public_fields)")
    sections = PortalSectionSerializer(many=True)


class PublicPortalViewSet(PublicEndpoint, viewsets.ViewSet):
    """A programme's public portal, for anyone: what ``/public/<code>/`` shows, as JSON."""

    public_declaration = PublicDeclaration(
        name="programme.api.PublicPortalViewSet", reason="the public portal as JSON (same content as the page)"
    )
    lookup_field = "code"

    @extend_schema(
        responses={
            200: PortalSerializer,
            429: OpenApiResponse(OpenApiTypes.OBJECT, description="too many requests from this address (Retry-After)"),
        },
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="the programme's code")],
    )
    def retrieve(self, request, code=None):
        def content():
            programme = get_object_or_404(Programme.objects.select_related("county"), code=code)
            return PortalSerializer(portal_content(programme)).data

        return Response(cached_data(request, self.public_declaration.cache_seconds, content))


ROUTES = [("programmes", ProgrammeViewSet), ("public/portal", PublicPortalViewSet)]
