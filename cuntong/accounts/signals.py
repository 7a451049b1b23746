"""Security events for logins, failures and lockouts."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from cuntong.audit.middleware import client_address
from cuntong.audit.services import log_event

from .lockout import record_lockout


def _address(request):
    return client_address(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="cuntong_login")
def on_login(sender, request, user, **kwargs):
    log_event("login", user=user, address=_address(request))


@receiver(user_logged_out, dispatch_uid="cuntong_logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        log_event("logout", user=user, address=_address(request))


@receiver(user_login_failed, dispatch_uid="cuntong_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    log_event("login_failed", username=str(credentials.get("username", ""))[:150], address=_address(request))


@receiver(user_locked_out, dispatch_uid="cuntong_lockout")
def on_lockout(sender, request, username, ip_address, **kwargs):
    # Axes counts a failure only when it is not already locked; attempts while locked are logged as failures only.
    if request.axes_failures_since_start is not None:
        record_lockout(request, str(username or "")[:150], ip_address)
