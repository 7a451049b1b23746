"""OpenAPI descriptions of the API token scheme and of masked personal data."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "cuntong.accounts.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Token <key>"}


class MaskedPersonalData(OpenApiSerializerFieldExtension):
    target_class = "cuntong.web.api.MaskedField"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "readOnly": True,
            "description": "personal data, always masked (445281********1234, 138****5678); "
            "POST …/{id}/reveal/ with a reason returns one value in clear and is logged",
        }
