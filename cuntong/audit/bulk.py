"""Bulk writes that keep the change history whole.

``bulk_create``, ``bulk_update`` and ``QuerySet.update`` send no model signals, so ``changelog.py`` never sees them.
Every bulk write on a model with change history (``track_changes``) goes through these functions instead, which
write the history rows the signals would have written, one per record, in one INSERT. A meta-test
(``audit/tests/test_bulk_history.py``) fails when a new bulk write on a tracked model bypasses them.

``QuerySet.delete`` needs no wrapper: because the change history listens to every model, Django collects the rows
and sends ``post_delete`` for each of them.
"""

from collections.abc import Iterable, Sequence

from django.db import models, transaction
from django.utils import timezone

from .changelog import is_tracked, record_all, snapshot

TIMESTAMP = "updated_at"


def _has_timestamp(model: type[models.Model]) -> bool:
    return any(field.name == TIMESTAMP for field in model._meta.concrete_fields)


@transaction.atomic
def bulk_create(model: type[models.Model], objs: Iterable[models.Model], **options) -> list[models.Model]:
    """``model.objects.bulk_create(objs)``, each new record's creation in the history."""
    created = model._base_manager.bulk_create(list(objs), **options)
    if is_tracked(model):
        if any(obj.pk is None for obj in created):
            raise RuntimeError(f"{model._meta.label}: this database does not return the ids of bulk inserts")
        record_all((obj, "create", None, snapshot(obj)) for obj in created)
    return created


@transaction.atomic
def bulk_update(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str], **options) -> int:
    """``model.objects.bulk_update(objs, fields)``, each record's change in the history (and its ``updated_at``)."""
    objs, fields = list(objs), list(fields)
    if _has_timestamp(model) and TIMESTAMP not in fields:
        now = timezone.now()
        for obj in objs:
            setattr(obj, TIMESTAMP, now)
        fields.append(TIMESTAMP)
    if not is_tracked(model):
        return model._base_manager.bulk_update(objs, fields, **options)
    ids = [obj.pk for obj in objs]
    before = {pk: snapshot(row) for pk, row in model._base_manager.in_bulk(ids).items()}
    count = model._base_manager.bulk_update(objs, fields, **options)
    _record_updates(model, before)
    return count


@transaction.atomic
def update(queryset: models.QuerySet, **values) -> int:
    """``queryset.update(**values)``, each record's change in the history (and its ``updated_at``)."""
    model = queryset.model
    if _has_timestamp(model):
        values.setdefault(TIMESTAMP, timezone.now())
    if not is_tracked(model):
        return queryset.update(**values)
    before = {row.pk: snapshot(row) for row in queryset}
    count = model._base_manager.filter(pk__in=list(before)).update(**values)
    _record_updates(model, before)
    return count


def _record_updates(model: type[models.Model], before: dict) -> None:
    after = model._base_manager.in_bulk(list(before))
    record_all((row, "update", before[pk], snapshot(row)) for pk, row in after.items())
