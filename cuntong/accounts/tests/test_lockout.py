"""Lockout that cannot lock everyone out: five failures lock one account from one address for a cool-off that
grows with repeated lockouts; a higher limit per address stops password spraying; the user is told when to retry;
each lockout alerts the security administrator, who can unlock earlier; wrong current passwords in the password
change count too; and a client cannot choose its address with X-Forwarded-For."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cuntong.accounts import services
from cuntong.audit.models import SecurityEvent
from cuntong.web.testing import PASSWORD, login, make_user

pytestmark = pytest.mark.usefixtures("base_data")
LOGIN = reverse("accounts:login")
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def attempt(username: str, password: str, address: str, **headers):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def fail(username: str, address: str, times: int = 5):
    for _n in range(times):
        response = attempt(username, "wrong-password", address)
    return response


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def locked(response) -> bool:
    return response.status_code == 429 and 'id="locked-out"' in response.content.decode()


def retry_time(response) -> str:
    html = response.content.decode()
    return html.split('data-retry-at="', 1)[1].split('"', 1)[0]


@pytest.fixture
def clerk(db):
    return make_user("clerk", "township", "445281104")


def test_five_failures_lock_the_account_from_that_address_only(clerk):
    with time_machine.travel(T0, tick=False):
        fail("clerk", "10.0.0.1", 4)
        assert locked(attempt("clerk", "wrong-password", "10.0.0.1"))  # the fifth failure locks
        response = attempt("clerk", PASSWORD, "10.0.0.1")  # even the right password, from there
        assert locked(response) and retry_time(response) == "2026-03-02T09:15:00+08:00"
        assert "09:15" in response.content.decode()
        assert logged_in(attempt("clerk", PASSWORD, "10.0.9.9"))  # the owner elsewhere is not locked out
    assert SecurityEvent.objects.filter(kind="login_failed", username="clerk").count() == 6  # also while locked
    assert SecurityEvent.objects.filter(kind="lockout", username="clerk").count() == 1  # one lockout, one event


def test_one_accounts_lockout_leaves_another_account_on_the_same_address_able_to_log_in(clerk):
    make_user("colleague", "township", "445281104")
    fail("clerk", "10.6.6.6")
    assert locked(attempt("clerk", PASSWORD, "10.6.6.6"))
    assert logged_in(attempt("colleague", PASSWORD, "10.6.6.6"))


def test_four_failures_do_not(clerk):
    fail("clerk", "10.0.0.1", 4)
    assert logged_in(attempt("clerk", PASSWORD, "10.0.0.1"))


def test_the_cool_off_expires_and_doubles_for_a_repeated_lockout(clerk):
    with time_machine.travel(T0, tick=False) as clock:
        fail("clerk", "10.0.0.1")
        clock.shift(datetime.timedelta(minutes=14))
        assert locked(attempt("clerk", PASSWORD, "10.0.0.1"))  # attempts while locked do not prolong it
        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        response = fail("clerk", "10.0.0.1")  # 09:15: free again, and locked again by five more failures
        assert locked(response) and retry_time(response) == "2026-03-02T09:45:01+08:00"  # 30 minutes this time
        clock.shift(datetime.timedelta(minutes=29))
        assert locked(attempt("clerk", PASSWORD, "10.0.0.1"))
        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        assert logged_in(attempt("clerk", PASSWORD, "10.0.0.1"))


def test_many_failures_from_one_address_lock_the_address(clerk, settings):
    settings.LOCKOUT_ADDRESS_FAILURES = 12
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(12):
            attempt(f"guess{n}", "wrong-password", "10.6.6.6")  # a sprayer: one try per name
        response = attempt("clerk", PASSWORD, "10.6.6.6")
        assert locked(response) and "当前网络地址" in response.content.decode()
        assert logged_in(attempt("clerk", PASSWORD, "10.7.7.7"))
        assert [row["value"] for row in services.lockouts()["addresses"]] == ["10.6.6.6"]
        assert SecurityEvent.objects.get(kind="lockout").detail["scope"] == "address"
        clock.shift(datetime.timedelta(minutes=16))
        assert logged_in(attempt("clerk", PASSWORD, "10.6.6.6"))


def test_a_lockout_alerts_the_security_administrators(clerk, settings, mailoutbox):
    settings.SECURITY_ALERT_EMAILS = ["secadmin@example.gov.cn"]
    fail("clerk", "10.0.0.1", 7)
    assert len(mailoutbox) == 1 and "clerk" in mailoutbox[0].subject
    assert mailoutbox[0].to == ["secadmin@example.gov.cn"]
    event = SecurityEvent.objects.get(kind="lockout")
    assert (event.username, event.address, event.detail["scope"]) == ("clerk", "10.0.0.1", "account")


def test_wrong_current_passwords_in_the_password_change_count_like_failed_logins(clerk):
    client = login(clerk)
    url = reverse("accounts:password_change")
    form = {"old_password": "wrong-password", "new_password1": "New#Pass2026x", "new_password2": "New#Pass2026x"}
    for _n in range(4):
        assert client.post(url, form, REMOTE_ADDR="10.0.0.1").status_code == 200
    response = client.post(url, form, REMOTE_ADDR="10.0.0.1")
    assert locked(response)
    assert client.get(url).status_code == 302  # the session ended with the lockout
    assert locked(attempt("clerk", PASSWORD, "10.0.0.1"))
    assert SecurityEvent.objects.filter(kind="lockout", username="clerk").count() == 1


def test_a_locked_session_cannot_change_the_password(clerk):
    client = login(clerk)
    fail("clerk", "10.0.0.1")
    form = {"old_password": PASSWORD, "new_password1": "New#Pass2026x", "new_password2": "New#Pass2026x"}
    assert locked(client.post(reverse("accounts:password_change"), form, REMOTE_ADDR="10.0.0.1"))
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_a_spoofed_forwarded_for_is_ignored_without_proxies(clerk, settings):
    settings.PROXY_COUNT = 0
    for n in range(5):
        attempt("clerk", "wrong-password", "10.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert locked(attempt("clerk", PASSWORD, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.99"))
    assert set(SecurityEvent.objects.filter(kind="login_failed").values_list("address", flat=True)) == {"10.0.0.1"}


def test_the_security_administrator_unlocks_and_it_is_logged(clerk):
    fail("clerk", "10.0.0.1")
    secadmin = make_user("secadmin", "secadmin")
    client = login(secadmin)
    page = client.get(reverse("accounts:lockouts")).content.decode()
    assert 'data-locked="clerk"' in page and "10.0.0.1" in page
    response = client.post(reverse("accounts:lockouts"), {"username": "clerk"})
    assert response.status_code == 302
    assert 'data-locked="clerk"' not in client.get(reverse("accounts:lockouts")).content.decode()
    event = SecurityEvent.objects.get(kind="unlock")
    assert event.user == secadmin and event.detail["target_username"] == "clerk"
    assert logged_in(attempt("clerk", PASSWORD, "10.0.0.1"))


def test_unlocking_an_address(db, settings):
    settings.LOCKOUT_ADDRESS_FAILURES = 6
    for n in range(6):
        attempt(f"guess{n}", "wrong-password", "10.6.6.6")
    client = login(make_user("secadmin", "secadmin"))
    assert 'data-locked="10.6.6.6"' in client.get(reverse("accounts:lockouts")).content.decode()
    assert client.post(reverse("accounts:lockouts"), {"address": "10.6.6.6"}).status_code == 302
    assert services.lockouts() == {"usernames": [], "addresses": []}
    assert SecurityEvent.objects.get(kind="unlock").detail["target_address"] == "10.6.6.6"


def test_an_unlock_names_exactly_one_target(db):
    client = login(make_user("secadmin", "secadmin"))
    client.post(reverse("accounts:lockouts"), {"username": "a", "address": "10.0.0.1"})
    assert not SecurityEvent.objects.filter(kind="unlock").exists()


def test_behind_a_proxy_the_forwarded_client_address_is_locked(clerk, settings):
    """With CUNTONG_PROXY_COUNT set, the client comes from X-Forwarded-For: the proxy itself is never locked, and a
    client cannot pick its address by sending the header itself."""
    settings.PROXY_COUNT = 1
    for n in range(5):
        forged = f"10.9.9.{n}, 203.0.113.9"  # the client wrote the first entry, the proxy appended the second
        attempt("clerk", "x", "127.0.0.1", HTTP_X_FORWARDED_FOR=forged)
    assert [(row["value"], row["address"]) for row in services.lockouts()["usernames"]] == [("clerk", "203.0.113.9")]
    response = attempt("clerk", PASSWORD, "127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert logged_in(response)
    assert SecurityEvent.objects.filter(kind="login", address="198.51.100.7").exists()
