"""API errors as errors: a Django validation error is a 400 with its messages, bad pagination a 400, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from cuntong.web.testing import login, make_user


class RefusingView(APIView):
    """Stands for any endpoint whose model ``clean`` or service refuses with Django's ValidationError."""

    authentication_classes = []
    permission_classes = []
    error = None

    def post(self, request):
        raise self.error


@pytest.mark.parametrize(
    ("error", "body"),
    [
        (ValidationError({"latitude": ["位置超出县域范围。"]}), {"latitude": ["位置超出县域范围。"]}),
        (ValidationError("相距不足 2,000 米。"), {"non_field_errors": ["相距不足 2,000 米。"]}),
        (ValidationError(["甲", "乙"]), {"non_field_errors": ["甲", "乙"]}),
    ],
)
def test_a_django_validation_error_is_a_400_with_its_messages(error, body):
    response = RefusingView.as_view(error=error)(APIRequestFactory().post("/x/"))
    assert response.status_code == 400 and response.data == body


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ({"limit": "-1"}, "limit"),
        ({"offset": "-5"}, "offset"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "2", "offset": "-1"}, "offset"),
    ],
)
def test_negative_or_non_numeric_pagination_is_refused(base_data, query, refused):
    response = login(make_user("office-user", "office")).get("/api/v1/areas/", query)
    assert response.status_code == 400 and list(response.json()) == [refused]


def test_valid_pagination_still_pages(base_data):
    client = login(make_user("office-user", "office"))
    body = client.get("/api/v1/areas/", {"limit": "2", "offset": "0"}).json()
    assert len(body["results"]) == 2 and body["count"] > 2
