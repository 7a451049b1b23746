"""To-dos (待办) on a user's home page, gathered from every app without the home page knowing the apps.

An app registers providers in its own ``todos.py`` (imported at start-up, see ``core/apps.py``)::

    @todo_provider("funds.requests")
    def requests_awaiting(user, programme):
        return [Todo(_("待审核的拨付申请"), count, url)]

A provider returns only what ``user`` may act on, decided by the app's own permission checks (its policies or
services), and dates from ``timezone.localdate()``. The home page lists every provider's items, most urgent first:
overdue or flagged urgent, then by due date, then those without one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

SOON_DAYS = 3  # a due date this close reads "即将到期"


@dataclass(frozen=True)
class Todo:
    """One line of the list: ``count`` records wait at ``url``, the first of them due on ``due``."""

    title: str
    count: int
    url: str
    due: datetime.date | None = None
    urgent: bool = False

    def urgency(self, today: datetime.date) -> str:
        """``overdue``, ``urgent``, ``soon`` (due within SOON_DAYS) or ``""``."""
        if self.due is not None and self.due < today:
            return "overdue"
        if self.urgent:
            return "urgent"
        if self.due is not None and self.due <= today + datetime.timedelta(days=SOON_DAYS):
            return "soon"
        return ""

    def sort_key(self, today: datetime.date) -> tuple:
        pressing = self.urgency(today) in ("overdue", "urgent")
        return (not pressing, self.due or datetime.date.max, str(self.title))


Provider = Callable[[object, object], Iterable[Todo]]
_providers: dict[str, Provider] = {}


def todo_provider(name: str) -> Callable[[Provider], Provider]:
    """Register ``provider(user, programme) -> [Todo, …]`` under ``name``."""

    def decorate(provider: Provider) -> Provider:
        if name in _providers:
            raise ValueError(f"to-do provider {name} registered twice")
        _providers[name] = provider
        return provider

    return decorate


def providers() -> list[str]:
    return sorted(_providers)


def todos_for(
    user, programme, *, today: datetime.date | None = None, apps: tuple[str, ...] = ()
) -> list[tuple[Todo, str]]:
    """Everything waiting for ``user`` in ``programme`` with its urgency, most urgent first; empty items left out.
    ``apps`` keeps only those apps' providers (``("funds",)``: a module's own page of what waits)."""
    if not getattr(user, "is_authenticated", False) or not programme:
        return []
    today = today or timezone.localdate()
    chosen = [p for name, p in _providers.items() if not apps or name.split(".", 1)[0] in apps]
    items = [item for provider in chosen for item in provider(user, programme) if item.count]
    return [(item, item.urgency(today)) for item in sorted(items, key=lambda item: item.sort_key(today))]
