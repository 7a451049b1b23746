"""Where to send the user next: a target taken from the request only if it stays on this site."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request, default: str) -> str:
    """The request's ``next`` (form field, then query string) if it points to this host, else ``default``.

    A link that sends a logged-in user on to another site after an action (``next=https://evil.example/phish``)
    is how phishing borrows the platform's trust; such targets are dropped."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default
