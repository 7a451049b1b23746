from cuntong.core.addresses import client_address

from .context import acting_as


class RequestContextMiddleware:
    """Makes the requesting user and address known to change history and security events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        via = "api" if request.path.startswith("/api/") else "web"
        with acting_as(request=request, address=client_address(request), via=via) as actor:
            request.request_id = actor.request_id
            return self.get_response(request)
