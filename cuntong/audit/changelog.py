"""Change history of every scoped model, written from model signals so no caller can forget it.

Snapshots hold field values as JSON; personal data appears only masked (its ``str``), password hashes never.
"""

import datetime
import uuid
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from cuntong.core.personal import PersonalValue
from cuntong.core.scoping import follow

from .context import current_actor

NEVER_RECORDED = {"password", "last_login", "created_at", "updated_at"}


def is_tracked(model: type[models.Model]) -> bool:
    return getattr(model, "scope", None) is not None and getattr(model, "track_changes", True)


def _json_value(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, PersonalValue):
        return str(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    if isinstance(value, list | dict):
        return value
    return str(value)


def snapshot(instance: models.Model) -> dict:
    excluded = NEVER_RECORDED | set(getattr(instance, "history_exclude", ()))
    return {
        field.attname: _json_value(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.name not in excluded and field.attname not in excluded
    }


def record(instance: models.Model, action: str, before: dict | None, after: dict | None):
    from .models import ChangeRecord

    if action == ChangeRecord.Action.UPDATE and before == after:
        return None
    actor = current_actor()
    scope = type(instance).scope
    user = actor.user
    return ChangeRecord.objects.create(
        user=user,
        user_name=getattr(user, "username", "") or actor.via,
        address=actor.address,
        request_id=actor.request_id,
        via=actor.via,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        programme_id=follow(instance, scope.programme),
        area_id=follow(instance, scope.area),
        before=before,
        after=after,
    )


def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not is_tracked(sender) or instance._state.adding or instance.pk is None:
        return
    previous = sender._base_manager.filter(pk=instance.pk).first()
    instance._history_before = snapshot(previous) if previous is not None else None


def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not is_tracked(sender):
        return
    before = None if created else getattr(instance, "_history_before", None)
    record(instance, "create" if created else "update", before, snapshot(instance))
    instance._history_before = None


def _record_delete(sender, instance, **kwargs):
    if is_tracked(sender):
        record(instance, "delete", snapshot(instance), None)


def connect():
    pre_save.connect(_remember_before, dispatch_uid="cuntong_history_before")
    post_save.connect(_record_save, dispatch_uid="cuntong_history_save")
    post_delete.connect(_record_delete, dispatch_uid="cuntong_history_delete")


def history_of(instance: models.Model):
    from .models import ChangeRecord

    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=False),
        object_id=str(instance.pk),
    ).select_related("user")
