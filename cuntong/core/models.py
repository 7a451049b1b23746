"""The base every business model derives from."""

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import RestrictedManager, Scope


class BusinessModel(models.Model):
    """A record of a programme: scoped by ``scope``, change-logged by the audit app, timestamped.

    Subclasses set ``scope`` (see :mod:`cuntong.core.scoping`). ``personal_fields`` are masked in change history.
    ``track_changes``: every change is recorded in the change history (audit/changelog.py), bulk writes included
    (audit/bulk.py). A model whose rows are themselves the record writes no history: it derives from
    ``core.appendonly.AppendOnlyModel``, which sets ``track_changes = False`` and refuses edits (a meta-test allows
    no other untracked model without a stated reason).
    """

    scope = Scope()
    track_changes = True
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RestrictedManager()

    class Meta:
        abstract = True


def business_models() -> list[type[models.Model]]:
    """Every concrete business model: those the scope tests and change history must cover."""
    return [m for m in apps.get_models() if issubclass(m, BusinessModel) or getattr(m, "scope", None) is not None]


def is_tracked(model: type[models.Model]) -> bool:
    """Whether the change history records ``model``'s changes: a scoped model that does not opt out."""
    return getattr(model, "scope", None) is not None and getattr(model, "track_changes", True)
