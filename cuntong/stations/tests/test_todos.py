"""Stations' to-dos: the monthly reports due this month and not in yet, for those who may file them, and pending
dynamic-management proposals, for those who may decide them."""

import datetime

from cuntong.core.todo import todos_for
from cuntong.stations import rules
from cuntong.stations.models import ManagementProposal
from cuntong.web.testing import HONGYANG, NANXI, frozen_clock, make_user, programme

from .factories import make_report, make_station

FEBRUARY = datetime.date(2026, 2, 1)  # due on 10 March 2026 (the plan's due day)


def todos(user, **kwargs):
    return {str(todo.title): (todo, urgency) for todo, urgency in todos_for(user, programme(), **kwargs)}


@frozen_clock("2026-03-05")
def test_last_months_missing_report_waits_for_the_operator_until_it_is_filed(base_data):
    operator = make_user("zhanzhang", "station_operator", HONGYANG)
    station = make_station(f"{HONGYANG}201", operator_user=operator)
    make_station(f"{NANXI}201")  # someone else's station: not the operator's to-do
    todo, urgency = todos(operator)["2026-02 月报未报送"]
    assert (todo.count, todo.url, todo.due, urgency) == (
        1,
        f"/stations/{station.pk}/report/2026-02/",
        datetime.date(2026, 3, 10),
        "",
    )
    make_report(station, FEBRUARY)
    assert todos(operator) == {}


@frozen_clock("2026-03-12")
def test_a_report_past_its_due_day_is_overdue_and_the_office_sees_every_missing_one(base_data):
    make_station(f"{HONGYANG}201")
    make_station(f"{NANXI}201")
    make_station(f"{NANXI}202", status=rules.PROPOSED)  # not in operation: owes no report
    todo, urgency = todos(make_user("office-user", "office"))["2026-02 月报未报送"]
    assert (todo.count, todo.url, urgency) == (2, "/stations/reports/completeness/?month=2026-02", "overdue")
    # A township clerk follows reports but does not file them: nothing to act on.
    assert todos(make_user("hongyang-clerk", "township", HONGYANG)) == {}


def test_a_pending_proposal_waits_for_whom_may_decide_it(base_data):
    station = make_station(f"{HONGYANG}201")
    ManagementProposal.objects.create(station=station, kind="probation", basis={"months": []})
    todo, _urgency = todos(make_user("office-user", "office"))["待审定的动态管理建议"]
    assert (todo.count, todo.url, todo.due) == (1, "/stations/management/?status=pending", None)
    assert todos(make_user("hongyang-clerk", "township", HONGYANG)) == {}
