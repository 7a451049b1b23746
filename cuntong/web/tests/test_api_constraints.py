"""Answers the API schema documents. A write that breaks a model's unique constraint answers 400 naming the clash, never 500 (issue 10.4): the
constraints are checked before writing, for every scoped viewset, including fields the caller cannot send."""

from cuntong.accounts.models import Organisation
from cuntong.web.testing import PUNING, area, login, make_user, programme


def test_a_name_clash_is_a_400_on_create_and_on_update(base_data):
    client = login(make_user("office", "office"))
    taken = Organisation.objects.filter(programme=programme()).order_by("pk").first()
    payload = {"name": taken.name, "kind": "cooperative", "area": area(PUNING).pk}
    response = client.post("/api/v1/organisations/", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "已经存在" in response.json()["non_field_errors"][0]

    other = client.post(
        "/api/v1/organisations/", {**payload, "name": "洪阳青梅专业合作社"}, content_type="application/json"
    ).json()
    response = client.put(
        f"/api/v1/organisations/{other['id']}/", {**payload, "is_active": True}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert Organisation.objects.get(pk=other["id"]).name == "洪阳青梅专业合作社"
    # the record's own values are no clash with itself
    response = client.put(
        f"/api/v1/organisations/{other['id']}/",
        {**payload, "name": "洪阳青梅专业合作社", "is_active": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def test_paths_no_route_matches_answer_json_under_the_api(base_data):
    client = login(make_user("office", "office"))
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]


def test_absurd_offsets_are_refused(base_data):
    client = login(make_user("office", "office"))
    assert client.get("/api/v1/areas/", {"offset": 10**12}).status_code == 400
    assert client.get("/api/v1/areas/", {"limit": 10**12}).status_code == 200  # capped at a page's maximum
