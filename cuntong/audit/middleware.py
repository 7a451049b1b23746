from django.conf import settings

from .context import acting_as


def client_address(request) -> str | None:
    """The client's address, for lockouts (django-axes) and the audit trail alike.

    Behind ``PROXY_COUNT`` trusted proxies each appends the address it saw to X-Forwarded-For, so the client is the
    entry that many places from the end; anything further left was written by the client and is not trusted.
    """
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if settings.PROXY_COUNT and len(hops) >= settings.PROXY_COUNT:
        return hops[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Makes the requesting user and address known to change history and security events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        via = "api" if request.path.startswith("/api/") else "web"
        with acting_as(request=request, address=client_address(request), via=via) as actor:
            request.request_id = actor.request_id
            return self.get_response(request)
