"""Areas are scoped by their own code: a township member sees the township and its villages only."""

from django.urls import reverse

from cuntong.geo.models import Area
from cuntong.web.testing import ScopedModelTests, area


class TestAreaScope(ScopedModelTests):
    model = Area
    list_url = reverse("geo:area_list")
    api_url = "/api/v1/areas/"

    def make_record(self, township_code):
        return Area.objects.create(
            code=f"{township_code}301",
            name=f"范围测试{township_code[-3:]}村委会",
            level="village",
            kind="village",
            parent=area(township_code),
            is_generated=True,
        )
