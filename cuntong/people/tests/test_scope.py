"""The roster is scoped like every business record: a township sees only its villages' people."""

from django.urls import reverse

from cuntong.people.models import Resident
from cuntong.web.testing import ScopedModelTests

from .factories import make_resident


class TestResidentScope(ScopedModelTests):
    model = Resident
    list_url = reverse("people:resident_list")
    api_url = "/api/v1/people/residents/"

    def make_record(self, township_code):
        return make_resident(township_code, serial=int(township_code[-3:]), name=f"居民{township_code[-3:]}")
