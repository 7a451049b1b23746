"""Approvals race: eight finance officials approve requests against one line at the same moment, on PostgreSQL
with real concurrent transactions. The row locks serialise them, so the approved total never exceeds the budget;
the ledger's appends, serialised on the chain head, stay one unbroken chain."""

from decimal import Decimal

import pytest

from cuntong.core.money import wan_to_yuan
from cuntong.funds import ledger, queries, services
from cuntong.web.testing import load_base_data, make_user, programme

from .factories import Cast, approve_concurrently, direct_request, line, race, set_status

APPROVERS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_take_a_line_past_its_budget():
    load_base_data()
    cast = Cast()
    set_status(4, "in_implementation")
    budget = line(4, "local").amount  # 40万
    requests = [direct_request(cast.office, amount_wan="2.5", number=4, source="local") for _ in range(24)]  # 60万
    for request in requests:
        services.decide(cast.office2, request, "review")
    approvers = [cast.finance, cast.finance2] + [make_user(f"finance-{i}", "finance") for i in range(APPROVERS - 2)]
    _seconds, outcome = approve_concurrently(requests, approvers)
    position = queries.line_position(line(4, "local").pk)
    assert position.approved <= budget
    assert position.approved == budget == 16 * wan_to_yuan("2.5")
    assert outcome == {"approved": 16, "over_budget": 8}
    assert ledger.verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_form_one_unbroken_chain():
    load_base_data()
    before = ledger.current_head(programme().pk)[0]
    users = [make_user(f"writer-{i}", "office") for i in range(APPROVERS)]

    def write(user):
        for n in range(15):
            ledger.append(programme().pk, "budget_set", programme(), user=user, amount=Decimal(n))

    race(users, write)
    report = ledger.verify()
    assert report.ok and report.entries == before + APPROVERS * 15
