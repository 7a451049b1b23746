"""The to-do registry (core.todo): every app's providers asked, items sorted by urgency, the home page showing them
within a pinned number of queries (the apps' own providers are tested beside them, in funds and stations)."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from cuntong.core import todo
from cuntong.core.todo import Todo, todos_for
from cuntong.web.testing import HONGYANG, NANXI, login, make_user

TODAY = datetime.date(2026, 3, 5)
USER = SimpleNamespace(is_authenticated=True)


@pytest.fixture
def providers(monkeypatch):
    """Two apps' providers in place of the real ones."""
    monkeypatch.setattr(todo, "_providers", {})
    todo.todo_provider("one")(
        lambda user, programme: [
            Todo("无期限", 3, "/a/"),
            Todo("下周到期", 1, "/b/", due=TODAY + datetime.timedelta(days=7)),
            Todo("没有记录", 0, "/c/"),
        ]
    )
    todo.todo_provider("two")(
        lambda user, programme: [
            Todo("后天到期", 2, "/d/", due=TODAY + datetime.timedelta(days=2)),
            Todo("已超期", 1, "/e/", due=TODAY - datetime.timedelta(days=1)),
            Todo("紧急", 1, "/f/", urgent=True),
        ]
    )


def test_todos_from_every_provider_come_most_urgent_first(providers):
    shown = [(item.title, urgency) for item, urgency in todos_for(USER, object(), today=TODAY)]
    assert shown == [
        ("已超期", "overdue"),
        ("紧急", "urgent"),
        ("后天到期", "soon"),
        ("下周到期", ""),
        ("无期限", ""),
    ]  # "没有记录" waits for nothing: left out


def test_nobody_signed_in_and_no_programme_have_no_todos(providers):
    assert todos_for(SimpleNamespace(is_authenticated=False), object(), today=TODAY) == []
    assert todos_for(USER, None, today=TODAY) == []


def test_a_provider_registers_once(providers):
    with pytest.raises(ValueError, match="registered twice"):
        todo.todo_provider("one")(lambda user, programme: [])


def test_the_apps_providers_are_discovered_at_start_up():
    assert {"funds.requests", "funds.appeals", "stations.reports", "stations.proposals"} <= set(todo.providers())


def test_the_home_page_shows_the_todos_with_their_urgency(base_data, providers):
    html = login(make_user("office-user", "office")).get("/").content.decode()
    todos = html[html.index('id="todos"') :]
    assert todos.index('href="/e/"') < todos.index('href="/f/"') < todos.index('href="/a/"')
    assert 'data-todo="overdue"' in todos and "已超期" in todos


def test_the_home_page_costs_the_same_queries_however_many_records_wait(base_data, django_assert_max_num_queries):
    """The real providers on the office's home page: one or two queries each, however many records wait."""
    from cuntong.funds.tests.factories import contract, contractor_user, milestone_request
    from cuntong.stations.models import ManagementProposal
    from cuntong.stations.tests.factories import make_station

    office = make_user("office-user", "office")
    contractor = contractor_user()
    signed = contract(office)
    client = login(office)

    def one_more(village_code: str, sequence: int) -> None:
        station = make_station(village_code)
        ManagementProposal.objects.create(station=station, kind="probation", basis={"months": []})
        milestone_request(contractor, signed, sequence)

    one_more(f"{HONGYANG}201", 1)
    client.get("/")
    cache.clear()  # both measured pages computed afresh (core/freshness.py caches them between writes)
    # training and logistics add one query per provider (session days without attendance, follow-ups due, volume
    # reports due, parcels overdue)
    with django_assert_max_num_queries(45) as one:
        client.get("/")
    one_more(f"{HONGYANG}202", 2)
    one_more(f"{NANXI}201", 3)
    cache.clear()
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get("/").content.decode()
    todos = html[html.index('id="todos"') :]
    assert "待审定的动态管理建议" in todos and "待审核的拨付申请" in todos and "月报未报送" in todos
