"""The pure rules: 三员分立, who may grant and maintain, reserved permissions, credit codes, temporary passwords."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuntong.accounts import rules
from cuntong.accounts.passwords import character_classes

DUTY_OR_BUSINESS = st.sampled_from(["", *rules.DUTIES])


@pytest.mark.parametrize(
    ("held", "new", "code"),
    [
        ([], "system", None),
        (["system"], "system", None),  # the same duty in two areas
        (["", ""], "", None),  # business roles combine freely
        (["system"], "security", "two_duties"),
        (["security"], "audit", "two_duties"),
        (["audit"], "system", "two_duties"),
        ([""], "audit", "duty_with_business"),
        (["audit"], "", "duty_with_business"),
    ],
)
def test_duty_conflict(held, new, code):
    refusal = rules.duty_conflict(held, new)
    assert (refusal.code if refusal else None) == code


@given(st.lists(DUTY_OR_BUSINESS, max_size=4), DUTY_OR_BUSINESS)
def test_no_accepted_combination_mixes_an_administrator_duty_with_anything_else(held, new):
    if rules.duty_conflict(held, new) is None:
        duties = set(held) | {new}
        assert duties <= {""} or len(duties) == 1


def test_grant_rules():
    def refusal(grantor, superuser, user, duty):
        found = rules.grant_refusal(grantor_id=grantor, grantor_is_superuser=superuser, user_id=user, duty=duty)
        return found.code if found else None

    assert refusal(None, False, 7, "audit") is None  # the command line
    assert refusal(1, True, 1, "audit") is None  # the superuser
    assert refusal(7, False, 7, "") == "self_grant"
    assert refusal(1, False, 7, "security") == "duty_grant"
    assert refusal(1, False, 7, "") is None


def test_account_rules():
    def refusal(actor, superuser, target, duties):
        found = rules.account_refusal(
            actor_id=actor, actor_is_superuser=superuser, target_id=target, target_duties=duties
        )
        return found.code if found else None

    assert refusal(1, False, 1, set()) == "self_account"
    assert refusal(1, False, 2, {"audit"}) == "duty_account"
    assert refusal(1, False, 2, set()) is None
    assert refusal(1, True, 2, {"audit"}) is None


def test_reserved_permissions_belong_to_one_duty_each():
    for duty, names in rules.RESERVED_PERMISSIONS.items():
        others = set().union(*(n for d, n in rules.RESERVED_PERMISSIONS.items() if d != duty))
        assert not names & others
        assert rules.reserved_violations(duty, names) == set()
        assert rules.reserved_violations("", names) == set(names)
    assert rules.reserved_violations("system", {"accounts.change_role", "geo.view_area"}) == {"accounts.change_role"}


@pytest.mark.parametrize(
    ("code", "valid"),
    [("91110000600037341L", True), ("91110000600037341X", False), ("9111000060003734", False), ("", False)],
)
def test_credit_code(code, valid):
    assert (rules.credit_code_error(code) is None) is valid


@given(st.integers(min_value=10, max_value=40))
def test_temporary_passwords_meet_the_rules(length):
    password = rules.temporary_password(length)
    assert len(password) == length and character_classes(password) == 4
