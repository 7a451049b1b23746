"""API pagination (``DEFAULT_PAGINATION_CLASS``); apart from ``core.api`` because DRF imports it while loading views."""

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class Pagination(pagination.LimitOffsetPagination):
    """``?limit=&offset=``; a negative or non-numeric value is a 400, not silently replaced by the default."""

    def get_limit(self, request):
        self._require_non_negative(request, self.limit_query_param)
        return super().get_limit(request)

    def get_offset(self, request):
        self._require_non_negative(request, self.offset_query_param)
        return super().get_offset(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 0
        return parameters

    @staticmethod
    def _require_non_negative(request, name: str) -> None:
        value = request.query_params.get(name, "")
        if value and not value.isdigit():
            raise ValidationError({name: [_("须为不小于 0 的整数。")]})
