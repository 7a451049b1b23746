"""Error pages never strand a user: 403, 404, 500 and a failed CSRF check answer in Chinese inside the site's layout,
say what happened and what to do next, and keep the status code; the favicon exists."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

from cuntong.web.testing import login, make_user


def refuse(request):
    raise PermissionDenied("已签订的合同不能修改，请签订补充协议。")


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("refuse/", refuse),
    path("crash/", crash),
    path("", include("cuntong.urls")),
]
handler404 = "cuntong.web.api.not_found"


@pytest.fixture
def office(base_data, settings):
    settings.DEBUG = False
    return login(make_user("office", "office"))


def _page(response) -> str:
    html = response.content.decode()
    assert 'id="error-page"' in html and 'id="next-steps"' in html, "inside the layout, with next steps"
    assert "回到首页" in html
    return html


def test_not_found_in_the_layout_with_the_menus(office):
    response = office.get("/stations/999999999/")
    assert response.status_code == 404
    html = _page(response)
    assert "找不到您要的页面或记录" in html and "管辖范围" in html
    assert 'id="user-menu"' in html  # the signed-in layout: the user can go on from here


def test_an_unmatched_path_answers_the_page_too(office):
    response = office.get("/no-such-page/")
    assert response.status_code == 404 and "找不到您要的页面或记录" in _page(response)


def test_refusal_shows_its_reason(office, settings):
    settings.ROOT_URLCONF = __name__
    response = office.get("/refuse/")
    assert response.status_code == 403
    html = _page(response)
    assert 'id="refusal-reason"' in html and "请签订补充协议" in html


def test_server_error_page_needs_no_database(base_data, settings, django_assert_num_queries):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/crash/")
    assert response.status_code == 500
    assert "系统处理您的请求时出错" in _page(response)


def test_csrf_failure_explains_and_keeps_nothing(base_data, settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("office", "office"))
    response = client.post("/accounts/password/", {"old_password": "x"})
    assert response.status_code == 403
    html = _page(response)
    assert "页面已过期，提交没有保存" in html and "Cookie" in html


def test_a_request_refused_before_any_view_answers_json_under_the_api(office, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"f{n}": "x" for n in range(10)}
    api = office.post("/api/v1/notify/inbox/read/", fields)
    assert api.status_code == 400 and api["Content-Type"] == "application/json"
    page = office.post("/notify/read/", fields)
    assert page.status_code == 400 and "系统无法处理这次提交" in _page(page)


def test_favicon(base_data):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
