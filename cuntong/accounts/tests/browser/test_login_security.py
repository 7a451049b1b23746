"""Login security in a real browser: lockout after five failures and the security administrator's unlock, the idle
timeout, and two-factor enrolment and login with a TOTP code (computed from the device key, as an authenticator
app would)."""

import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cuntong.audit.models import SecurityEvent
from cuntong.web.testing import HONGYANG, current_totp, make_user

from .steps import enter_code, fits_the_screen, sign_in, sign_in_with_device, sign_out

pytestmark = pytest.mark.browser


def test_five_failures_lock_the_account_until_the_security_administrator_unlocks_it(page, phone_page):
    make_user("clerk", "township", HONGYANG)
    secadmin = make_user("secadmin", "secadmin")
    sign_in_with_device(phone_page, secadmin)  # the security administrator, at work on a phone

    # someone guesses the clerk's password on a desktop
    for attempt in range(5):
        sign_in(page, "clerk", f"Wrong#Guess{attempt}")
    assert page.locator("#locked-out").is_visible()
    sign_in(page, "clerk")  # even the right password now
    assert page.locator("#locked-out").is_visible()
    assert SecurityEvent.objects.filter(kind="lockout", username="clerk").exists()

    phone_page.goto("/accounts/lockouts/")
    assert phone_page.locator('[data-locked="clerk"]').is_visible() and fits_the_screen(phone_page)
    phone_page.click('[data-unlock="clerk"]')
    phone_page.wait_for_selector('[data-locked="clerk"]', state="detached")
    assert phone_page.locator('[data-locked="127.0.0.1"]').count() == 0  # the address's failures went with them

    sign_in(page, "clerk")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.locator("#user-menu").is_visible()
    unlock = SecurityEvent.objects.get(kind="unlock")
    assert unlock.user == secadmin and unlock.detail["target_username"] == "clerk"


def test_an_idle_session_ends(page, settings):
    make_user("office", "office")
    sign_in(page, "office")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.locator("#user-menu").is_visible()
    # the server's clock moves past the idle timeout (the live server runs in this process)
    idle = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS + 60)
    with time_machine.travel(timezone.now() + idle, tick=True):
        page.goto("/accounts/organisations/")
        page.wait_for_url("**/accounts/login/**")
    assert page.locator("#timeout-notice").is_visible()
    assert "next=%2Faccounts%2Forganisations%2F" in page.url
    assert SecurityEvent.objects.filter(kind="timeout", username="office").exists()


def test_two_factor_enrolment_then_login_with_a_code(phone_page):
    page = phone_page  # the finance bureau's reviewer, on a phone
    user = make_user("reviewer", "finance")
    sign_in(page, "reviewer")
    page.wait_for_url("**/accounts/otp/setup/")
    assert fits_the_screen(page)
    shown = page.locator("#otp-secret").inner_text()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert base64.b32decode(shown + "=" * (-len(shown) % 8)) == device.bin_key  # what a person would type in
    page.goto("/programme/kpi/")  # nothing else opens before enrolment
    page.wait_for_url("**/accounts/otp/setup/")
    enter_code(page, current_totp(device))
    page.wait_for_url(lambda url: "/accounts/otp/" not in url)

    sign_out(page)
    sign_in(page, "reviewer")
    page.wait_for_url("**/accounts/otp/verify/")
    enter_code(page, (current_totp(device) + 1) % 1_000_000)  # a wrong code is refused
    page.locator(".invalid-feedback").wait_for(state="visible")  # the refused form comes back with the reason
    assert "/accounts/otp/verify/" in page.url
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a person wait after a wrong code; the test does not
    enter_code(page, current_totp(device))
    page.wait_for_url(lambda url: "/accounts/otp/" not in url)
    assert sorted(SecurityEvent.objects.filter(kind="otp", user=user).values_list("detail__step", flat=True)) == [
        "enrolled",
        "failed",
        "verified",
    ]
