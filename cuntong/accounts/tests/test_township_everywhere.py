"""A township official sees only their township's records everywhere: every list page, its XLSX export and every
API list of the project (walked from the URL resolver and the API router, so modules added later are covered too),
for a township's business official and for the township's system and audit administrators."""

import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from cuntong.accounts import services
from cuntong.accounts.models import Organisation, Role
from cuntong.api_urls import router
from cuntong.audit.context import acting_as
from cuntong.audit.services import log_event
from cuntong.people.tests.factories import make_resident
from cuntong.web.testing import HONGYANG, NANXI, area, login, make_user, programme
from cuntong.web.views import ObjectListView

pytestmark = pytest.mark.usefixtures("base_data")
NANXI_MARKERS = ("南溪居民", "南溪合作社", "测试丙村委会", "测试丁村委会", "nanxi.clerk")
HONGYANG_MARKERS = ("洪阳居民", "洪阳合作社", "测试甲村委会", "hongyang.clerk")


def list_routes() -> list[str]:
    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, ":".join(filter(None, [namespace, entry.namespace])))
            elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.converters:
                view_class = getattr(entry.callback, "view_class", None)
                if view_class and issubclass(view_class, ObjectListView):
                    yield ":".join(filter(None, [namespace, entry.name]))

    return list(walk(get_resolver().url_patterns, ""))


def _xlsx(response) -> str:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return " ".join(str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row)


@pytest.fixture
def two_townships(db):
    for township, prefix in ((HONGYANG, "洪阳"), (NANXI, "南溪")):
        make_resident(township, int(township[-3:]), name=f"{prefix}居民甲")
        with acting_as(None, via="test"):
            Organisation.objects.create(
                name=f"{prefix}合作社", kind="cooperative", area=area(township), programme=programme()
            )
        clerk = make_user(f"{'hongyang' if township == HONGYANG else 'nanxi'}.clerk", "township", township)
        log_event("export", user=clerk, model="people.Resident", rows=1)
    official = make_user("official", "township", HONGYANG)
    services.grant(official, Role.objects.get(code="poverty_office"), area(HONGYANG))  # reads every module
    return [
        login(official),
        login(make_user("hy-sysadmin", "sysadmin", HONGYANG)),
        login(make_user("hy-auditadmin", "auditadmin", HONGYANG)),
    ]


def test_no_other_townships_record_on_any_list_export_or_api(two_townships):
    routes = list_routes()
    assert {"people:resident_list", "accounts:organisation_list", "accounts:user_list", "audit:event_list"} <= set(
        routes
    )
    seen = ""
    for client in two_townships:
        for name in routes:
            page = client.get(reverse(name))
            if page.status_code != 200:
                assert page.status_code == 403, (name, page.status_code)
                continue
            export = client.get(reverse(name), {"export": "xlsx"})
            for text in (page.content.decode(), _xlsx(export)):
                seen += text
                assert not [m for m in NANXI_MARKERS if m in text], name
        for prefix, _viewset, _basename in router.registry:
            response = client.get(f"/api/v1/{prefix}/", {"limit": 1000})
            if response.status_code == 403:
                continue
            text = response.content.decode()
            seen += text
            assert not [m for m in NANXI_MARKERS if m in text], prefix
    assert all(marker in seen for marker in HONGYANG_MARKERS)  # the township's own records were there to see


def test_detail_pages_of_the_other_township_are_not_found(two_townships):
    official = two_townships[0]
    for obj in (make_resident(NANXI, 77), Organisation.objects.get(name="南溪合作社"), area("445281105201")):
        assert official.get(obj.get_absolute_url()).status_code == 404
    assert official.get(f"/api/v1/people/residents/{make_resident(NANXI, 78).pk}/").status_code == 404
