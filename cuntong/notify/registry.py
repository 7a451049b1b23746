"""The kinds of notification (a kernel-style registry): each app declares its kinds in its ``notifications.py``
(imported at start-up with the other registry modules, ``core/apps.py``) and calls ``services.notify`` with them.

A kind names its ``code`` (``funds.request_decided``), a ``label`` users see on the preferences page, the channels a
recipient gets unless they chose otherwise (``default_channels``; the inbox always), and ``audience``: who receives
it, in words, for the preferences page and the documentation. The recipients themselves are the caller's to name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .rules import INBOX


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    default_channels: tuple[str, ...] = (INBOX,)
    audience: str = ""
    order: int = 100
    listed: bool = True  # offered on the preferences page


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Declare a kind; registering a code twice with a different declaration is a programming error."""
    known = _kinds.get(kind.code)
    if known is not None and known != kind:
        raise ValueError(f"notification kind {kind.code} registered twice")
    _kinds[kind.code] = kind
    return kind


def get(code: str) -> Kind:
    try:
        return _kinds[code]
    except KeyError:
        raise KeyError(f"no notification kind {code}: register it in the app's notifications.py") from None


def kinds(*, listed_only: bool = False) -> list[Kind]:
    return sorted((k for k in _kinds.values() if k.listed or not listed_only), key=lambda k: (k.order, k.code))


# The platform's own kinds; later apps (training, logistics, sensors) add theirs in their notifications.py.
REMINDER = register(
    Kind("notify.reminder", _("催报提醒"), (INBOX, "email", "sms", "console"), _("须按期填报的人"), order=10)
)
TEST = register(
    Kind(
        "notify.test",
        _("测试通知"),
        (INBOX, "email", "sms", "console", "file"),
        _("管理员指定的用户"),
        order=999,
        listed=False,
    )
)
