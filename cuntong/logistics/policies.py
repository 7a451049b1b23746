"""Who may act on logistics records: one decision per action, called by the services, the pages and the API.

A record action is the model permission *and* the record inside the user's scope (``is_permitted``): a township
official's parcels and volumes are their township's, a carrier's account (an own-records role with the carrier's
organisation) sees its outlets' parcels only. A station keeper hands over the parcels waiting at the stations they
keep (``keeper_parcels``), found through the stations they may see. Only the explicit ``SYSTEM`` passes without a
grant; ``None`` is refused.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from cuntong.core.actors import SYSTEM
from cuntong.core.scoping import is_permitted
from cuntong.stations import rules as station_rules
from cuntong.stations.models import Station

from . import rules
from .models import Outlet, Parcel

HAND_OVER = "logistics.hand_over_parcel"


def may(user, action: str, record) -> bool:
    """``user`` may take ``action`` on this saved record: permission and scope."""
    return user is SYSTEM or (user is not None and is_permitted(user, action, record))


def require(user, action: str, record) -> None:
    if not may(user, action, record):
        raise PermissionDenied(_("您没有该操作的权限。"))


def keeper_stations(user):
    """The stations whose waiting parcels ``user`` hands over: those they keep and may see."""
    if user is None or user is SYSTEM or not user.has_perm(HAND_OVER):
        return Station.objects.none()
    return Station.objects.restrict(user, "view").filter(operator_user=user, status__in=station_rules.IN_OPERATION)


def keeper_parcels(user):
    """Parcels waiting at (or handed over at) the keeper's stations."""
    return Parcel.objects.filter(station__in=keeper_stations(user))


def may_hand_over(user, parcel) -> bool:
    """The keeper of the parcel's station, or staff who may change the parcel in their scope."""
    if user is SYSTEM:
        return True
    if user is None or parcel.station_id is None:
        return False
    return keeper_stations(user).filter(pk=parcel.station_id).exists() or is_permitted(user, "change", parcel)


def require_hand_over(user, parcel) -> None:
    if not may_hand_over(user, parcel):
        raise PermissionDenied(_("您没有该操作的权限。"))


def may_run_steps(user) -> bool:
    """Scanning parcels in, sorting, loading and delivering at the county centre."""
    return user is SYSTEM or (user is not None and user.has_perm("logistics.change_parcel"))


def require_steps(user) -> None:
    if not may_run_steps(user):
        raise PermissionDenied(_("您没有该操作的权限。"))


def may_report_status(user, parcel) -> bool:
    """A carrier reports a status of a parcel it may see (its own outlets'); county staff, of those in scope."""
    return user is SYSTEM or (
        user is not None and user.has_perm("logistics.add_parcelevent") and is_permitted(user, "view", parcel)
    )


def require_report_status(user, parcel) -> None:
    if not may_report_status(user, parcel):
        raise PermissionDenied(_("您没有该操作的权限。"))


def outlets_for(user):
    """The outlets ``user`` may announce parcels for: a carrier's account, its own; county staff, those in scope."""
    if user is SYSTEM:
        return Outlet.objects.all()
    if user is None or not user.has_perm("logistics.add_parcel"):
        return Outlet.objects.none()
    return Outlet.objects.restrict(user, "view")


def returnable(status: str) -> bool:
    return status == rules.AT_STATION


def volume_areas(user) -> list[str]:
    """The area codes whose volumes ``user`` may enter (the system: anywhere)."""
    if user is SYSTEM:
        return [""]
    if user is None:
        return []
    return [
        grant.area_code
        for grant in user.scope_grants()
        if "logistics.add_expressvolume" in grant.permissions and not grant.own_records_only
    ] + ([""] if user.is_superuser else [])


def may_enter_prices(user) -> bool:
    return user is SYSTEM or (user is not None and user.has_perm("logistics.add_pricesample"))
