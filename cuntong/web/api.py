"""The API pattern every module follows: DRF viewsets over restricted querysets.

Reads start from ``restrict(user, "view")``; writes check the model permission, run in a transaction and are
undone when the saved record falls outside the caller's scope — the same rules as the pages. A rule refusal raised
as Django's ``ValidationError`` anywhere below a view (model ``clean``, a service) answers 400 with its messages.
"""

import copy

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from cuntong.core import freshness
from cuntong.core.personal import PersonalValue
from cuntong.core.scoping import is_permitted, permission_name
from cuntong.web.views import StillReferenced, delete_record

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def action_for(request) -> str:
    return METHOD_ACTIONS.get(request.method, "view")


def exception_handler(exc, context):
    """DRF's handler, with Django validation errors as 400 ``{field: [messages]}`` instead of a 500."""
    if isinstance(exc, DjangoValidationError):
        errors = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in errors:  # Django's "__all__" is DRF's "non_field_errors"
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
        exc = ValidationError(errors)
    return drf_exception_handler(exc, context)


def bad_request(request, exception=None):
    """Django's 400 for requests refused before any view (too many fields, a bad host): JSON under /api/ (every
    answer the schema documents is JSON), the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("请求无效。")}, status=400)
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    """Django's 404 for paths no route matches: JSON under /api/ (as the schema documents), the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return defaults.page_not_found(request, exception)


class ScopedPermission(permissions.BasePermission):
    """The model permission for the request's action; object access is settled by the restricted queryset."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        model = getattr(view, "model", None) or getattr(getattr(view, "queryset", None), "model", None)
        if model is None:
            return True
        return request.user.has_perm(
            permission_name(model, getattr(view, "scoped_action", None) or action_for(request))
        )


class ProgrammeFilterMixin:
    """``?programme=puning-2019`` narrows to one programme; without it, every programme in the caller's scope."""

    def filter_programme(self, queryset):
        code = self.request.query_params.get("programme")
        path = queryset.model.scope.programme
        if not code or path is None:
            return queryset
        return queryset.filter(**{f"{path}__code" if path else "code": code})


class ScopedViewSet(ProgrammeFilterMixin, viewsets.ModelViewSet):
    model = None
    permission_classes = [ScopedPermission]

    def get_queryset(self):
        queryset = self.model.objects.restrict(self.request.user, action_for(self.request))
        return self.optimise(self.filter_programme(queryset))

    def optimise(self, queryset):
        return queryset

    def _check_constraints(self, serializer, extra: dict) -> None:
        """The model's unique and check constraints, checked before writing, so a clash is a 400 naming the field
        rather than an IntegrityError (500). Fields the caller cannot write (the programme) are included."""
        names = {f.name for f in self.model._meta.concrete_fields}
        values = {k: v for k, v in {**serializer.validated_data, **extra}.items() if k in names}
        if serializer.instance is None:
            probe = self.model(**values)
        else:
            probe = copy.copy(serializer.instance)
            for name, value in values.items():
                setattr(probe, name, value)
        probe.validate_unique()
        probe.validate_constraints()

    def _save_in_scope(self, serializer, action: str, **extra):
        self._check_constraints(serializer, extra)
        with transaction.atomic():
            instance = serializer.save(**extra)
            if not is_permitted(self.request.user, action, instance):
                transaction.set_rollback(True)
                raise PermissionDenied(_("该记录超出了您的管辖范围。"))
            freshness.bump_for(instance, self.request)
        return instance

    def perform_create(self, serializer):
        extra = {}
        try:
            self.model._meta.get_field("programme")
            if "programme" not in serializer.validated_data and self.request.programme:
                extra["programme"] = self.request.programme
        except FieldDoesNotExist:
            pass
        self._save_in_scope(serializer, "add", **extra)

    def perform_update(self, serializer):
        self._save_in_scope(serializer, "change")

    def perform_destroy(self, instance):
        try:
            delete_record(instance, self.request)
        except StillReferenced as exc:
            raise ValidationError({"detail": str(exc)}) from exc


class ScopedReadOnlyViewSet(ProgrammeFilterMixin, viewsets.ReadOnlyModelViewSet):
    model = None
    permission_classes = [ScopedPermission]

    def get_queryset(self):
        return self.optimise(self.filter_programme(self.model.objects.restrict(self.request.user, "view")))

    def optimise(self, queryset):
        return queryset


class MaskedField(serializers.Field):
    """Personal data in API responses: always the masked form; revealing is a separate, logged endpoint."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(value) if isinstance(value, PersonalValue) else (value or "")


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Related records a caller may reference: only those inside their scope."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "restrict"):
            queryset = queryset.restrict(request.user, "view")
        return queryset


class ScopedModelSerializer(serializers.ModelSerializer):
    """Related fields accept only in-scope records; personal data serialises masked."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    def build_standard_field(self, field_name, model_field):
        from cuntong.core.fields import EncryptedPersonalField

        if isinstance(model_field, EncryptedPersonalField):
            return MaskedField, {}
        return super().build_standard_field(field_name, model_field)
