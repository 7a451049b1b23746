"""The roster's transactions, and revealing personal data: the one place plaintext leaves a PersonalValue for a user.

A reveal needs what ``policies.may_reveal`` asks (the model's ``reveal_<model>`` permission, the record inside the
user's view scope) and a reason; it is written to the security log before the value is returned. Any model with
encrypted fields and such a permission (residents, user accounts, organisation contacts, later trainees) reveals
through here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from cuntong.audit.services import log_event
from cuntong.core.fields import EncryptedPersonalField

from . import policies, rules
from .models import Resident


def personal_field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedPersonalField)]


def reveal(user, obj: models.Model, field_name: str, reason: str) -> str:
    """The plaintext of one personal field, after permission, scope and reason checks; logged first."""
    if field_name not in personal_field_names(type(obj)):
        raise ValidationError(_("“%(f)s”不是个人信息字段。") % {"f": field_name}, code="field")
    if not policies.may_reveal(user, obj):
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    error = rules.reveal_reason_error(reason)
    if error:
        raise ValidationError(error, code="reason")
    value = getattr(obj, field_name)
    log_event("reveal", user=user, obj=obj, reason=reason.strip(), field=field_name)
    return value.reveal() if value else ""


def duplicate_of(programme, id_number: str, *, exclude_pk=None) -> Resident | None:
    """The roster entry already holding this ID number in the programme (matched by blind index)."""
    queryset = Resident.objects.filter(programme=programme).with_id_number(id_number)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.first()
