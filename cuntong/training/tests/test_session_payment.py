"""The pure rule paying a provider per session (``rules.session_payment``) under the plan's own numbers: 普及型培训
50万元 for 5000 人次 and 提升型培训 60万元 for 1000 人次 give 100 and 600 元 a person-time."""

from decimal import Decimal
from pathlib import Path

from cuntong.core.claims import Claim
from cuntong.programme.plan import read_plan
from cuntong.training import rules


def plan_rule(level: str) -> dict:
    plan = read_plan(Path(__file__).resolve().parents[3] / "plans" / "puning-2019.yaml")
    return plan.data["rules"]["funds"]["training_session"][level]


def session(level="inclusive", person_times=30, has_photos=True) -> Claim:
    facts = {"level": level, "days": 2, "person_times": person_times, "persons": 15, "has_photos": has_photos}
    return Claim(1, "PX-01 测试培训班", facts)


def test_the_plan_binds_each_level_to_its_sub_item_at_the_plans_rate():
    assert plan_rule("inclusive") == {"sub_item": "inclusive_training", "per_person_time_yuan": 100}
    assert plan_rule("advanced") == {"sub_item": "advanced_training", "per_person_time_yuan": 600}


def test_a_session_is_paid_its_person_times_at_its_levels_rate():
    paid = rules.session_payment(session("inclusive", 30), plan_rule("inclusive"))
    assert (paid.amount, paid.reason_code) == (Decimal("3000.00"), "paid")
    assert "30 人次" in paid.reason
    paid = rules.session_payment(session("advanced", 12), plan_rule("advanced"))
    assert (paid.amount, paid.reason_code) == (Decimal("7200.00"), "paid")
    # the whole plan: 5000 inclusive and 1000 advanced person-times spend exactly the two sub-items
    assert rules.session_payment(session("inclusive", 5000), plan_rule("inclusive")).amount == Decimal(500000)
    assert rules.session_payment(session("advanced", 1000), plan_rule("advanced")).amount == Decimal(600000)


def test_no_attendance_or_no_photos_or_no_rate_is_paid_nothing_with_the_reason():
    rule = plan_rule("inclusive")
    for claim, code in (
        (session(person_times=0), "no_attendance"),
        (session(person_times=0, has_photos=False), "no_attendance"),
        (session(has_photos=False), "no_photos"),
        (session(level="unknown"), "no_rate"),
    ):
        priced = rules.session_payment(claim, rule)
        assert (priced.amount, priced.reason_code) == (Decimal(0), code)
        assert priced.reason
    assert rules.session_payment(session(), {"sub_item": "inclusive_training"}).reason_code == "no_rate"
