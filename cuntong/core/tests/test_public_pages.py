"""Public pages by design (issue #11 item 5): a page anyone may open says so (``core.public``), and then answers only
reads, from the cache, within a rate limit, with declared public fields, writing nothing.

``test_every_page_open_to_anyone_is_declared`` walks every URL and API route as an anonymous visitor (the route
walk's resolver walk and records); ``test_no_public_answer_shows_personal_data`` and
``test_no_public_answer_writes`` request every declared public view with real records, residents and station
operators among them. Test URLconfs below plant an undeclared open page, a public view that writes and one that
hands a record to its template, to prove each check bites.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from cuntong.core.public import (
    WRITE_STATEMENT,
    PublicWriteRefused,
    declaration_of,
    public_record,
    public_view,
)
from cuntong.web.testing import HONGYANG, PUNING, area, frozen_clock, login, make_user, programme
from cuntong.web.tests.test_route_walk import PUBLIC, Dataset, Route, url_for, walk

SCREEN_TOKEN = "public-pages-test-screen-token-0123456789"
# 18-digit resident ID numbers and 11-digit mobile numbers, not part of a longer run of letters or digits (hashes).
PERSONAL_PATTERNS = {
    "ID number": re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
    "mobile number": re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])"),
}


class PublicData(Dataset):
    """The route walk's records, plus station operators and a resident in another township, a published ledger head
    and a working wall-screen link; ``names`` are the people no public answer may name."""

    def __init__(self):
        from cuntong.funds import ledger
        from cuntong.people.tests.factories import make_resident
        from cuntong.stations.models import DisplayLink
        from cuntong.stations.tests.factories import make_station

        super().__init__()
        operators = [
            make_station(f"{HONGYANG}201", name="公开测试服务点", operator_name="郑公开", operator_phone="13912345678"),
            make_station(HONGYANG, name="公开测试服务站", operator_name="冯透明", operator_phone="13687654321"),
        ]
        resident = make_resident(HONGYANG, serial=902, name="钱公开")
        self.names = {resident.name, self.objects["resident"].name, *(s.operator_name for s in operators)}
        DisplayLink.objects.create(
            programme=programme(),
            area=area(PUNING),
            name="公开测试大屏",
            prefix=SCREEN_TOKEN[:8],
            token_hash=hashlib.sha256(SCREEN_TOKEN.encode()).hexdigest(),
        )
        ledger.snapshot_today(programme().pk)

    def anonymous_urls(self, route: Route) -> list[str]:
        """The route's URLs with real records, and a working secret for pages opened by one."""
        if "token" in route.params:
            token = self.tokens.get(route.name, SCREEN_TOKEN)
            return [url_for(route, {**self.values(route)[0], "token": token})]
        return [url for url, _used in self.urls(route)]


def declared_routes() -> list[tuple[Route, object]]:
    return [(route, declared) for route in walk() if (declared := declaration_of(route.resolved.callback))]


def open_route_problems(data: PublicData, routes) -> list[str]:
    """Routes that answer an anonymous GET without being declared public, and declared ones that refuse it."""
    anonymous = Client(raise_request_exception=False)
    problems = []
    for route in routes:
        declared = declaration_of(route.resolved.callback) is not None
        for url in data.anonymous_urls(route):
            status = anonymous.get(url).status_code
            if status == 200 and not declared and route.name not in PUBLIC:
                problems.append(f"{url} [{route.name}] answers anyone but is not declared public")
            elif declared and status != 200:
                problems.append(f"{url} [{route.name}] is declared public but answers {status}")
    return problems


def personal_data_in(text: str, names) -> list[str]:
    found = [f"{kind} {match}" for kind, pattern in PERSONAL_PATTERNS.items() for match in pattern.findall(text)]
    return found + [f"name {name}" for name in names if name in text]


@pytest.fixture
def data(db):
    return PublicData()


def test_every_page_open_to_anyone_is_declared(data):
    problems = open_route_problems(data, list(walk()))
    assert not problems, "\n".join(problems)
    names = {route.name for route, _declared in declared_routes()}
    assert {
        "portal",
        "funds:public_ledger",
        "funds:public_ledger_json",
        "stations:screen",
        "stations:screen_data",
        "programme-public/portal-detail",
    } <= names
    assert not names & set(PUBLIC), "a declared public view is not listed again in the route walk's PUBLIC"


def test_no_public_answer_shows_personal_data(data):
    anonymous = Client()
    checked = 0
    for route, _declared in declared_routes():
        for url in data.anonymous_urls(route):
            response = anonymous.get(url)
            assert response.status_code == 200, url
            found = personal_data_in(response.content.decode(), data.names)
            assert not found, f"{url} shows {', '.join(found)}"
            checked += 1
    assert checked >= 6
    # the check sees what it looks for
    planted = f"站长 {sorted(data.names)[0]} 13912345678 445281199001011234"
    assert len(personal_data_in(planted, data.names)) == 3


def test_no_public_answer_writes(data):
    anonymous = Client()
    for route, declared in declared_routes():
        for url in data.anonymous_urls(route):
            with CaptureQueriesContext(connection) as queries:
                assert anonymous.get(url).status_code == 200
            writes = [
                q["sql"]
                for q in queries.captured_queries
                if (match := WRITE_STATEMENT.match(q["sql"])) and match.group(1) not in declared.writable_tables
            ]
            assert writes == [], url
    writers = {route.name: declared.writable_tables for route, declared in declared_routes() if declared.token_writes}
    # the one declared write: a wall screen records its link's last use
    assert writers == dict.fromkeys(["stations:screen", "stations:screen_data"], {"stations_displaylink"})


# --- planted views prove the checks bite --------------------------------------------------------------------------


def open_undeclared(request):
    return HttpResponse("open to anyone, declared by nobody")


@public_view(reason="test: a public view that writes")
def public_writing(request):
    from cuntong.stations.models import DisplayLink

    DisplayLink.objects.update(name="changed by a public GET")
    return HttpResponse("wrote")


@public_view(reason="test: a public view handing a record to its template")
def public_handing_a_record(request):
    return TemplateResponse(request, "programme/portal.html", {"programme": programme(), "sections": []})


urlpatterns = [
    path("planted/open/", open_undeclared, name="planted-open"),
    path("planted/writes/", public_writing, name="planted-writes"),
    path("planted/record/", public_handing_a_record, name="planted-record"),
    path("", include("cuntong.urls")),
]


def test_an_undeclared_open_page_fails_the_check(data, settings):
    real = {route.pattern for route in walk()}
    settings.ROOT_URLCONF = __name__
    planted = [route for route in walk() if route.pattern not in real]
    assert {route.name for route in planted} == {"planted-open", "planted-writes", "planted-record"}
    problems = open_route_problems(data, [route for route in planted if route.name == "planted-open"])
    assert problems == ["/planted/open/ [planted-open] answers anyone but is not declared public"]


def test_a_public_view_that_writes_is_refused(db, settings):
    settings.ROOT_URLCONF = __name__
    with pytest.raises(PublicWriteRefused, match="writes to the database"):
        Client().get("/planted/writes/")


def test_a_public_view_may_not_hand_records_to_its_template(db, settings):
    settings.ROOT_URLCONF = __name__
    with pytest.raises(ImproperlyConfigured, match=r"hands records to its template: context\['programme'\]"):
        Client().get("/planted/record/")


# --- public fields ----------------------------------------------------------------------------------------------


def test_records_reach_public_pages_only_through_their_declared_fields(db):
    from cuntong.stations.tests.factories import make_station

    prog = programme()
    assert public_record(prog, "code", "name") == {"code": prog.code, "name": prog.name}
    with pytest.raises(ImproperlyConfigured, match="rules not in its public_fields"):
        public_record(prog, "code", "rules")
    with pytest.raises(ImproperlyConfigured, match="declares no public_fields"):
        public_record(make_station(f"{HONGYANG}201", operator_name="郑公开"))


# --- reads only, cached, rate-limited -----------------------------------------------------------------------------


def test_public_pages_answer_only_reads(db):
    url = f"/funds/public/{programme().code}/head.json"
    anonymous = Client()
    assert anonymous.head(url).status_code == 200
    for method in (anonymous.post, anonymous.put, anonymous.delete):
        assert method(url).status_code == 405
    assert Client().post(f"/api/v1/public/portal/{programme().code}/").status_code in (403, 405)


def test_a_cached_answer_costs_no_query(db, django_assert_num_queries):
    anonymous = Client()
    for url in (f"/public/{programme().code}/", f"/api/v1/public/portal/{programme().code}/"):
        first = anonymous.get(url)
        with django_assert_num_queries(0):
            again = anonymous.get(url)
        assert again.status_code == 200 and again.content == first.content
        assert "max-age=60" in again["Cache-Control"]
    english = anonymous.get(f"/public/{programme().code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Station network" in english and "服务站点网络" not in english  # the language is part of the key


@frozen_clock("2026-03-02T10:00:30")
def test_the_rate_limit_answers_429_with_retry_after(db, settings):
    settings.PUBLIC_RATE_LIMIT = "3/minute"
    page, api = f"/funds/public/{programme().code}/head.json", f"/api/v1/public/portal/{programme().code}/"
    visitor = Client(REMOTE_ADDR="203.0.113.7")
    for url in (page, api):
        assert [visitor.get(url).status_code for _ in range(3)] == [200, 200, 200]
        refused = visitor.get(url)
        assert refused.status_code == 429 and refused["Retry-After"] == "30"
    assert Client(REMOTE_ADDR="203.0.113.8").get(page).status_code == 200  # per client address


def test_a_token_screen_checks_its_link_on_every_request_even_when_cached(data):
    from cuntong.stations.models import DisplayLink

    url = f"/stations/wall/screen/{SCREEN_TOKEN}/data/"
    screen = Client()
    assert screen.get(url).status_code == 200
    assert "private" in screen.get(url)["Cache-Control"]
    DisplayLink.objects.filter(prefix=SCREEN_TOKEN[:8]).update(revoked_at="2020-01-01T00:00Z")
    assert screen.get(url).status_code == 404


# --- the portal and the session rules -----------------------------------------------------------------------------


def test_the_portal_shows_each_registered_section(data):
    from cuntong.funds import ledger, queries
    from cuntong.stations import rules
    from cuntong.stations.models import Station

    code = programme().code
    html = Client().get(f"/public/{code}/").content.decode()
    points = Station.objects.filter(level=rules.VILLAGE, status__in=rules.IN_OPERATION).count()
    assert f'data-figure="village-points">{points}<' in html
    assert ledger.published_head(programme().pk).hash in html
    body = Client().get(f"/api/v1/public/portal/{code}/").json()
    assert [s["key"] for s in body["sections"]] == ["stations.network", "funds.ledger"]
    assert body["sections"][0]["values"]["village_points"] == points
    assert body["programme"]["code"] == code and "rules" not in body["programme"]
    budget = queries.programme_totals(programme())["total"]["budget"]
    assert body["sections"][1]["values"]["budget"] == str(budget)  # money as a decimal string, never a float


def test_the_session_rules_let_declared_public_pages_through(db):
    """A finance officer who has not yet passed the second factor is sent to it everywhere, except to public pages:
    by their declaration, not by a prefix of the address."""
    client = Client()
    client.force_login(make_user("public-finance", "finance"))
    assert client.get(f"/funds/public/{programme().code}/").status_code == 200
    assert client.get(f"/public/{programme().code}/").status_code == 200
    assert "cuntong_last_activity" not in client.session  # a public page is no sign of activity
    assert client.get("/funds/").status_code == 302
    assert "cuntong_last_activity" in client.session


def test_a_signed_in_member_gets_the_anonymous_page(db):
    """One visitor's page is served to the next: a member's own name never reaches a public page."""
    member = login(make_user("public-office", "office", first_name="孙", last_name="公开"))
    html = member.get(f"/public/{programme().code}/").content.decode()
    assert "public-office" not in html and "csrfmiddlewaretoken" not in html
