"""API pagination (``DEFAULT_PAGINATION_CLASS``); apart from ``web.api`` because DRF imports it while loading views."""

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_OFFSET = 10**9  # past any real table; larger numbers overflow the database's integers


class Pagination(pagination.LimitOffsetPagination):
    """``?limit=&offset=``; a negative, non-numeric or absurd value is a 400, not silently replaced by the default;
    a page holds at most ``max_limit`` rows."""

    max_limit = 1000

    def get_limit(self, request):
        self._require_non_negative(request, self.limit_query_param)
        return super().get_limit(request)

    def get_offset(self, request):
        self._require_non_negative(request, self.offset_query_param)
        offset = super().get_offset(request)
        if offset > MAX_OFFSET:
            raise ValidationError({self.offset_query_param: [_("超出了记录范围。")]})
        return offset

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 0
            if parameter["name"] == self.offset_query_param:
                parameter["schema"]["maximum"] = MAX_OFFSET
        return parameters

    @staticmethod
    def _require_non_negative(request, name: str) -> None:
        value = request.query_params.get(name, "")
        if value and not value.isdigit():
            raise ValidationError({name: [_("须为不小于 0 的整数。")]})
