"""Login lockout (django-axes) that cannot lock everyone out.

Failures count per pair (account, address): ``AXES_FAILURE_LIMIT`` of them lock that account from that address for
a cool-off that doubles with each lockout of the pair within a day (15, 30, 60 minutes … at most a day), so a
colleague behind the same address, or the account's owner elsewhere, is not locked out by someone else's guesses.
An address with ``LOCKOUT_ADDRESS_FAILURES`` failures across accounts within the base cool-off is locked as a whole
for that long: a password sprayer still stops. Every new lockout is a security event and alerts the security
administrators; the lockout page tells the user when to retry, and the security administrator can unlock earlier.
"""

import logging
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.mail import send_mail
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cuntong.audit.models import SecurityEvent
from cuntong.audit.services import log_event

logger = logging.getLogger("cuntong.security")
LONGEST_COOL_OFF = timedelta(days=1)


def base_cool_off() -> timedelta:
    return timedelta(minutes=settings.LOCKOUT_COOL_OFF_MINUTES)


def username_of(request, credentials=None) -> str | None:
    """The account a login (its form or credentials) or a logged-in user's password change is about."""
    if credentials and credentials.get("username"):
        return credentials["username"]
    posted = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if posted:
        return posted
    user = getattr(request, "user", None)
    return user.get_username() if user is not None and user.is_authenticated else None


def pair_cool_off(username: str | None, address: str | None, at) -> timedelta:
    """The base cool-off, doubled for each earlier lockout of the same account from the same address in a day."""
    lockouts = SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.LOCKOUT, username=username or "", address=address, time__gte=at - LONGEST_COOL_OFF
    ).count()
    return min(base_cool_off() * 2 ** max(lockouts - 1, 0), LONGEST_COOL_OFF)


def cool_off(request) -> timedelta:
    """AXES_COOLOFF_TIME: the cool-off of the requesting pair."""
    if request is None or not hasattr(request, "axes_ip_address"):
        return base_cool_off()
    username = username_of(request, request.axes_credentials)
    return pair_cool_off(username, request.axes_ip_address, request.axes_attempt_time)


def _address_attempts(request):
    return AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=request.axes_attempt_time - base_cool_off()
    )


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with the per-address limit beside the per-pair one, and cool-offs per pair."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        request.locked_address = (
            failures < limit and self._address_failures(request) >= settings.LOCKOUT_ADDRESS_FAILURES
        )
        return limit if request.locked_address else failures

    @staticmethod
    def _address_failures(request) -> int:
        return _address_attempts(request).aggregate(n=Sum("failures_since_start"))["n"] or 0

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        """Cool-offs differ per pair, so only failures past the longest one go for everyone, and this pair's own
        once its cool-off is over (else they would count towards its next lockout)."""
        stale = Q(attempt_time__lte=timezone.now() - LONGEST_COOL_OFF)
        if request is not None:
            stale |= Q(
                username=username_of(request, credentials),
                ip_address=request.axes_ip_address,
                attempt_time__lte=get_cool_off_threshold(request),
            )
        return AccessAttempt.objects.filter(stale).delete()[0]


def retry_at(request):
    """When a locked request may try again: its latest failure (of the pair, or of the address) plus the cool-off."""
    if getattr(request, "locked_address", False):
        latest = _address_attempts(request).aggregate(t=Max("attempt_time"))["t"]
        return (latest or request.axes_attempt_time) + base_cool_off()
    latest = AccessAttempt.objects.filter(
        username=username_of(request, request.axes_credentials), ip_address=request.axes_ip_address
    ).aggregate(t=Max("attempt_time"))["t"]
    return (latest or request.axes_attempt_time) + cool_off(request)


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page (AXES_LOCKOUT_CALLABLE): what is locked, and the time the user may try again."""
    context = {
        "retry_at": timezone.localtime(retry_at(request)),
        "by_address": getattr(request, "locked_address", False),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def is_locked(request, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def count_failure(request, username: str) -> None:
    """A wrong password outside the login form (the current password when changing it) counts like a failed login."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def record_lockout(request, username: str, address: str | None) -> None:
    """A new lockout (not a further attempt while locked): security event, log line, and mail to the security
    administrators (CUNTONG_SECURITY_ALERT_EMAILS)."""
    by_address = getattr(request, "locked_address", False)
    log_event("lockout", username=username, address=address, scope="address" if by_address else "account")
    until = timezone.localtime(retry_at(request))  # after the event: this lockout counts towards its own cool-off
    logger.warning("lockout of %s from %s until %s", "every account" if by_address else username, address, until)
    if settings.SECURITY_ALERT_EMAILS:
        what = _("该地址的所有账号") if by_address else _("账号 %(username)s") % {"username": username}
        send_mail(
            _("[村通] 登录锁定：%(username)s @ %(address)s") % {"username": username, "address": address},
            _("%(what)s因连续登录失败被锁定至 %(until)s。如非本人操作，请在“登录锁定”页核查。")
            % {"what": what, "until": f"{until:%Y-%m-%d %H:%M}"},
            None,
            settings.SECURITY_ALERT_EMAILS,
            fail_silently=True,
        )


def locked() -> dict[str, list[dict]]:
    """Pairs and addresses locked now, with when each lock ends: what the security administrator may unlock."""
    now = timezone.now()
    accounts = []
    for row in AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=now - LONGEST_COOL_OFF
    ).order_by("username", "ip_address"):
        until = row.attempt_time + pair_cool_off(row.username, row.ip_address, now)
        if until > now:
            accounts.append(
                {"value": row.username, "address": row.ip_address, "failures": row.failures_since_start, "until": until}
            )
    addresses = (
        AccessAttempt.objects.filter(attempt_time__gte=now - base_cool_off())
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
        .filter(failures__gte=settings.LOCKOUT_ADDRESS_FAILURES)
        .order_by("ip_address")
    )
    return {
        "usernames": accounts,
        "addresses": [
            {"value": row["ip_address"], "failures": row["failures"], "until": row["latest"] + base_cool_off()}
            for row in addresses
        ],
    }
