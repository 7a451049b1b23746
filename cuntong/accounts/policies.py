"""Who may administer accounts: one decision per action, called by the pages, the API, the forms and the services
alike, so granting a role, maintaining an account or reading the roles is decided in one place.

The rules themselves (三员分立, no self-grants) are pure functions in ``rules``; this module applies them to the
acting user. A refusal is a ``rules.Refusal`` (its message says why) or ``PermissionDenied``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from . import rules
from .models import Membership, Role, User


def _actor(by) -> dict:
    """``by`` as the rules see it (None: the command line, the system itself)."""
    return {"actor_id": getattr(by, "pk", None), "actor_is_superuser": bool(getattr(by, "is_superuser", False))}


# --- memberships --------------------------------------------------------------------------------------------------


def grant_refusal(by, membership: Membership) -> rules.Refusal | None:
    """Whether ``by`` may write ``membership``: nobody changes their own roles; only the superuser (or the command
    line) grants the three administrator roles."""
    actor = _actor(by)
    return rules.grant_refusal(
        grantor_id=actor["actor_id"],
        grantor_is_superuser=actor["actor_is_superuser"],
        user_id=membership.user_id,
        duty=membership.role.duty,
    )


def grantable_roles(by):
    """The roles ``by`` may grant (the forms' choices): administrator (duty) roles only by the superuser."""
    queryset = Role.objects.order_by("duty", "code")
    return queryset if _actor(by)["actor_is_superuser"] else queryset.filter(duty="")


# --- accounts -----------------------------------------------------------------------------------------------------


def account_refusal(by, account: User) -> rules.Refusal | None:
    """Whether ``by`` may maintain ``account`` (edit it, reset its password): not one's own here, and an
    administrator's account only through the superuser."""
    return rules.account_refusal(**_actor(by), target_id=account.pk, target_duties=account.duties)


def may_maintain(by, account: User) -> bool:
    return account_refusal(by, account) is None


def require_maintain(by, account: User) -> None:
    refusal = account_refusal(by, account)
    if refusal is not None:
        raise PermissionDenied(refusal.message)


# --- roles --------------------------------------------------------------------------------------------------------


def may_view_roles(user) -> bool:
    """The deployment-wide permission sets: read by whoever holds the permission (no area scope applies)."""
    return bool(user and user.is_authenticated and user.has_perm("accounts.view_role"))
