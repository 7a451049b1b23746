"""The pure rules: back-off at its edges, channel choice, dedupe periods, masks."""

import datetime

import pytest

from cuntong.notify import rules
from cuntong.notify.rules import RetryPolicy, backoff_seconds, chosen_channels, dedupe_token, next_retry

POLICY = RetryPolicy(max_attempts=5, base=60, factor=2, cap=600)


def test_backoff_doubles_from_the_base_and_stops_at_the_cap():
    assert [backoff_seconds(n, POLICY) for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


def test_backoff_reaches_the_cap_exactly_and_never_overflows():
    exact = RetryPolicy(max_attempts=10, base=100, factor=2, cap=400)
    assert backoff_seconds(3, exact) == 400  # 100 → 200 → 400: the cap itself
    assert backoff_seconds(10**6, exact) == 400  # no huge integer built on the way


def test_backoff_is_only_asked_after_a_failure():
    with pytest.raises(ValueError):
        backoff_seconds(0, POLICY)


def test_a_zero_base_retries_at_once():
    assert backoff_seconds(3, RetryPolicy(base=0, cap=0)) == 0


def test_next_retry_gives_up_at_the_last_attempt():
    assert next_retry(1, POLICY) == 60
    assert next_retry(4, POLICY) == 480  # the 5th attempt is still to come
    assert next_retry(5, POLICY) is None
    assert next_retry(6, POLICY) is None
    assert next_retry(1, RetryPolicy(max_attempts=1)) is None  # one attempt only: no retry at all


@pytest.mark.parametrize("kwargs", [{"max_attempts": 0}, {"base": -1}, {"factor": 0}, {"base": 100, "cap": 50}])
def test_an_impossible_policy_is_refused(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


def test_channels_are_the_users_choice_else_the_defaults_inbox_always_first():
    enabled = ["inbox", "email", "sms", "console"]
    assert chosen_channels(("inbox", "email"), None, enabled) == ("inbox", "email")
    assert chosen_channels(("inbox", "email"), ["sms"], enabled) == ("inbox", "sms")
    assert chosen_channels(("inbox", "email"), [], enabled) == ("inbox",)  # everything unticked: inbox stays
    assert chosen_channels(("email", "wecom"), None, ["inbox", "email"]) == ("inbox", "email")  # not enabled
    assert chosen_channels((), ["sms", "email", "sms"], enabled) == ("inbox", "email", "sms")


def test_dedupe_tokens_by_period():
    monday = datetime.date(2024, 12, 30)  # ISO week 1 of 2025
    assert dedupe_token("", "day", monday) == ""
    assert dedupe_token("r:1", "once", monday) == "r:1"
    assert dedupe_token("r:1", "day", monday) == "r:1@2024-12-30"
    assert dedupe_token("r:1", "week", monday) == "r:1@2025-W01"
    assert dedupe_token("r:1", "week", datetime.date(2025, 1, 5)) == "r:1@2025-W01"  # same week, Sunday
    assert dedupe_token("r:1", "week", datetime.date(2025, 1, 6)) == "r:1@2025-W02"
    assert dedupe_token("r:1", "month", monday) == "r:1@2024-12"
    assert dedupe_token("r:1", "month", datetime.date(2025, 1, 1)) == "r:1@2025-01"
    with pytest.raises(ValueError):
        dedupe_token("r:1", "year", monday)


def test_masks():
    assert rules.mask_phone("13812345678") == "138****5678"
    assert rules.mask_phone("07538888888") == "075****8888"
    assert rules.mask_phone("1234") == "****"
    assert rules.mask_email("zhang.san@example.gov.cn") == "z***@example.gov.cn"
    assert rules.mask_email("nonsense") == "***"
    assert rules.clip("abcdef", 4) == "abc…" and rules.clip("abc", 4) == "abc"
