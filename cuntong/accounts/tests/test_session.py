"""Idle timeout (30 minutes by default; automatic refreshes do not count as activity) and two-factor
authentication, required for the three administrators and the finance bureau."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cuntong.accounts.middleware import BACKGROUND_HEADER, LAST_ACTIVITY
from cuntong.audit.models import SecurityEvent
from cuntong.web.testing import PASSWORD, login, make_user

pytestmark = pytest.mark.usefixtures("base_data")


def _idle(client, seconds: int) -> None:
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_the_default_idle_timeout_is_thirty_minutes(settings):
    from cuntong import settings as project_settings

    assert project_settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60


def test_an_idle_session_ends(db, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 30 * 60
    user = make_user("clerk", "office")
    client = login(user)
    assert client.get(reverse("home")).status_code == 200
    _idle(client, 29 * 60)
    assert client.get(reverse("home")).status_code == 200
    _idle(client, 31 * 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("home")).status_code == 302  # logged out, not just redirected once
    assert SecurityEvent.objects.filter(kind="timeout", user=user).exists()


def test_background_refreshes_do_not_keep_a_session_alive(db, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 600
    client = login(make_user("wall", "office"))
    _idle(client, 300)
    client.get(reverse("home"), **{BACKGROUND_HEADER: "1"})
    assert int(time.time()) - client.session[LAST_ACTIVITY] >= 300
    client.get(reverse("home"))
    assert int(time.time()) - client.session[LAST_ACTIVITY] < 5


def test_an_idle_session_is_refused_on_the_api_too(db, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 60
    client = login(make_user("clerk", "office"))
    client.get(reverse("home"))
    _idle(client, 120)
    assert client.get("/api/v1/organisations/").status_code == 401


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditadmin", "finance"])
def test_roles_that_require_two_factor_are_sent_to_enrol(db, role):
    user = make_user(f"{role}-user", role)
    assert user.requires_otp
    client = Client()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_setup")
    assert client.get("/api/v1/organisations/").status_code == 403


def test_business_roles_do_not_need_two_factor(db):
    client = Client()
    client.force_login(make_user("clerk", "township", "445281104"))
    assert client.get(reverse("home")).status_code == 200


def test_enrolling_and_verifying_a_totp_device(db):
    user = make_user("finance-user", "finance")
    client = Client()
    assert client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    assert client.get(reverse("accounts:otp_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(reverse("accounts:otp_setup"), {"token": "000000"}).status_code == 200  # wrong code
    # after a failure even the right code waits (django-otp throttles, doubling the delay each time)
    assert client.post(reverse("accounts:otp_setup"), {"token": f"{totp(device.bin_key):06d}"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # the delay has passed
    response = client.post(reverse("accounts:otp_setup"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302 and client.get(reverse("home")).status_code == 200

    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert client.get(reverse("home"))["Location"] == reverse("accounts:otp_verify")
    device.refresh_from_db()
    response = client.post(reverse("accounts:otp_verify"), {"token": f"{totp(device.bin_key, drift=1):06d}"})
    assert response.status_code == 302 and client.get(reverse("home")).status_code == 200
    steps = list(SecurityEvent.objects.filter(kind="otp", user=user).values_list("detail__step", flat=True))
    assert sorted(steps) == ["enrolled", "verified"]


def test_another_accounts_device_does_not_verify_a_session(db):
    other = make_user("other-finance", "finance")
    device = TOTPDevice.objects.create(user=other, name="phone", confirmed=True)
    client = Client()
    client.force_login(make_user("finance-user", "finance"))
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert client.get(reverse("home"))["Location"] == reverse("accounts:otp_setup")


def test_a_password_alone_cannot_enrol_a_second_device(db):
    user = make_user("finance-user", "finance")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_verify")
    assert client.post(reverse("accounts:otp_setup"), {"token": "123456"})["Location"] == reverse("accounts:otp_verify")
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_verifying_never_redirects_off_site(db):
    user = make_user("finance-user", "finance")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    url = reverse("accounts:otp_verify") + "?next=https://evil.example/steal"
    response = client.post(url, {"token": f"{totp(device.bin_key):06d}"})
    assert response["Location"] == reverse("home")
