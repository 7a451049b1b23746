"""Where a request comes from, for lockouts (django-axes), the audit trail and public rate limits alike."""

from django.conf import settings


def client_address(request) -> str | None:
    """The client's address.

    Behind ``PROXY_COUNT`` trusted proxies each appends the address it saw to X-Forwarded-For, so the client is the
    entry that many places from the end; anything further left was written by the client and is not trusted.
    """
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if settings.PROXY_COUNT and len(hops) >= settings.PROXY_COUNT:
        return hops[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")
