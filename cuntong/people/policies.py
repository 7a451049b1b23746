"""Who may look people up and see their personal data in clear: one decision per action, called by the pages, the
API and the reveal service alike (residents here; user accounts and organisation contacts reveal through it too)."""

from __future__ import annotations

from django.db import models

from cuntong.core.scoping import is_permitted


def reveal_permission(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.reveal_{model._meta.model_name}"


def may_reveal(user, obj: models.Model) -> bool:
    """The model's ``reveal_<model>`` permission and the record inside ``user``'s view scope."""
    return bool(user.has_perm(reveal_permission(type(obj))) and is_permitted(user, "view", obj))


def may_look_up(user) -> bool:
    """Finding people by ID number (the lookup searches only the roster ``user`` may view)."""
    return user.has_perm("people.view_resident")
