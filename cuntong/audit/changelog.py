"""Change history of every scoped model, written from model signals so no caller can forget it.

Snapshots hold field values as JSON; personal data appears only masked (its ``str``), names listed in a model's
``personal_fields`` masked too, blind indexes and password hashes never. So an erased person's history keeps only
what cannot identify them, and the audit trail itself never needs rewriting.
"""

import datetime
import uuid
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from cuntong.core.fields import BlindIndexField
from cuntong.core.models import is_tracked
from cuntong.core.personal import PersonalKind, PersonalValue, mask_text
from cuntong.core.scoping import follow

from .context import current_actor

NEVER_RECORDED = {"password", "last_login", "created_at", "updated_at"}
NAME = PersonalKind("name", keep_start=1, keep_end=0)  # 张三 → 张*


def describe(instance: models.Model) -> str:
    """How audit rows name a record: its ``audit_repr()`` where it has one (people: masked), else ``str``."""
    text = instance.audit_repr() if hasattr(instance, "audit_repr") else str(instance)
    return mask_text(text)[:200]


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
    masked = set(getattr(instance, "personal_fields", ()))
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in excluded or field.attname in excluded or isinstance(field, BlindIndexField):
            continue
        value = getattr(instance, field.attname)
        values[field.attname] = NAME.mask(value) if field.name in masked and value else _json_value(value)
    return values


def area_of(instance: models.Model, actor_user=None) -> int | None:
    """The area a change is filed under: the record's own, its programme's county, its ``history_area_id()``,
    else the acting user's scope."""
    scope = type(instance).scope
    area_id = follow(instance, scope.area) if not scope.spans_many else None
    if area_id is None and scope.programme is not None:
        # The programme's county, reached through the relation: audit sits below the programme app.
        area_id = follow(instance, f"{scope.programme}__county" if scope.programme else "county")
    if area_id is None and hasattr(instance, "history_area_id"):
        area_id = instance.history_area_id()
    if area_id is None and hasattr(actor_user, "primary_scope_area_id"):
        area_id = actor_user.primary_scope_area_id()
    return area_id


def change_record(instance: models.Model, action: str, before: dict | None, after: dict | None):
    """The history row for one change (unsaved), or None for an update that changed nothing recorded."""
    from .models import ChangeRecord

    if action == ChangeRecord.Action.UPDATE and before == after:
        return None
    actor = current_actor()
    scope = type(instance).scope
    user = actor.user
    return ChangeRecord(
        user=user,
        user_name=getattr(user, "username", "") or actor.via,
        address=actor.address,
        request_id=actor.request_id,
        via=actor.via,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=describe(instance),
        programme_id=follow(instance, scope.programme) if not scope.spans_many else None,
        area_id=area_of(instance, user),
        before=before,
        after=after,
    )


def record(instance: models.Model, action: str, before: dict | None, after: dict | None):
    row = change_record(instance, action, before, after)
    if row is not None:
        row.save()
    return row


def record_all(changes) -> list:
    """History rows for many changes of ``(instance, action, before, after)`` at once (bulk writes, audit/bulk.py)."""
    from .models import ChangeRecord

    rows = [row for change in changes if (row := change_record(*change)) is not None]
    return ChangeRecord.objects.bulk_create(rows)


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
