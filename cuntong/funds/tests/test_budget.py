"""Seed figures: the Puning budget loads as 1,500 + 150, every budget change enters the ledger, and no line or
sub-item can be taken past its budget (line 4's local share: 40万)."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from cuntong.core.money import wan_to_yuan
from cuntong.funds import queries, services
from cuntong.funds.models import BudgetLine, LedgerEntry
from cuntong.funds.rules import FundRuleViolation
from cuntong.programme.services import load_plan_file
from cuntong.web.testing import programme

from .factories import contract, direct_request, line, milestone_request, set_status, through

WAN = Decimal(10000)


def test_puning_budget_loads_as_1500_national_plus_150_local(base_data):
    totals = queries.programme_totals(programme())
    assert totals["national"]["budget"] == 1500 * WAN
    assert totals["local"]["budget"] == 150 * WAN
    assert totals["total"]["budget"] == 1650 * WAN
    lines = {(b.project.number, b.source): b.amount for b in BudgetLine.objects.select_related("project")}
    assert lines[(4, "national")] == 450 * WAN and lines[(4, "local")] == 40 * WAN
    assert lines[(6, "local")] == 110 * WAN


def test_loading_the_plan_sets_each_line_in_the_ledger_once(base_data):
    entries = LedgerEntry.objects.filter(event="budget_set", subject_type="programme.budgetallocation")
    by_source = {
        source: entries.filter(payload__source=source).aggregate(total=Sum("amount"))["total"]
        for source in ("national", "local")
    }
    assert by_source == {"national": 1500 * WAN, "local": 150 * WAN}
    sub_items = LedgerEntry.objects.filter(event="budget_set", subject_type="programme.subitem")
    assert sub_items.count() == 16
    before = LedgerEntry.objects.count()
    load_plan_file()  # loading the same plan again changes nothing, so it records nothing
    assert LedgerEntry.objects.count() == before


def test_a_changed_budget_is_recorded_with_its_previous_amount(base_data):
    allocation = line(4, "local")
    allocation.amount = 45 * WAN
    allocation.save()
    entry = LedgerEntry.objects.filter(event="budget_set", line=allocation).order_by("-seq").first()
    assert entry.amount == 45 * WAN
    assert Decimal(entry.payload["previous"]) == 40 * WAN


def test_a_request_taking_line_4_local_share_past_40_wan_is_refused(cast):
    set_status(4, "in_implementation")
    first = direct_request(cast.office, amount_wan="30", number=4, source="local", item="station_operation")
    second = direct_request(cast.office, amount_wan="10", number=4, source="local")
    third = direct_request(cast.office, amount_wan="5", number=4, source="local")
    for request in (first, second):
        through(request, cast, until="approved")
    # 30万 + 10万 approved: the line's 40万 is used up; the third request is refused at approval …
    services.decide(cast.office2, third, "review")
    with pytest.raises(FundRuleViolation) as caught:
        services.decide(cast.finance, third, "approve")
    assert caught.value.code == "over_budget"
    assert "4. 升级农村电子商务公共服务体系 · 本级财政配套资金" in caught.value.message
    third.refresh_from_db()
    assert third.status == "reviewed"
    # … and a new one is refused at submission.
    with pytest.raises(FundRuleViolation):
        direct_request(cast.office, amount_wan="1", number=4, source="local")
    assert queries.line_position(line(4, "local").pk).approved == 40 * WAN


def test_one_request_larger_than_the_line_is_refused_at_submission(cast):
    set_status(4, "in_implementation")
    with pytest.raises(FundRuleViolation) as caught:
        direct_request(cast.office, amount_wan="40.01", number=4, source="local")
    assert caught.value.code == "over_budget"


def test_sub_items_are_capped_across_sources(cast):
    set_status(4, "in_implementation")
    # station_maintenance is 15万 over both sources of project 4.
    through(direct_request(cast.office, amount_wan="10", number=4, source="national", item="station_maintenance"), cast)
    with pytest.raises(FundRuleViolation) as caught:
        direct_request(cast.office, amount_wan="6", number=4, source="local", item="station_maintenance")
    assert "电子商务服务站点3年维护费用" in caught.value.message


def test_a_contract_cannot_commit_more_than_the_line(cast):
    contract(cast.office, amount_wan="300", number=5)
    with pytest.raises(FundRuleViolation) as caught:
        contract(cast.office, amount_wan="1", number=5)
    assert caught.value.code == "over_budget"
    assert "已承诺 3,000,000.00 元" in caught.value.message


def test_direct_spending_respects_contract_commitments(cast):
    set_status(6, "in_implementation")
    contract(cast.office, amount_wan="100", number=6, source="local")
    with pytest.raises(FundRuleViolation):
        direct_request(cast.office, amount_wan="11", number=6, source="local")
    through(direct_request(cast.office, amount_wan="10", number=6, source="local"), cast)


def test_committed_approved_and_paid_are_summed_from_records(cast):
    set_status(4, "in_implementation")
    signed = contract(cast.office, amount_wan="50", number=4, item="town_stations")
    contract(cast.office, amount_wan="8", number=4, item="town_stations", sign=False)  # a draft commits nothing
    paid = through(milestone_request(cast.contractor, signed, 1), cast)
    approved = through(milestone_request(cast.contractor, signed, 2, amount=wan_to_yuan("5")), cast, until="approved")
    pending = milestone_request(cast.contractor, signed, 3)
    direct = through(direct_request(cast.office, amount_wan="3", number=4, source="national"), cast, until="approved")
    row = queries.lines_with_figures(BudgetLine.objects.filter(pk=line(4).pk)).get()
    assert row.contracted_amount == 50 * WAN
    assert row.committed_amount == 53 * WAN  # the contract plus direct spending approved outside it
    assert row.approved_amount == paid.amount + approved.amount + direct.amount == 28 * WAN
    assert row.paid_amount == paid.amount == 20 * WAN
    assert row.pending_amount == pending.amount
    item = queries.sub_items_with_figures().get(code="town_stations", project__programme=programme())
    assert item.committed_amount == 50 * WAN and item.paid_amount == 20 * WAN


def test_budget_execution_kpis_are_registered_and_computed(cast):
    import json
    from io import StringIO

    from django.core.management import call_command

    set_status(4, "in_implementation")
    through(direct_request(cast.office, amount_wan="16.5", number=4, source="local"), cast)
    out = StringIO()
    call_command("kpi", "--format", "json", stdout=out)
    kpis = {k["key"]: k for k in json.loads(out.getvalue())["kpis"]}
    assert kpis["funds.execution_rate"]["value"] == "1"  # 16.5万 of 1,650万
    assert kpis["funds.paid_local"]["value"] == "16.5"
    assert kpis["funds.paid_national"]["value"] == "0"
    assert kpis["funds.commitment_rate"]["value"] == "1"
    assert kpis["funds.lines_over_budget"]["value"] == "0"
    from cuntong.programme.kpi import AreaScope, registry

    drilldown = registry.drilldown(AreaScope(programme(), cast.evaluator), "funds.execution_rate")
    assert [r.amount for r in drilldown] == [wan_to_yuan("16.5")]
