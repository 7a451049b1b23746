"""The claim registry (``core.claims``): a source is named once, bound to a plan rule by a dotted path, and finds
its rule in a programme's plan or says it has none."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from cuntong.core import claims


def source(code="sample", **fields) -> claims.ClaimSource:
    return claims.ClaimSource(
        **{
            "code": code,
            "kind": claims.COST,
            "label": "样例费用",
            "plan_rule": "warehouse.cold_store_cost",
            "collect": lambda programme, month: [],
            "price": lambda claim, rule: claims.Priced(Decimal(0), "none", "无"),
            **fields,
        }
    )


def plan(rules: dict):
    return SimpleNamespace(rule=lambda section: rules.get(section, {}))


def test_a_source_is_registered_once_and_outlived_by_its_code():
    first, second = source(), source()
    with claims.registered(first):
        assert claims.get("sample") is first and first in claims.sources()
        with pytest.raises(ImproperlyConfigured, match="registered twice"):
            claims.register(second)
        assert claims.label_of("sample") == "样例费用"
    assert claims.get("sample") is None and claims.label_of("sample") == "sample"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"plan_rule": ""}, "plan_rule must name the plan rule"),
        ({"plan_rule": "station_subsidy"}, "plan_rule must name the plan rule"),
        ({"kind": "gift"}, "kind must be one of"),
        ({"code": "Bad Code"}, "lower-case letters"),
    ],
)
def test_a_source_must_say_what_it_is_and_where_the_plan_binds_it(fields, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        source(**fields)


def test_a_source_finds_its_rule_in_the_plan_or_none():
    rule = {"sub_item": "cold_store", "monthly_yuan": 1200}
    assert source().rule(plan({"warehouse": {"cold_store_cost": rule}})) == rule
    assert source().rule(plan({"warehouse": {}})) is None
    assert source().rule(plan({"warehouse": {"cold_store_cost": "not a rule"}})) is None
    assert (
        source(plan_rule="warehouse.costs.cold_store").rule(plan({"warehouse": {"costs": {"cold_store": rule}}}))
        == rule
    )


def test_facts_are_shown_with_their_labels():
    level = claims.Fact("level", "层级", choices={"village": "村级服务点"})
    assert (level.display("village"), level.display("county"), level.display(None)) == ("村级服务点", "county", None)
