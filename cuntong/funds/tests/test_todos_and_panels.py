"""What funds puts on other pages: the to-dos of whoever must review, approve, pay or decide next (only what
``policies`` lets them do), and a station's subsidy lines on the station's page."""

import datetime

import pytest

from cuntong.core.todo import todos_for
from cuntong.funds import services
from cuntong.funds.models import LedgerEntry
from cuntong.web.testing import login, programme

from .factories import contract, direct_request, milestone_request, set_status

OCTOBER = datetime.date(2020, 10, 1)


FUNDS = ("funds",)  # the funds' own to-dos: other modules add theirs to the same list


def titles(user, **kwargs):
    return {
        str(todo.title): (todo.count, todo.url) for todo, _urgency in todos_for(user, programme(), apps=FUNDS, **kwargs)
    }


def test_a_submitted_request_waits_for_the_office_reviewer_not_for_a_township_clerk(cast):
    request = milestone_request(cast.contractor, contract(cast.office), 1)
    assert titles(cast.office)["待审核的拨付申请"] == (1, request.get_absolute_url())
    assert titles(cast.township) == {}
    assert titles(cast.contractor) == {}  # their own request: nothing to act on
    assert "待批准的拨付申请" not in titles(cast.finance)  # not reviewed yet


@pytest.fixture
def project_under_way(cast):
    set_status(6, "in_implementation")  # local funds are paid once a project is under way


def test_each_step_waits_for_the_next_person_and_never_for_the_submitter(cast, project_under_way):
    own = direct_request(cast.office, purpose="本人提交")
    # Nobody reviews their own request: it waits for the other office member only.
    assert "待审核的拨付申请" not in titles(cast.office)
    assert titles(cast.office2)["待审核的拨付申请"][0] == 1
    services.decide(cast.office2, own, "review")
    assert titles(cast.finance)["待批准的拨付申请"] == (1, own.get_absolute_url())
    assert titles(cast.office2) == {}
    services.decide(cast.finance, own, "approve")
    assert titles(cast.finance2)["待拨付的拨付申请"][0] == 1
    assert "待批准的拨付申请" not in titles(cast.finance)


def test_several_waiting_requests_link_to_the_filtered_list(cast):
    signed = contract(cast.office)
    milestone_request(cast.contractor, signed, 1)
    milestone_request(cast.contractor, signed, 2)
    assert titles(cast.office)["待审核的拨付申请"] == (2, "/funds/requests/?status=submitted")


@pytest.fixture
def appeal(cast):
    request = milestone_request(cast.contractor, contract(cast.office), 1)
    services.decide(cast.office, request, "review")
    request = services.decide(cast.finance, request, "reject", reason="中期评估未公示")
    return services.file_appeal(
        cast.contractor, LedgerEntry.objects.get(request=request, event="request_rejected"), "不服"
    )


def test_an_open_appeal_waits_for_whom_may_decide_it_with_its_deadline(cast, appeal):
    (todo, urgency), *_ = [
        (t, u) for t, u in todos_for(cast.office, programme(), apps=FUNDS) if str(t.title) == "待处理的申诉"
    ]
    assert (todo.count, todo.url, todo.due) == (1, appeal.get_absolute_url(), appeal.deadline)
    # The finance officer made the contested decision, the contractor filed the appeal, the clerk may not decide.
    for other in (cast.finance, cast.contractor, cast.township):
        assert "待处理的申诉" not in titles(other)


def test_an_appeal_past_its_deadline_comes_first(cast, appeal, project_under_way):
    direct_request(cast.office2, purpose="另一项")  # a to-do without a date
    day_before = appeal.deadline - datetime.timedelta(days=1)
    after = appeal.deadline + datetime.timedelta(days=1)
    assert [(str(t.title), u) for t, u in todos_for(cast.office, programme(), today=day_before, apps=FUNDS)] == [
        ("待处理的申诉", "soon"),
        ("待审核的拨付申请", ""),
    ]
    assert todos_for(cast.office, programme(), today=after, apps=FUNDS)[0][1] == "overdue"


def test_the_home_page_lists_the_users_todos(cast, project_under_way):
    request = direct_request(cast.office)
    services.decide(cast.office2, request, "review")
    html = login(cast.finance).get("/").content.decode()
    assert 'id="todos"' in html and "待批准的拨付申请" in html and request.get_absolute_url() in html
    assert 'id="todos"' not in login(cast.township).get("/").content.decode()


def test_the_queue_agrees_with_the_decisions_each_request_page_offers(cast, project_under_way):
    """``requests_awaiting`` answers for a whole queue what ``request_decisions`` answers for one request."""
    from cuntong.funds import policies
    from cuntong.funds.models import DisbursementRequest

    submitted = direct_request(cast.office, purpose="待审核")
    reviewed = services.decide(cast.office2, direct_request(cast.office, purpose="待批准"), "review")
    approved = services.decide(
        cast.finance,
        services.decide(cast.office, milestone_request(cast.contractor, contract(cast.office2), 1), "review"),
        "approve",
    )
    requests = DisbursementRequest.objects.filter(pk__in=[submitted.pk, reviewed.pk, approved.pk])
    compared = set()
    for user in vars(cast).values():
        if not hasattr(user, "has_perm"):
            continue
        waiting = policies.requests_awaiting(user, requests)
        for request in requests:
            offered = set(policies.request_decisions(user, request)) & set(policies.QUEUE_DECISIONS)
            queued = {action for action, queue in waiting.items() if request in queue}
            assert queued == offered, (user.username, request.status)
            compared |= queued
    assert compared == {"review", "approve", "pay"}
