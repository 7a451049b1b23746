"""``/api/v1/`` endpoints for stations, their events, reports, check-ins, proposals, candidate sites, the network
rule check and coverage. Writes go through the same services as the pages (rules, confirmations, reasons)."""

from __future__ import annotations

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from cuntong.core.importer import RowInvalid
from cuntong.core.importer import month as parse_month
from cuntong.core.money import format_percent, percent
from cuntong.core.scoping import is_permitted
from cuntong.geo.models import Area
from cuntong.programme.kpi import AreaScope
from cuntong.programme.middleware import visible_programmes
from cuntong.web.api import ScopedModelSerializer, ScopedPermission, ScopedReadOnlyViewSet, ScopedViewSet
from cuntong.web.openapi import SingleObjectSchema

from . import kpis, rules, services
from .forms import STATION_FIELDS
from .models import (
    CandidateSite,
    CheckIn,
    ManagementProposal,
    MonthlyReport,
    ReportRevision,
    ReportSource,
    Station,
    StationEvent,
)


@extend_schema_field(OpenApiTypes.STR)
class MonthField(serializers.Field):
    """A reporting month: ``2020-05`` (or any day in it) in, ``2020-05`` out."""

    def to_representation(self, value):
        return f"{value:%Y-%m}"

    def to_internal_value(self, data):
        try:
            value = parse_month(str(data))
        except RowInvalid as exc:
            raise ValidationError(exc.message) from exc
        if value is None:
            raise ValidationError(_("必填"))
        return value


def checked_by_service(serializer, attrs, errors_of):
    """``attrs`` if the record as it would be saved passes the service's own checks (``errors_of``), else a 400
    naming each field — before anything is written."""
    programme = serializer.instance.programme if serializer.instance else serializer.context["request"].programme
    if not programme:
        raise ValidationError(_("您的账号尚未分配到任何示范项目。"))
    probe = copy.copy(serializer.instance) if serializer.instance else serializer.Meta.model(programme=programme)
    for key, value in attrs.items():
        setattr(probe, key, value)
    errors = errors_of(probe)
    if errors:
        raise field_errors(DjangoValidationError(errors))
    return attrs


class StationSerializer(ScopedModelSerializer):
    services = serializers.MultipleChoiceField(choices=list(rules.SERVICE_LABELS.items()), required=False)
    area_code = serializers.CharField(source="area.code", read_only=True)
    operator_phone = serializers.CharField(read_only=True, help_text="masked")
    status = serializers.CharField(read_only=True, help_text="life-cycle status: " + ", ".join(rules.STATUSES))

    class Meta:
        model = Station
        fields = [
            "id",
            "programme",
            *STATION_FIELDS,
            "area_code",
            "status",
            "status_changed_on",
            "opened_on",
            "closed_on",
            "is_benchmark",
            "is_generated",
        ]
        read_only_fields = [
            "programme",
            "status",
            "status_changed_on",
            "opened_on",
            "closed_on",
            "is_benchmark",
            "is_generated",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["services"] = list(instance.services)
        return data

    def validate(self, attrs):
        """The station's particulars as the service will check them (area, position, code), by field; the network
        rules of a move are checked by the service under the programme's lock."""
        if "services" in attrs:
            attrs["services"] = sorted(attrs["services"])
        return checked_by_service(self, attrs, services.station_errors)


def field_errors(exc: DjangoValidationError) -> ValidationError:
    """A model or service ValidationError as DRF's 400: messages by field, ``non_field_errors`` for the rest."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    return ValidationError(
        {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    )


class StationTransitionSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=list(rules.STATUS_LABELS.items()))
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False)
    override = serializers.BooleanField(required=False, default=False)


class StationApiFilter(filters.FilterSet):
    township = filters.CharFilter(field_name="area__code", lookup_expr="startswith", label="township code prefix")
    service = filters.ChoiceFilter(choices=list(rules.SERVICE_LABELS.items()), method="offering")

    class Meta:
        model = Station
        fields = ["level", "status", "is_benchmark", "township", "service"]

    def offering(self, queryset, name, value):
        return queryset.offering(value)


class ActionScopeMixin:
    """Custom actions that find their record by what the caller may view; the service checks the step itself."""

    scoped_action = None

    def get_queryset(self):
        if self.scoped_action:
            queryset = self.model.objects.restrict(self.request.user, self.scoped_action)
            return self.optimise(self.filter_programme(queryset))
        return super().get_queryset()


def _save_in_scope(user, action_name: str, save):
    """Run ``save()`` in a transaction and undo it when the result is outside the caller's scope."""
    with transaction.atomic():
        instance = save()
        if not is_permitted(user, action_name, instance):
            transaction.set_rollback(True)
            raise PermissionDenied(_("该记录超出了您的管辖范围。"))
    return instance


class ServiceSaveMixin:
    """Create and update through the app's service (``save_service``): its permission, scope and rule checks run
    under the programme's lock, and what it refuses answers 400 with field messages."""

    save_service = None

    def perform_create(self, serializer):
        if not self.request.programme:
            raise ValidationError(_("您的账号尚未分配到任何示范项目。"))
        self._save(serializer, "add")

    def perform_update(self, serializer):
        self._save(serializer, "change")

    def _save(self, serializer, action_name: str):
        def save():
            record = serializer.instance or self.model(programme=self.request.programme)
            for key, value in serializer.validated_data.items():
                setattr(record, key, value)
            return self.save_service(record, user=self.request.user)

        try:
            serializer.instance = _save_in_scope(self.request.user, action_name, save)
        except DjangoValidationError as exc:  # what the service refused under the lock (a move breaking the rules)
            raise field_errors(exc) from exc


class StationViewSet(ActionScopeMixin, ServiceSaveMixin, ScopedViewSet):
    """Stations in the caller's scope. Creating one proposes it; status changes go through ``transition``."""

    model = Station
    serializer_class = StationSerializer
    filterset_class = StationApiFilter

    def optimise(self, queryset):
        return queryset.select_related("area")

    save_service = staticmethod(services.save_station)

    @extend_schema(request=StationTransitionSerializer, responses={200: StationSerializer})
    @action(detail=True, methods=["post"], scoped_action="view")
    def transition(self, request, pk=None):
        """One life-cycle step (approve, build, open, probation, eliminate, replace) with its reason."""
        station = self.get_object()
        serializer = StationTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.transition(
                station,
                data["target"],
                user=request.user,
                reason=data["reason"],
                on=data.get("on"),
                override=data["override"],
            )
        except services.RulesBroken as exc:
            return Response({"detail": str(exc), "violations": exc.details}, status=status.HTTP_409_CONFLICT)
        except rules.IllegalTransition as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        station.refresh_from_db()
        return Response(StationSerializer(station, context={"request": request}).data)

    @extend_schema(responses={200: inline_serializer("StationRuleCheck", {"violations": serializers.ListField()})})
    @action(detail=True, methods=["get"], url_path="rule-check", scoped_action="view")
    def rule_check(self, request, pk=None):
        """What approving this station would break (quota, spacing), against the stations holding their place."""
        station = self.get_object()
        broken = services.rule_check_for(station)
        return Response({"violations": services.violations_for(broken, request.user, own=[station.pk])})


class StationEventSerializer(ScopedModelSerializer):
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = StationEvent
        fields = [
            "id",
            "station",
            "from_status",
            "to_status",
            "on",
            "by",
            "reason",
            "override",
            "violations",
            "proposal",
        ]


class StationEventViewSet(ScopedReadOnlyViewSet):
    """Every life-cycle step of the stations in scope."""

    model = StationEvent
    serializer_class = StationEventSerializer
    filterset_fields = ["station", "to_status"]


class StationReportSerializer(ScopedModelSerializer):
    month = MonthField()
    confirm = serializers.BooleanField(write_only=True, required=False, default=False)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "station",
            "month",
            *rules.FIGURE_NAMES,
            "submitted_at",
            "submitted_by",
            "due_on",
            "on_time",
            "source",
            "confirmed_warnings",
            "confirm",
            "reason",
        ]
        read_only_fields = ["submitted_at", "submitted_by", "due_on", "source", "confirmed_warnings"]

    on_time = serializers.BooleanField(read_only=True)
    source = serializers.CharField(read_only=True, help_text="form, import or api")


class ReportNotAccepted(APIException):
    """400 with the findings as they are: errors and warnings by field, and what the caller must add."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "report_refused"

    def __init__(self, refused: services.ReportRefused):
        super().__init__(str(refused))
        self.detail = {
            "detail": str(refused),
            "errors": {e.field: e.message for e in refused.check.errors},
            "warnings": {w.field: w.message for w in refused.check.warnings},
            "needs_confirmation": refused.needs_confirmation,
            "needs_reason": refused.needs_reason,
        }


class ReportViewSet(ScopedViewSet):
    """Monthly reports. Figures out of the usual range need ``confirm: true``; changing a submitted report needs a
    ``reason`` and is kept as a revision."""

    model = MonthlyReport
    serializer_class = StationReportSerializer
    filterset_fields = ["station", "month"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def optimise(self, queryset):
        return queryset.select_related("station")

    def _save(self, serializer, action_name: str):
        serializer.instance = _save_in_scope(self.request.user, action_name, lambda: self._report(serializer))

    def _report(self, serializer) -> MonthlyReport:
        data = serializer.validated_data
        station = data.get("station") or serializer.instance.station
        month = data.get("month") or serializer.instance.month
        if serializer.instance is not None and (
            station != serializer.instance.station or month != serializer.instance.month
        ):
            raise ValidationError(_("不能修改月报的站点或月份。"))
        if not station.is_in_operation and serializer.instance is None:
            raise ValidationError({"station": _("只有运营中的站点需要报送月报。")})
        current = rules.Figures.of(serializer.instance) if serializer.instance else rules.Figures()
        figures = rules.Figures(**{n: data.get(n, getattr(current, n)) for n in rules.FIGURE_NAMES})
        try:
            report, _changed = services.save_report(
                station,
                month,
                figures,
                user=self.request.user,
                confirm=data.get("confirm", False),
                reason=data.get("reason", ""),
                source=ReportSource.API,
            )
        except services.ReportRefused as exc:
            raise ReportNotAccepted(exc) from exc
        return report

    def perform_create(self, serializer):
        self._save(serializer, "add")

    def perform_update(self, serializer):
        self._save(serializer, "change")


class ReportRevisionSerializer(ScopedModelSerializer):
    class Meta:
        model = ReportRevision
        fields = ["id", "report", "changed_by", "reason", "before", "after", "created_at"]


class RevisionViewSet(ScopedReadOnlyViewSet):
    """Changes made to submitted reports: before, after, why, who."""

    model = ReportRevision
    serializer_class = ReportRevisionSerializer
    filterset_fields = ["report"]


class StationCheckInSerializer(ScopedModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", "station", "day", "checked_at", "by", "is_open", "note", "latitude", "longitude", "distance_m"]
        read_only_fields = ["day", "checked_at", "by", "distance_m"]


class CheckInViewSet(ScopedViewSet):
    """Daily check-ins; posting one checks the station in for today (again: updates today's)."""

    model = CheckIn
    serializer_class = StationCheckInSerializer
    filterset_fields = ["station", "day"]
    http_method_names = ["get", "post", "head", "options"]

    def optimise(self, queryset):
        return queryset.select_related("station")

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not data["station"].is_in_operation:
            raise ValidationError({"station": _("只有运营中的站点可以打卡。")})
        serializer.instance = _save_in_scope(
            self.request.user,
            "add",
            lambda: services.check_in(
                data["station"],
                user=self.request.user,
                is_open=data.get("is_open", True),
                note=data.get("note", ""),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
            ),
        )


class ManagementProposalSerializer(ScopedModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending, approved or rejected")

    class Meta:
        model = ManagementProposal
        fields = [
            "id",
            "station",
            "kind",
            "status",
            "basis",
            "replacement_options",
            "decided_by",
            "decided_at",
            "decision_reason",
            "created_at",
        ]


class ProposalDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField()


class ProposalViewSet(ActionScopeMixin, ScopedReadOnlyViewSet):
    """Dynamic-management proposals; the office decides with ``decide``."""

    model = ManagementProposal
    serializer_class = ManagementProposalSerializer
    filterset_fields = ["station", "kind", "status"]

    @extend_schema(request=ProposalDecisionSerializer, responses={200: ManagementProposalSerializer})
    @action(detail=True, methods=["post"], scoped_action="view")
    def decide(self, request, pk=None):
        proposal = self.get_object()
        serializer = ProposalDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            proposal = services.decide_proposal(
                proposal,
                approve=serializer.validated_data["approve"],
                user=request.user,
                reason=serializer.validated_data["reason"],
            )
        except rules.IllegalTransition as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(ManagementProposalSerializer(proposal, context={"request": request}).data)


class CandidateSiteSerializer(ScopedModelSerializer):
    class Meta:
        model = CandidateSite
        fields = ["id", "programme", "village", "name", "latitude", "longitude", "note", "is_generated"]
        read_only_fields = ["programme", "is_generated"]

    def validate(self, attrs):
        """Position (the stations' rule) and a name unique in its village, by field, before anything is written."""
        return checked_by_service(self, attrs, services.candidate_errors)


class CandidateViewSet(ServiceSaveMixin, ScopedViewSet):
    """Candidate sites for new village points (the optimiser's input)."""

    model = CandidateSite
    serializer_class = CandidateSiteSerializer
    filterset_fields = ["village"]

    save_service = staticmethod(services.save_candidate)


def _programme(request):
    code = request.query_params.get("programme")
    programmes = visible_programmes(request.user)
    programme = get_object_or_404(programmes, code=code) if code else request.programme
    if not programme:
        raise ValidationError(_("您的账号尚未分配到任何示范项目。"))
    return programme


class NetworkCheckSerializer(serializers.Serializer):
    programme = serializers.CharField()
    checked = serializers.IntegerField()
    ok = serializers.BooleanField()
    count = serializers.IntegerField()
    results = serializers.ListField(child=serializers.DictField(), help_text="open violations")
    exceptions = serializers.ListField(child=serializers.DictField(), help_text="approved exceptions")


class RuleCheckViewSet(viewsets.ViewSet):
    """The whole-network rule check: ``results`` lists every open violation touching the caller's scope (a township
    without a township station, spacing: both stations and the distance, quota: the area, count and quota) —
    another township's station unnamed — and ``exceptions`` those the office approved, with reason, who and when."""

    model = Station
    permission_classes = [ScopedPermission]
    schema = SingleObjectSchema()

    @extend_schema(
        parameters=[OpenApiParameter("programme", str, description="programme code")],
        responses={200: NetworkCheckSerializer},
    )
    def list(self, request):
        programme = _programme(request)
        report = services.rule_report_for(programme, request.user)
        return Response(
            {
                "programme": programme.code,
                "checked": report.checked,
                "ok": report.ok,
                "count": len(report.open),
                "results": report.open,
                "exceptions": report.exceptions,
            }
        )


class UncoveredAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    provincial_poverty_village = serializers.BooleanField()


class CoverageSerializer(serializers.Serializer):
    programme = serializers.CharField()
    scope = serializers.CharField()
    township_covered = serializers.IntegerField()
    township_total = serializers.IntegerField()
    village_covered = serializers.IntegerField()
    village_total = serializers.IntegerField()
    village_percent = serializers.CharField()
    poverty_covered = serializers.IntegerField()
    poverty_total = serializers.IntegerField()
    benchmark_count = serializers.IntegerField()
    count = serializers.IntegerField()
    results = UncoveredAreaSerializer(many=True)


class CoverageViewSet(viewsets.ViewSet):
    """Coverage of townships, villages and provincial poverty villages by stations in operation; ``results`` lists
    the uncovered townships and villages the caller may see."""

    model = Station
    permission_classes = [ScopedPermission]
    schema = SingleObjectSchema()

    @extend_schema(
        parameters=[OpenApiParameter("programme", str, description="programme code")],
        responses={200: CoverageSerializer},
    )
    def list(self, request):
        scope = AreaScope(_programme(request), request.user)
        figures = kpis.network_coverage(scope)
        cov = figures.coverage
        poverty = set(cov.uncovered_poverty_villages)
        uncovered = (
            Area.objects.restrict(request.user, "view")
            .filter(code__in=[*cov.uncovered_townships, *cov.uncovered_villages])
            .order_by("code")
        )
        results = [
            {"code": a.code, "name": a.name, "level": a.level, "provincial_poverty_village": a.code in poverty}
            for a in uncovered
        ]
        return Response(
            {
                "programme": scope.programme.code,
                "scope": scope.label(Station),
                "township_covered": cov.township_covered,
                "township_total": cov.township_total,
                "village_covered": cov.village_covered,
                "village_total": cov.village_total,
                "village_percent": format_percent(percent(cov.village_covered, cov.village_total)),
                "poverty_covered": cov.poverty_covered,
                "poverty_total": cov.poverty_total,
                "benchmark_count": figures.benchmark_count,
                "count": len(results),
                "results": results,
            }
        )


ROUTES = [
    ("stations", StationViewSet),
    ("station-events", StationEventViewSet),
    ("station-reports", ReportViewSet),
    ("station-report-revisions", RevisionViewSet),
    ("station-checkins", CheckInViewSet),
    ("station-proposals", ProposalViewSet),
    ("station-candidates", CandidateViewSet),
    ("station-rule-check", RuleCheckViewSet),
    ("station-coverage", CoverageViewSet),
]
