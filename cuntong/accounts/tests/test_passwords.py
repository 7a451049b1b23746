"""Password rules level-3 assessors check: argon2, ≥ 8 characters of 3 of 4 classes, no reuse of the last 5,
change every 90 days (configurable), and an administrator's flag forcing a change."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cuntong import settings as production_settings
from cuntong.web.testing import PASSWORD, login, make_user

pytestmark = pytest.mark.usefixtures("base_data")


def _refused(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [e.code for e in exc.error_list]
    return []


def test_hashes_are_argon2(db):
    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = make_user("hash", None)
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("Ab1#xyz", ["password_too_short"]),
        ("qwzxprtk17", ["password_too_simple"]),  # two classes
        ("ABCDEFGH!", ["password_too_simple"]),
        ("Abcdefg12", []),  # upper, lower, digit
        ("abc#defg12", []),  # lower, special, digit
        ("Cuntong#2026", []),
    ],
)
def test_length_and_character_classes(password, codes):
    assert _refused(password) == codes


def test_the_last_five_passwords_cannot_be_reused(db):
    user = make_user("reuse", None)
    history = [f"Rotate#{n}Pass" for n in range(6)]
    for password in history:
        assert "password_reused" not in _refused(password, user)
        user.set_password(password)
        user.save()
    for recent in history[-5:]:
        assert "password_reused" in _refused(recent, user)
    assert "password_reused" not in _refused(history[0], user)  # six changes ago
    assert user.password_history.count() == 5


def test_an_expired_password_must_be_changed_first(db, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = make_user("old", "office")
    client = login(user)
    assert client.get(reverse("home")).status_code == 200
    type(user).objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    # the session's own API calls are refused too, with JSON
    assert client.get("/api/v1/people/residents/").status_code == 403

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Fresh#Pass2027", "new_password2": "Fresh#Pass2027"},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    user.refresh_from_db()
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1) and not user.must_change_password


def test_the_maximum_age_is_configurable(db, settings):
    user = make_user("config", "office")
    type(user).objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=100))
    settings.PASSWORD_MAX_AGE_DAYS = 120
    assert login(user).get(reverse("home")).status_code == 200
    settings.PASSWORD_MAX_AGE_DAYS = 60
    assert login(user).get(reverse("home")).status_code == 302


def test_a_flagged_account_changes_its_password_at_first_login(db):
    user = make_user("flagged", "office", must_change_password=True)
    response = login(user).get(reverse("home"))
    assert response["Location"] == reverse("accounts:password_change")
