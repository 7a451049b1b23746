"""Who may act on training records: one decision per action, asked by the services (the gate every change passes),
the pages (what they offer) and the API alike. A record action is the model permission *and* the record inside the
user's scope; only the explicit ``SYSTEM`` passes without a grant and ``None`` is refused."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from cuntong.core.actors import SYSTEM
from cuntong.core.scoping import is_permitted


def may(user, action: str, record) -> bool:
    return user is SYSTEM or (user is not None and is_permitted(user, action, record))


def require(user, action: str, record) -> None:
    if not may(user, action, record):
        raise PermissionDenied(_("您没有该操作的权限。"))


def may_record_attendance(user, session) -> bool:
    """Recording who was present (ticking the list, importing the signed roster, sending reminders): adding
    attendance and the session inside the user's change scope."""
    if user is SYSTEM:
        return True
    return bool(user is not None and user.has_perm("training.add_attendance") and may(user, "change", session))


def require_record_attendance(user, session) -> None:
    if not may_record_attendance(user, session):
        raise PermissionDenied(_("您没有登记该培训班考勤的权限。"))


def may_add_trainee(user) -> bool:
    return user is SYSTEM or (user is not None and user.has_perm("training.add_trainee"))
