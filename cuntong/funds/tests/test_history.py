"""History with no holes in funds: a contract's milestones (created, re-split by an amendment) and a subsidy batch's
lines are written in bulk, and each row's change is in the change history all the same."""

import datetime
from decimal import Decimal

from cuntong.audit.changelog import history_of
from cuntong.audit.context import acting_as
from cuntong.core import claims
from cuntong.funds import services
from cuntong.funds.models import ContractMilestone, SubsidyLine
from cuntong.web.testing import HONGYANG, programme

from .factories import contract
from .stand_ins import claim, stand_in


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def test_a_milestone_resplit_and_subsidy_lines_leave_history(cast):
    signed = contract(cast.office, amount_wan="100", number=1)
    milestones = list(signed.milestones.order_by("sequence"))
    for milestone in milestones:
        assert history_of(milestone).filter(action="create").exists()
    with acting_as(cast.office, via="web"):
        services.amend_contract(cast.office, signed, Decimal("1200000"), "追加建设内容", datetime.date(2022, 6, 30))
    first = ContractMilestone.objects.get(pk=milestones[0].pk)
    change = history_of(first).filter(action="update").get()
    assert (change.before["amount"], change.after["amount"]) == (_money(milestones[0].amount), _money(first.amount))
    assert change.user_name == cast.office.username

    with claims.registered(stand_in([claim(1, "洪阳镇服务站", 600, area_code=HONGYANG)])) as source:
        batch = services.create_subsidy_batch(
            cast.office, programme(), datetime.date(2020, 12, 1), claim_source=source.code
        )
    (line,) = SubsidyLine.objects.filter(batch=batch)
    (created,) = history_of(line)
    assert created.action == "create" and created.after["amount"] == _money(line.amount)
