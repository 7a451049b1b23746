"""Session rules a level-3 assessment checks: idle timeout, forced password change, two-factor for privileged roles."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cuntong.audit.services import log_event
from cuntong.core.public import is_public

from .passwords import password_expired

LAST_ACTIVITY = "cuntong_last_activity"
# Automatic refreshes (wall dashboard polling) send this header; they are not a person being active.
BACKGROUND_HEADER = "HTTP_X_CUNTONG_BACKGROUND"
EXEMPT_PREFIXES = (
    "/static/",
    "/media/",
    "/i18n/",
    "/accounts/login/",
    "/accounts/logout/",
    "/favicon.ico",
)
# API calls with a session cookie (the pages' own HTMX and scripts) obey the same rules and get JSON refusals;
# token-authenticated calls are not a browser session and are authenticated later, by DRF.
API_PREFIX = "/api/"


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Run once the view is known: a page declared public (core/public.py) is the same for everyone, so it
        neither counts as activity nor waits for a second factor."""
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path.startswith(EXEMPT_PREFIXES)
            or is_public(view_func)
        ):
            return None
        now = int(time.time())
        last = request.session.get(LAST_ACTIVITY)
        api = request.path.startswith(API_PREFIX)
        if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT_SECONDS:
            log_event("timeout", user=user, idle_seconds=now - last)
            logout(request)
            if api:
                return JsonResponse({"detail": _("会话已超时，请重新登录。")}, status=401)
            # the login page says why
            query = urlencode({"next": request.get_full_path(), "timeout": "1"})
            return redirect(f"{reverse('accounts:login')}?{query}")
        if not request.META.get(BACKGROUND_HEADER) and (last is None or now - last >= 15):
            request.session[LAST_ACTIVITY] = now
        forced = self._forced_step(request, user)
        if forced and request.path != forced:
            if api:
                return JsonResponse({"detail": _("请先完成双因素认证或修改到期的密码。")}, status=403)
            return redirect(forced)
        return None

    @staticmethod
    def _forced_step(request, user) -> str | None:
        if user.requires_otp and not user.is_verified():
            has_device = user.totpdevice_set.filter(confirmed=True).exists()
            target = reverse("accounts:otp_verify" if has_device else "accounts:otp_setup")
            return None if request.path in (reverse("accounts:otp_verify"), reverse("accounts:otp_setup")) else target
        if password_expired(user):
            return reverse("accounts:password_change")
        return None
