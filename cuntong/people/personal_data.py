"""Personal data across every model: key rotation, and a data subject's export and erasure (PIPL 第45、47条).

Nothing here names a model: it finds every :class:`EncryptedPersonalField` and :class:`BlindIndexField` of every
installed model, so a module that adds personal data later (trainees, producers) is covered without change.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from cuntong.audit.models import ChangeRecord, SecurityEvent
from cuntong.audit.services import log_event
from cuntong.core import crypto
from cuntong.core.fields import BlindIndexField, EncryptedPersonalField, lookup_hash
from cuntong.core.personal import KINDS, PersonalValue

ERASED = "（已删除）"
SECRETS = {"password", "key", "key_hash", "secret", "token"}  # credentials are never exported, not even to their owner
Progress = Callable[[int, int | None, str], None]


def personal_models() -> Iterator[tuple[type[models.Model], list[EncryptedPersonalField], list[BlindIndexField]]]:
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        encrypted = [f for f in fields if isinstance(f, EncryptedPersonalField)]
        if encrypted:
            yield model, encrypted, [f for f in fields if isinstance(f, BlindIndexField)]


# --- key rotation ------------------------------------------------------------------------------------------------


def _batches(rows, size: int = 500):
    """Rows in primary-key order, a batch per query (no server-side cursor: a failure mid-way must leave the
    transaction clean to roll back)."""
    last = None
    while True:
        batch = list((rows if last is None else rows.filter(pk__gt=last))[:size])
        yield from batch
        if len(batch) < size:
            return
        last = batch[-1].pk


@transaction.atomic
def rotate_keys(*, rehash: bool = False, progress: Progress | None = None) -> dict[str, int]:
    """Re-encrypt every personal value under the first key of ``CUNTONG_DATA_KEYS`` (all listed keys decrypt);
    with ``rehash``, recompute every blind index under the configured ``CUNTONG_HASH_KEY``.

    One transaction: a value no listed key can decrypt stops the rotation and changes nothing.
    """
    counts: dict[str, int] = {}
    for model, encrypted, indexes in personal_models():
        names = [f.attname for f in encrypted]
        rows = model._base_manager.only(model._meta.pk.attname, *names).order_by("pk")
        total, done = rows.count(), 0
        for obj in _batches(rows):
            values = {name: getattr(obj, name) for name in names if getattr(obj, name) not in (None, "")}
            if rehash:
                for index in indexes:
                    source = getattr(obj, index.source)
                    kind = model._meta.get_field(index.source).kind.name
                    values[index.attname] = crypto.blind_index(kind, source.reveal()) if source else ""
            if values:
                # update(): no change history and no updated_at for what is not a change of the record
                model._base_manager.filter(pk=obj.pk).update(**values)
            done += 1
            if progress and done % 200 == 0:
                progress(done, total, model._meta.label)
        counts[model._meta.label] = done
    log_event("key_rotation", rehash=rehash, rows=counts)
    return counts


# --- data subjects -------------------------------------------------------------------------------------------------


def holdings(kind: str, value: str) -> list[models.Model]:
    """Every record whose blind index of ``kind`` matches ``value``: everything held under this ID or phone."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind}")
    digest = lookup_hash(kind, value)
    found = []
    for model, encrypted, indexes in personal_models():
        kinds = {f.name: f.kind.name for f in encrypted}
        for index in indexes:
            if kinds.get(index.source) == kind:
                found.extend(model._base_manager.filter(**{index.attname: digest}).order_by("pk"))
    return found


def _plain(value):
    if isinstance(value, PersonalValue):
        return value.reveal()
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def _record(obj: models.Model) -> dict:
    fields = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, BlindIndexField) or field.name in SECRETS:
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            fields[field.name] = None if related is None else {"id": related.pk, "name": str(related)}
        else:
            fields[field.name] = _plain(getattr(obj, field.attname))
    return {"model": obj._meta.label, "id": obj.pk, "fields": fields}


def _generic_holders() -> Iterator[tuple[type[models.Model], GenericForeignKey]]:
    for model in apps.get_models():
        for field in model._meta.private_fields:
            if isinstance(field, GenericForeignKey):
                yield model, field


def _related(obj: models.Model) -> list[dict]:
    """Records that point at this one: by foreign key (a resident's training records …) or generically
    (attachments)."""
    rows = []
    for relation in obj._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            manager = relation.related_model._base_manager
            rows.extend(_record(item) for item in manager.filter(**{relation.field.name: obj}).order_by("pk"))
    content_type = ContentType.objects.get_for_model(type(obj), for_concrete_model=False)
    for model, field in _generic_holders():
        where = {field.ct_field: content_type, field.fk_field: str(obj.pk)}
        rows.extend(_record(item) for item in model._base_manager.filter(**where).order_by("pk"))
    return rows


def _audit_of(obj: models.Model) -> dict:
    content_type = ContentType.objects.get_for_model(type(obj), for_concrete_model=False)
    where = {"content_type": content_type, "object_id": str(obj.pk)}
    return {
        "history": [
            {"time": c.time.isoformat(), "action": c.action, "by": c.user_name, "before": c.before, "after": c.after}
            for c in ChangeRecord.objects.filter(**where).order_by("time", "pk")
        ],
        "access": [
            {"time": e.time.isoformat(), "kind": e.kind, "by": e.username, "reason": e.reason}
            for e in SecurityEvent.objects.filter(**where).order_by("time", "pk")
        ],
    }


def _labels(records: list[models.Model]) -> list[str]:
    return [f"{r._meta.label}#{r.pk}" for r in records]


def export_subject(kind: str, value: str, *, reason: str, operator: str = "") -> dict:
    """Everything held about one person, in clear (it is for the person themself); the export is logged."""
    records = holdings(kind, value)
    result = {
        "generated_at": timezone.now().isoformat(),
        "subject": {"kind": kind, "value": KINDS[kind].normalise(value)},
        "records": [{**_record(r), "related": _related(r), **_audit_of(r)} for r in records],
    }
    log_event("data_subject", username=operator, reason=reason, action="export", records=_labels(records))
    return result


def _erase(obj: models.Model) -> None:
    """Blank encrypted fields (their blind indexes follow on save) and replace ``personal_fields``."""
    changed = []
    for field in obj._meta.concrete_fields:
        if isinstance(field, EncryptedPersonalField):
            setattr(obj, field.attname, "")
            changed.append(field.attname)
        elif isinstance(field, BlindIndexField):
            changed.append(field.attname)
        elif field.name in getattr(obj, "personal_fields", ()):
            setattr(obj, field.attname, "" if field.blank else ERASED[: field.max_length or None])
            changed.append(field.attname)
    if any(f.name == "erased_at" for f in obj._meta.concrete_fields):
        obj.erased_at = timezone.now()
        changed.append("erased_at")
    obj.save(update_fields=changed)


@transaction.atomic
def erase_subject(kind: str, value: str, *, reason: str, operator: str = "") -> list[str]:
    """Erase one person's personal data wherever it is held; the records stay (statistics, money trails) without
    anything that identifies them. The change history already holds only masked values, so it is kept as it is."""
    records = holdings(kind, value)
    for record in records:
        _erase(record)
    labels = _labels(records)
    log_event("data_subject", username=operator, reason=reason, action="erase", records=labels)
    return labels
