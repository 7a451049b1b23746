"""Who may act on stations and their records: one decision per action, called by the services (the gate every
change passes), the pages (what they offer) and the API alike, so an action has the same permission and scope
wherever it is reached.

A record action is the model permission for it *and* the record inside the user's scope (``is_permitted``); only
the explicit ``SYSTEM`` passes without a grant and ``None`` is refused.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from cuntong.core.actors import SYSTEM
from cuntong.core.scoping import is_permitted

from . import rules


def may(user, action: str, record) -> bool:
    """``user`` may take ``action`` on this saved record (station, report, check-in …): permission and scope."""
    return user is SYSTEM or (user is not None and is_permitted(user, action, record))


def require(user, action: str, record) -> None:
    if not may(user, action, record):
        raise PermissionDenied(_("您没有该操作的权限。"))


def transition_targets(user, station) -> list[str]:
    """The statuses ``user`` may move ``station`` to now (``services.transition`` checks the step again); one scope
    check per distinct action, however many steps share it."""
    steps = rules.TRANSITIONS.get(station.status, {})
    allowed = {action: may(user, action, station) for action in set(steps.values())}
    return [target for target, action in steps.items() if allowed[action]]


def may_manage_network(user) -> bool:
    """The programme-wide dynamic management (scoring the months, proposing, refreshing the benchmark flags): the
    permission, or the system's monthly run."""
    return user is SYSTEM or (user is not None and user.has_perm("stations.manage_station"))


def require_manage_network(user) -> None:
    if not may_manage_network(user):
        raise PermissionDenied(_("您没有该操作的权限。"))


def require_coverage(figures) -> None:
    """Coverage is totalled over townships or the county: refused where the user's scope sees no network to total
    (``figures`` is None) — a keeper sees their own station, not their township's coverage."""
    if figures is None:
        raise PermissionDenied(_("覆盖率按乡镇或全县统计，您的账号只能查看本站的记录。"))
