"""The fund rules as pure functions, with the seed's numbers (40/40/15/5, 490 = 450 + 40) as cases."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuntong.funds import rules
from cuntong.funds.rules import FundRuleViolation, Position

D = Decimal
WAN = D(10000)
PUNING_FUNDS_RULE = {
    "local_funds_require_status": "in_implementation",
    "payment_schedule": {
        "milestones": [
            {"code": "signing", "name": "合同签订", "percent": 40},
            {"code": "progress", "name": "进度款", "percent": 40},
            {"code": "mid_term", "name": "中期评估及公示后", "percent": 15},
            {"code": "retention", "name": "质保金", "percent": 5},
        ]
    },
    "negative_list": {
        "items": [
            {"code": "traffic_purchase", "name": "购买流量", "keywords": ["购买流量", "刷单"]},
            {"code": "platform_building", "name": "建设电子商务平台", "keywords": ["自建平台"]},
            {"code": "debt_repayment", "name": "偿还债务"},
        ]
    },
}


def test_default_schedule_is_40_40_15_5():
    schedule = rules.schedule_from_rule(PUNING_FUNDS_RULE)
    assert [(m.code, m.percent) for m in schedule] == [
        ("signing", 40),
        ("progress", 40),
        ("mid_term", 15),
        ("retention", 5),
    ]
    assert rules.split_by_percent(D("1000000"), [m.percent for m in schedule]) == [
        D("400000.00"),
        D("400000.00"),
        D("150000.00"),
        D("50000.00"),
    ]


def test_split_puts_rounding_on_the_last_milestone():
    assert rules.split_by_percent(D("100.01"), [D(40), D(40), D(15), D(5)]) == [
        D("40.00"),
        D("40.00"),
        D("15.00"),
        D("5.01"),
    ]


@given(
    amount=st.decimals(min_value=D("0.01"), max_value=D("99999999.99"), places=2),
    cuts=st.lists(st.integers(min_value=1, max_value=99), min_size=0, max_size=5, unique=True),
)
def test_milestone_amounts_always_add_up_to_the_contract(amount, cuts):
    points = sorted(cuts)
    percents = [D(b - a) for a, b in zip([0, *points], [*points, 100], strict=True)]
    parts = rules.split_by_percent(amount, percents)
    assert sum(parts) == amount
    assert all(p >= 0 and p == p.quantize(D("0.01")) for p in parts)


@pytest.mark.parametrize(
    ("percents", "code"),
    [([], "schedule_empty"), ([D(60), D(30)], "schedule_total"), ([D(110), D(-10)], "schedule_percent")],
)
def test_bad_schedules_are_refused(percents, code):
    with pytest.raises(FundRuleViolation) as caught:
        rules.check_schedule(percents)
    assert caught.value.code == code


def test_line_4_local_share_cannot_pass_40_wan():
    line = Position(
        "4. 升级农村电子商务公共服务体系 · 本级财政配套资金", 40 * WAN, committed=30 * WAN, approved=30 * WAN
    )
    rules.check_approval(10 * WAN, [line], within_contract=False)  # exactly 40万: allowed
    with pytest.raises(FundRuleViolation) as caught:
        rules.check_approval(D("100000.01"), [line], within_contract=False)
    assert caught.value.code == "over_budget"
    assert "本级财政配套资金" in caught.value.message and "40.00" in caught.value.message


def test_contract_payments_draw_on_the_commitment_direct_spending_must_fit_beside_it():
    line = Position("line", 100 * WAN, committed=90 * WAN, approved=20 * WAN)
    rules.check_approval(50 * WAN, [line], within_contract=True)  # inside a signed contract's commitment
    with pytest.raises(FundRuleViolation):
        rules.check_approval(15 * WAN, [line], within_contract=False)  # would over-commit the line
    with pytest.raises(FundRuleViolation):
        rules.check_commitment(11 * WAN, [line])
    rules.check_commitment(10 * WAN, [line])


def test_every_position_is_checked_sub_item_included():
    line = Position("line", 490 * WAN)
    sub_item = Position("station_operation", 86 * WAN, approved=80 * WAN)
    with pytest.raises(FundRuleViolation) as caught:
        rules.check_approval(7 * WAN, [line, sub_item], within_contract=True)
    assert "station_operation" in caught.value.message


@given(
    budget=st.integers(min_value=0, max_value=10**6),
    amounts=st.lists(st.integers(min_value=1, max_value=10**5), max_size=30),
)
def test_approving_one_by_one_never_exceeds_the_budget(budget, amounts):
    approved = D(0)
    for amount in amounts:
        try:
            rules.check_approval(D(amount), [Position("l", D(budget), approved, approved)], within_contract=False)
        except FundRuleViolation:
            continue
        approved += amount
    assert approved <= budget


@pytest.mark.parametrize(
    ("source", "status", "allowed"),
    [
        ("local", "planned", False),
        ("local", "in_implementation", True),
        ("local", "completed", True),
        ("local", "accepted", True),
        ("national", "planned", True),
    ],
)
def test_local_matching_funds_wait_for_implementation(source, status, allowed):
    def check():
        rules.check_local_funds(source, "6. 其他相关项目", status, status, PUNING_FUNDS_RULE)

    if allowed:
        check()
    else:
        with pytest.raises(FundRuleViolation) as caught:
            check()
        assert caught.value.code == "local_funds_not_in_implementation"
        assert "实施计划表备注" in caught.value.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("店铺刷单推广", "negative_list:traffic_purchase"),
        ("购买流量包三个月", "negative_list:traffic_purchase"),
        ("自建平台二期开发", "negative_list:platform_building"),
        ("偿还债务", "negative_list:debt_repayment"),  # no keywords: the item's name is the keyword
    ],
)
def test_negative_list_refuses_naming_the_rule(text, code):
    with pytest.raises(FundRuleViolation) as caught:
        rules.check_negative_list([text], rules.negative_items(PUNING_FUNDS_RULE))
    assert caught.value.code == code
    assert code.split(":")[1] in caught.value.message


def test_ordinary_spending_passes_the_negative_list():
    rules.check_negative_list(["镇级服务站点装修及设备采购"], rules.negative_items(PUNING_FUNDS_RULE))


@pytest.mark.parametrize(
    ("action", "status", "target", "needs"),
    [
        ("review", "submitted", "reviewed", "review"),
        ("approve", "reviewed", "approved", "approve"),
        ("pay", "approved", "paid", "pay"),
        ("return", "submitted", "returned", "review"),
        ("return", "reviewed", "returned", "approve"),
        ("reject", "approved", "rejected", "approve"),
        ("resubmit", "returned", "submitted", "change"),
        ("reopen", "rejected", "submitted", "decide"),
    ],
)
def test_transitions(action, status, target, needs):
    assert rules.transition(action, status, status) == (target, needs)


@pytest.mark.parametrize(("action", "status"), [("approve", "submitted"), ("pay", "reviewed"), ("review", "paid")])
def test_steps_cannot_be_skipped(action, status):
    with pytest.raises(FundRuleViolation) as caught:
        rules.transition(action, status, status)
    assert caught.value.code == "invalid_transition"


def test_nobody_decides_their_own_request_and_reviewer_is_not_approver():
    for action in ("review", "approve", "pay", "return", "reject"):
        with pytest.raises(FundRuleViolation):
            rules.check_separation(action, 7, submitted_by=7, reviewed_by=None)
    with pytest.raises(FundRuleViolation) as caught:
        rules.check_separation("approve", 8, submitted_by=7, reviewed_by=8)
    assert caught.value.code == "same_reviewer"
    rules.check_separation("approve", 9, submitted_by=7, reviewed_by=8)


def test_refusals_need_a_reason():
    with pytest.raises(FundRuleViolation):
        rules.check_reason("reject", "  ")
    rules.check_reason("approve", "")


def test_appeal_window_and_deadline():
    decided = datetime.date(2020, 9, 1)
    rules.check_appeal_window("request_rejected", decided, decided + datetime.timedelta(days=30), {})
    with pytest.raises(FundRuleViolation) as caught:
        rules.check_appeal_window("request_rejected", decided, decided + datetime.timedelta(days=31), {})
    assert caught.value.code == "appeal_window_closed"
    with pytest.raises(FundRuleViolation):
        rules.check_appeal_window("budget_set", decided, decided, {})
    assert rules.appeal_deadline(decided, {}) == datetime.date(2020, 9, 16)
    assert rules.appeal_deadline(decided, {"appeal_decision_days": 5}) == datetime.date(2020, 9, 6)


def test_appeal_decider_must_be_independent():
    with pytest.raises(FundRuleViolation):
        rules.check_appeal_decider(3, filed_by=3, decided_by=4)
    with pytest.raises(FundRuleViolation) as caught:
        rules.check_appeal_decider(4, filed_by=3, decided_by=4)
    assert caught.value.code == "own_decision"
    rules.check_appeal_decider(5, filed_by=3, decided_by=4)
    assert rules.check_appeal_transition("uphold", "under_review") == "upheld"
    with pytest.raises(FundRuleViolation):
        rules.check_appeal_transition("dismiss", "upheld")


def test_timetable_expectation_is_linear_to_the_due_date():
    start, due = datetime.date(2019, 10, 1), datetime.date(2020, 12, 31)
    assert rules.planned_share(start, due, start) == 0
    assert rules.planned_share(start, due, due) == 1
    assert rules.planned_share(start, due, datetime.date(2021, 6, 1)) == 1
    assert rules.planned_share(datetime.date(2020, 1, 1), datetime.date(2020, 1, 31), datetime.date(2020, 1, 16)) == D(
        "0.5"
    )
    expected = rules.planned_cumulative([(D(100), due), (D(50), datetime.date(2021, 12, 31))], start, [due])
    assert expected == [
        D("100") + (D(50) * rules.planned_share(start, datetime.date(2021, 12, 31), due)).quantize(D("0.01"))
    ]
    ends = rules.month_ends(datetime.date(2019, 11, 15), datetime.date(2020, 2, 3))
    assert ends == [
        datetime.date(2019, 11, 30),
        datetime.date(2019, 12, 31),
        datetime.date(2020, 1, 31),
        datetime.date(2020, 2, 29),
    ]
