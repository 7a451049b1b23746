"""Who acts: a person, or the platform itself — never nobody.

Every service that changes data takes the acting user and checks permission, scope and the rules itself; there is
no implicit actor. Code that acts for no person (a management command, the demo, a scheduled or background job)
passes ``SYSTEM`` explicitly — no request, token or import row ever becomes it — and a service or importer given
``None`` refuses (fails closed). What the system does is recorded with no user; the change history names its
channel (``audit.context.acting_as(..., via=...)``).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class SystemActor:
    """The platform acting on its own authority."""

    is_superuser = False
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def recorded_user(user):
    """Who to record as having acted: the person, or nobody for the system."""
    return None if user is SYSTEM else user


def restrict(queryset, user, action: str = "view"):
    """``queryset`` narrowed to what ``user`` may ``action`` (the system: all of it; no user: nothing)."""
    if user is SYSTEM:
        return queryset
    return queryset.restrict(user, action) if user is not None else queryset.none()


def require_actor(user) -> None:
    """Refuse work that names no actor: a person or ``SYSTEM``, never None."""
    if user is None:
        raise PermissionDenied(_("此操作须由具体用户发起。"))
