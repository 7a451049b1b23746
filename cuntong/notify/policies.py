"""Who may read the delivery log: the permission ``notify.audit_delivery`` (the office, the system administrator),
within the user's scope (``Delivery.scope``). A user's inbox and channel choices are theirs alone: every query of
them is filtered by the user, never widened by a role."""

from __future__ import annotations

AUDIT = "audit"  # the action the delivery log checks: notify.audit_delivery


def may_read_log(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm("notify.audit_delivery")
