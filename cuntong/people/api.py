from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cuntong.web.api import ScopedModelSerializer, ScopedReadOnlyViewSet

from . import policies, services
from .models import Resident


class RevealRequestSerializer(serializers.Serializer):
    field = serializers.CharField()
    reason = serializers.CharField(max_length=200)


class RevealResultSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class RevealMixin:
    """``POST …/{id}/reveal/`` with ``field`` and ``reason``: one personal value in clear, logged first."""

    @extend_schema(request=RevealRequestSerializer, responses=RevealResultSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def reveal(self, request, **kwargs):
        obj = self.get_object()
        data = RevealRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        field, reason = data.validated_data["field"], data.validated_data["reason"]
        try:
            value = services.reveal(request.user, obj, field, reason)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise ValidationError({exc.code or "detail": exc.messages}) from exc
        response = Response({"field": field, "value": value})
        response["Cache-Control"] = "no-store"
        return response


class ResidentSerializer(ScopedModelSerializer):
    village_code = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = Resident
        fields = [
            "id",
            "programme",
            "village",
            "village_code",
            "village_name",
            "household_number",
            "relation_to_head",
            "name",
            "id_number",
            "phone",
            "is_labour_capable",
            "is_migrant_worker",
            "poverty_status",
            "lifted_year",
        ]


class LookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=20)


class ResidentViewSet(RevealMixin, ScopedReadOnlyViewSet):
    """The registered-poor roster inside the caller's scope; ID numbers and phones are always masked here."""

    model = Resident
    serializer_class = ResidentSerializer
    filterset_fields = ["village", "poverty_status", "is_labour_capable", "is_migrant_worker"]

    def optimise(self, queryset):
        return queryset.registered().select_related("village")

    @extend_schema(request=LookupSerializer, responses=ResidentSerializer(many=True))
    @action(detail=False, methods=["post"], permission_classes=[permissions.IsAuthenticated], pagination_class=None)
    def lookup(self, request):
        """Find people by ID number (sent in the body, never in a URL), matched through the blind index."""
        if not policies.may_look_up(request.user):
            raise PermissionDenied
        data = LookupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = self.get_queryset().with_id_number(data.validated_data["id_number"])
        return Response(self.get_serializer(found, many=True).data)


ROUTES = [("people/residents", ResidentViewSet)]
