"""OpenAPI post-processing: every operation documents the error answers DRF gives it.

Every endpoint needs a login (401), is scoped by role and area (403, 404 outside the caller's scope) and validates
its input (400). drf-spectacular documents only the success answer, so clients and schemathesis would otherwise
meet answers the schema never mentions.
"""

from drf_spectacular.openapi import AutoSchema

ERROR_RESPONSES = {
    "400": ("请求内容有误：字段错误按字段名列出", "ValidationError"),
    "401": ("未登录或令牌无效", "ErrorDetail"),
    "403": ("无权进行此操作", "ErrorDetail"),
    "404": ("记录不存在或不在您的范围内", "ErrorDetail"),
}

SCHEMAS = {
    "ErrorDetail": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    # Field errors ({"name": ["…"]}), rule errors ({"non_field_errors": ["…"]}), a single {"detail": "…"}, or a
    # service's structured refusal (a report's errors and warnings with flags).
    "ValidationError": {"type": "object", "additionalProperties": {}},
}


class SingleObjectSchema(AutoSchema):
    """For a ``list`` that answers one summary object (a report with its ``results``), not a list of records:
    drf-spectacular would otherwise describe every ``list`` as an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


HTTP_METHODS = {"get", "put", "patch", "post", "delete", "head", "options", "trace"}


def document_error_responses(result, generator, request, public):
    """Add 400/401/403/404 to every operation that does not describe them itself."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in SCHEMAS.items():
        components.setdefault(name, schema)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, (description, schema_name) in ERROR_RESPONSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
                    },
                )
    return result
