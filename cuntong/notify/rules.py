"""Pure rules of notifications: retry back-off, which channels a recipient gets, dedupe periods, masked addresses.

No ORM here (checked by import-linter): services apply these to the rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

INBOX = "inbox"
PERIODS = ("once", "day", "week", "month")


@dataclass(frozen=True)
class RetryPolicy:
    """``base`` seconds after the first failure, times ``factor`` after each further one, never more than ``cap``;
    ``max_attempts`` attempts in all, the first included."""

    max_attempts: int = 5
    base: int = 60
    factor: int = 2
    cap: int = 3600

    def __post_init__(self):
        if self.max_attempts < 1 or self.base < 0 or self.factor < 1 or self.cap < self.base:
            raise ValueError(f"invalid retry policy {self}")


def backoff_seconds(failed_attempts: int, policy: RetryPolicy = RetryPolicy()) -> int:
    """Seconds to wait after the ``failed_attempts``-th failed attempt (1 → base, 2 → base×factor, … capped)."""
    if failed_attempts < 1:
        raise ValueError("back-off is computed after a failed attempt (1 or more)")
    # Stop multiplying once past the cap: a large attempt count must not build a huge integer.
    delay = policy.base
    for _ in range(failed_attempts - 1):
        delay *= policy.factor
        if delay >= policy.cap:
            return policy.cap
    return min(delay, policy.cap)


def next_retry(failed_attempts: int, policy: RetryPolicy = RetryPolicy()) -> int | None:
    """Seconds until the next attempt after ``failed_attempts`` failures, or None: give up (marked failed)."""
    if failed_attempts >= policy.max_attempts:
        return None
    return backoff_seconds(failed_attempts, policy)


def chosen_channels(
    defaults: Iterable[str], preference: Iterable[str] | None, enabled: Iterable[str]
) -> tuple[str, ...]:
    """The channels one recipient gets for a kind: their own choice if they made one, else the kind's defaults;
    only channels this installation has enabled; the inbox always, first."""
    enabled = set(enabled)
    wanted = defaults if preference is None else preference
    rest = sorted({c for c in wanted if c in enabled and c != INBOX})
    return (INBOX, *rest)


def dedupe_token(key: str, period: str, today: datetime.date) -> str:
    """What makes two notifications of one kind to one recipient the same: the caller's key within a period
    (``report:42`` this week → ``report:42@2024-W05``). An empty key never deduplicates."""
    if not key:
        return ""
    if period not in PERIODS:
        raise ValueError(f"unknown dedupe period {period!r}: one of {', '.join(PERIODS)}")
    if period == "once":
        return key
    if period == "day":
        return f"{key}@{today.isoformat()}"
    if period == "week":
        year, week, _day = today.isocalendar()
        return f"{key}@{year}-W{week:02d}"
    return f"{key}@{today:%Y-%m}"


def mask_email(address: str) -> str:
    """``zhang.san@example.gov.cn`` → ``z***@example.gov.cn``: enough to tell two addresses apart in the log."""
    local, at, domain = address.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_phone(number: str) -> str:
    """``13812345678`` → ``138****5678`` (the project's mask for phones); short numbers are starred whole."""
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
