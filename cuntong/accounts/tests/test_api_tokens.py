"""Each user issues and revokes their own API tokens on a page; the key is shown once and only its hash is kept."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cuntong.accounts.models import ApiToken
from cuntong.audit.models import SecurityEvent
from cuntong.web.testing import HONGYANG, login, make_user

pytestmark = pytest.mark.usefixtures("base_data")


def _api(key: str):
    return Client().get("/api/v1/areas/", HTTP_AUTHORIZATION=f"Token {key}")


def _issue(client, name="对接脚本", days=90) -> str:
    response = client.post(reverse("accounts:api_tokens"), {"name": name, "lifetime_days": days})
    assert response.status_code == 200
    return re.search(r'id="new-token-key">([^<]+)<', response.content.decode()).group(1)


def test_a_token_made_on_the_page_works_once_shown_and_stops_when_revoked():
    user = make_user("clerk", "township", HONGYANG)
    client = login(user)
    key = _issue(client)
    token = ApiToken.objects.get(user=user)
    assert key not in (token.key_hash, token.prefix) and token.prefix == key[:8]
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)

    assert _api(key).status_code == 200
    page = client.get(reverse("accounts:api_tokens")).content.decode()
    assert key not in page and f"{key[:8]}…" in page and "对接脚本" in page

    client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert _api(key).status_code == 401
    assert "已停用" in client.get(reverse("accounts:api_tokens")).content.decode()
    steps = list(SecurityEvent.objects.filter(kind="api_token", user=user).values_list("detail__step", flat=True))
    assert sorted(steps) == ["issued", "revoked"]


def test_nobody_revokes_another_users_token_and_expired_tokens_are_refused():
    owner = make_user("owner", "township", HONGYANG)
    key = _issue(login(owner), days=30)
    token = ApiToken.objects.get(user=owner)
    response = login(make_user("other", "township", HONGYANG)).post(
        reverse("accounts:api_token_revoke", args=[token.pk])
    )
    assert response.status_code == 404 and _api(key).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(key).status_code == 401
    assert "已过期" in login(owner).get(reverse("accounts:api_tokens")).content.decode()


def test_a_bad_lifetime_is_refused_and_nothing_issued():
    client = login(make_user("clerk", "township", HONGYANG))
    response = client.post(reverse("accounts:api_tokens"), {"name": "x", "lifetime_days": 10000})
    assert response.status_code == 200 and "new-token" not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_roles_needing_a_second_factor_pass_it_before_issuing_tokens():
    finance = make_user("finance", "finance", HONGYANG)
    client = Client()
    client.force_login(finance)
    response = client.post(reverse("accounts:api_tokens"), {"name": "x", "lifetime_days": 30})
    assert response.status_code == 302 and not ApiToken.objects.exists()
