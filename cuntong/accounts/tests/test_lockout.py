"""Lockout after five failed logins, per account and per address; only the security administrator unlocks, and
every failure, lockout and unlock is a security event."""

import pytest
from django.test import Client
from django.urls import reverse

from cuntong.accounts import services
from cuntong.audit.models import SecurityEvent
from cuntong.core.testing import PASSWORD, login, make_user

pytestmark = pytest.mark.usefixtures("base_data")
LOGIN = reverse("accounts:login")


def attempt(username: str, password: str, address: str):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def locked(response) -> bool:
    return response.status_code == 429 and 'id="locked-out"' in response.content.decode()


def test_five_failures_lock_the_account_from_any_address(db):
    make_user("clerk", "township", "445281104")
    for n in range(4):
        assert not locked(attempt("clerk", "wrong-password", f"10.0.0.{n}"))
    assert locked(attempt("clerk", "wrong-password", "10.0.0.4"))  # the fifth failure locks
    assert locked(attempt("clerk", PASSWORD, "10.0.9.9"))  # the right password, from a fresh address
    assert logged_in(attempt("other", PASSWORD, "10.0.9.9")) is False  # no such user: just a failure, not locked
    assert SecurityEvent.objects.filter(kind="login_failed", username="clerk").count() >= 5  # also while locked
    assert SecurityEvent.objects.filter(kind="lockout", username="clerk").exists()
    assert [row["value"] for row in services.lockouts()["usernames"]] == ["clerk"]


def test_four_failures_do_not(db):
    make_user("clerk", "township", "445281104")
    for _n in range(4):
        attempt("clerk", "wrong-password", "10.0.0.1")
    assert logged_in(attempt("clerk", PASSWORD, "10.0.0.1"))


def test_five_failures_lock_the_address_for_every_account(db):
    make_user("clerk", "township", "445281104")
    for n in range(5):
        attempt(f"guess{n}", "wrong-password", "10.6.6.6")
    assert locked(attempt("clerk", PASSWORD, "10.6.6.6"))
    assert logged_in(attempt("clerk", PASSWORD, "10.7.7.7"))
    assert [row["value"] for row in services.lockouts()["addresses"]] == ["10.6.6.6"]


def test_the_security_administrator_unlocks_and_it_is_logged(db):
    make_user("clerk", "township", "445281104")
    for n in range(5):
        attempt("clerk", "wrong-password", f"10.0.0.{n}")
    secadmin = make_user("secadmin", "secadmin")
    client = login(secadmin)
    page = client.get(reverse("accounts:lockouts")).content.decode()
    assert 'data-locked="clerk"' in page
    response = client.post(reverse("accounts:lockouts"), {"username": "clerk"})
    assert response.status_code == 302
    assert 'data-locked="clerk"' not in client.get(reverse("accounts:lockouts")).content.decode()
    event = SecurityEvent.objects.get(kind="unlock")
    assert event.user == secadmin and event.detail["target_username"] == "clerk"
    assert logged_in(attempt("clerk", PASSWORD, "10.0.9.9"))


def test_unlocking_an_address(db):
    for n in range(5):
        attempt(f"guess{n}", "wrong-password", "10.6.6.6")
    client = login(make_user("secadmin", "secadmin"))
    assert client.post(reverse("accounts:lockouts"), {"address": "10.6.6.6"}).status_code == 302
    assert services.lockouts() == {"usernames": [], "addresses": []}
    assert SecurityEvent.objects.get(kind="unlock").detail["target_address"] == "10.6.6.6"


def test_an_unlock_names_exactly_one_target(db):
    client = login(make_user("secadmin", "secadmin"))
    client.post(reverse("accounts:lockouts"), {"username": "a", "address": "10.0.0.1"})
    assert not SecurityEvent.objects.filter(kind="unlock").exists()


def test_behind_a_proxy_the_forwarded_client_address_is_locked(db, settings):
    """With CUNTONG_PROXY_COUNT set, the client comes from X-Forwarded-For: the proxy itself is never locked, and a
    client cannot pick its address by sending the header itself."""
    settings.PROXY_COUNT = 1
    make_user("clerk", "township", "445281104")
    for n in range(5):
        forged = f"10.9.9.{n}, 203.0.113.9"  # the client wrote the first entry, the proxy appended the second
        Client().post(
            LOGIN, {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forged
        )
    assert [row["value"] for row in services.lockouts()["addresses"]] == ["203.0.113.9"]
    response = Client().post(
        LOGIN, {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert logged_in(response)
    assert SecurityEvent.objects.filter(kind="login", address="198.51.100.7").exists()
