"""Login, logout, password change, two-factor set-up/verification and the user's own API tokens."""

import base64
from datetime import timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from cuntong.audit.services import log_event
from cuntong.web.redirects import next_url

from .api_auth import issue_token, revoke_token
from .forms import ApiTokenForm, LoginForm, PasswordChangeForm, TokenForm
from .lockout import is_locked


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.GET.get("timeout"):
            minutes = max(1, settings.SESSION_IDLE_TIMEOUT_SECONDS // 60)
            context["timeout_notice"] = _("您已超过%(m)d分钟未操作，请重新登录。") % {"m": minutes}
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing one's password; wrong current passwords count towards the lockout, and a lockout ends the session."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")
    form_class = PasswordChangeForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if request.method == "POST" and user.is_authenticated and is_locked(request, user.get_username()):
            request.axes_locked_out, request.axes_credentials = True, {"username": user.get_username()}
        else:
            response = super().dispatch(request, *args, **kwargs)
            if not getattr(request, "axes_locked_out", False):
                return response
        logout(request)  # axes' middleware answers with the lockout page
        return HttpResponse(status=settings.AXES_HTTP_RESPONSE_CODE)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        log_event("password_changed", user=self.request.user)
        messages.success(self.request, _("密码已修改。"))
        return response


@login_required
def otp_setup(request):
    """Show a TOTP secret as a QR code; the device is confirmed once the user types a valid code from it.

    An account that already has a device must verify with it first: else a stolen password alone could enrol a
    second device and walk past the second factor."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists() and not request.user.is_verified():
        return redirect("accounts:otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
        user=request.user, name="default", confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            log_event("otp", user=request.user, step="enrolled")
            messages.success(request, _("双因素认证已启用。"))
            return redirect("home")
        form.add_error("token", _("验证码不正确，请核对手机时间后重试。"))
    qr = segno.make(device.config_url, error="m")
    qr_data = base64.b64encode(qr.svg_inline(scale=5).encode()).decode()
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/otp_setup.html", {"form": form, "qr_data": qr_data, "secret": secret})


@login_required
def otp_verify(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                log_event("otp", user=request.user, step="verified")
                return redirect(next_url(request, reverse("home")))
        log_event("otp", user=request.user, step="failed")
        form.add_error("token", _("验证码不正确。"))
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_required
def api_tokens(request):
    """The user's own API tokens. A new key is shown on this response only: it is never stored, only its hash.

    Reaching this page already took the second factor where the role requires one, so a token never lets a
    password alone into the API."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        expires_at = timezone.now() + timedelta(days=form.cleaned_data["lifetime_days"])
        _token, new_key = issue_token(request.user, form.cleaned_data["name"], expires_at)
        form = ApiTokenForm()
    tokens = request.user.api_tokens.order_by("-is_active", "-created_at")
    return render(request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def revoke_api_token(request, pk):
    revoke_token(get_object_or_404(request.user.api_tokens, pk=pk))
    messages.success(request, _("令牌已停用。"))
    return redirect("accounts:api_tokens")
