"""Row-level scoping: the one mechanism that decides which records a user may see or act on.

Every business model declares a :class:`Scope` naming the lookup paths to its programme, its area and, for roles that
work on their own records only, its owner. ``Model.objects.restrict(user, action)`` turns the user's memberships
(role + area scope) into a filter. Pages, API endpoints, exports, reports and search all start from ``restrict``,
so a township official's view of the data is decided here and nowhere else.

Area scopes use NBS codes, which nest by prefix: province ``44`` ⊃ county ``445281`` ⊃ township ``445281102`` ⊃
village ``445281102201``. "Inside a scope" is therefore ``code__startswith``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

COUNTY_CODE_LENGTH = 6
ACTIONS = ("view", "add", "change", "delete")


@dataclass(frozen=True)
class Scope:
    """Where a model's records sit, as ORM lookup paths ("" means the model itself, None means not applicable)."""

    programme: str | None = "programme"
    area: str | None = None
    owner_user: str | None = None
    owner_organisation: str | None = None
    # Programme-wide records (plan, budget, KPI targets) that any member of the programme may read.
    shared: bool = False
    # The area path crosses a to-many relation (a user's memberships): results need de-duplicating.
    spans_many: bool = False


class ScopeGrant(Protocol):
    """What a membership contributes to a scope decision (see accounts.Membership)."""

    area_code: str
    organisation_id: int | None
    own_records_only: bool
    permissions: frozenset[str]


def _path(prefix: str | None, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


def permission_name(model: type[models.Model], action: str) -> str:
    """``stations.view_station``; custom actions (``approve``) follow Django's codename pattern too."""
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def grant_filter(model: type[models.Model], grant: ScopeGrant, user_id: int, action: str) -> Q | None:
    """The records one grant opens for ``action``, or None when it opens none."""
    scope: Scope = model.scope
    if permission_name(model, action) not in grant.permissions:
        return None
    code = grant.area_code
    below_county = len(code) > COUNTY_CODE_LENGTH
    reading_shared = scope.shared and action == "view"
    condition = Q()
    if scope.programme is not None:
        condition &= Q(**{f"{_path(scope.programme, 'county__code')}__startswith": code[:COUNTY_CODE_LENGTH]})
    # Areas narrow below county level; models outside any programme (areas themselves) always narrow by area.
    if scope.area is not None and (below_county or scope.programme is None):
        condition &= Q(**{f"{_path(scope.area, 'code')}__startswith": code})
    elif below_county and not reading_shared:
        return None
    if grant.own_records_only and not reading_shared:
        if scope.owner_user:
            condition &= Q(**{scope.owner_user: user_id})
        elif scope.owner_organisation and grant.organisation_id:
            condition &= Q(**{scope.owner_organisation: grant.organisation_id})
        else:
            return None
    return condition


def scope_filter(model: type[models.Model], user: AnonymousUser | models.Model, action: str) -> Q | None:
    """The union of the user's grants for ``action`` on ``model``; None means nothing at all."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Q()
    result = None
    for grant in user.scope_grants():
        condition = grant_filter(model, grant, user.pk, action)
        if condition is not None:
            result = condition if result is None else result | condition
    return result


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        """Only the records ``user`` may ``action``; nothing for anonymous users or users without a grant."""
        condition = scope_filter(self.model, user, action)
        if condition is None:
            return self.none()
        if not condition:
            return self
        restricted = self.filter(condition)
        return restricted.distinct() if self.model.scope.spans_many else restricted

    def in_programme(self, programme) -> RestrictedQuerySet:
        """Records of one programme (county); a model without a programme path is left as it is."""
        path = self.model.scope.programme
        if not programme or path is None:  # `not`: the request's lazy programme may wrap None
            return self
        return self.filter(**{path or "pk": programme.pk})


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):
    """The default manager of every scoped model."""


def is_permitted(user, action: str, instance: models.Model) -> bool:
    """Whether ``instance`` (already saved) lies inside ``user``'s scope for ``action``."""
    return type(instance).objects.restrict(user, action).filter(pk=instance.pk).exists()


def follow(instance: models.Model, path: str | None):
    """The id at the end of a scope path (``station__programme`` → the programme's id), None when absent."""
    if path is None:
        return None
    if path == "":
        return instance.pk
    *hops, last = path.split("__")
    target = instance
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)
