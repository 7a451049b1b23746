"""The API's description (schema, Swagger UI, ReDoc) is for members only, by session or by API token; production
warns at start when static files were not collected."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from cuntong.accounts.api_auth import issue_token
from cuntong.accounts.tests.test_production_settings import production_env, run
from cuntong.web.testing import login, make_user

DESCRIPTION = ["/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"]


@pytest.mark.parametrize("url", DESCRIPTION)
def test_anonymous_visitors_get_no_api_description(db, url):
    assert Client().get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", DESCRIPTION)
def test_members_read_it_with_their_session(base_data, url):
    assert login(make_user("api-reader", "office")).get(url).status_code == 200


def test_the_schema_accepts_an_api_token(base_data):
    _token, key = issue_token(make_user("api-robot", "office"), "CI", timezone.now() + datetime.timedelta(days=1))
    response = Client().get("/api/v1/schema/", {"format": "json"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["info"]["title"]


PROBE = "import django; django.setup(); print('started')"


def test_production_warns_without_collected_static_files(tmp_path):
    env = production_env(CUNTONG_STATIC_ROOT=str(tmp_path))
    started = run(["-c", PROBE], env)
    assert started.returncode == 0 and "cuntong collectstatic --noinput" in started.stderr
    (tmp_path / "staticfiles.json").write_text("{}")
    assert "collectstatic" not in run(["-c", PROBE], env).stderr
