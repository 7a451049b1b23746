"""Append-only rows, the one way to write many of them, and the one sanctioned way to lift their protection.

``AppendOnlyModel`` is a row written once and never changed: the fund ledger, the audit trail, a station's life-cycle
events. The ORM refuses ``save`` of an existing row, ``delete`` and ``QuerySet.update``/``delete`` on every database;
on PostgreSQL the model's ``Meta.triggers = append_only_triggers(…)`` (django-pgtrigger, installed by the app's
migration) refuses UPDATE, DELETE and TRUNCATE whatever the client. An append-only row is its own record, so it keeps
no change history (``track_changes = False``, audit/changelog.py): history stays cheap however many rows there are.

``append_rows(model, rows)`` writes high-volume rows in batches, in one transaction, without history: it refuses a
model whose changes are recorded (those go through ``audit.bulk``, which records each row).

``triggers_disabled`` lifts the triggers of every append-only table for one transaction: wiping a whole database
(``cuntong flush``, the test runner between transactional tests). Someone with the table owner's rights can still
lift them; that is why the ledger is also hash-chained and verified.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

import pgtrigger
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from .models import is_tracked
from .scoping import RestrictedManager, RestrictedQuerySet


class AppendOnlyQuerySet(RestrictedQuerySet):
    """Reads and inserts; ``update`` and ``delete`` refuse (the base manager, which Django's own cascades and the
    audit purge use, is not this queryset)."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model._meta.label} is append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError(f"{self.model._meta.label} is append-only")

    def delete(self):
        raise PermissionError(f"{self.model._meta.label} is append-only")


class AppendOnlyManager(RestrictedManager.from_queryset(AppendOnlyQuerySet)):
    """The default manager of append-only models."""


class AppendOnlyModel(models.Model):
    """A row inserted once, never updated or deleted through the application (see the module's docstring).

    Concrete subclasses add ``triggers = append_only_triggers("…")`` to their ``Meta`` (a meta-test checks it)."""

    track_changes = False  # the row is itself the record

    objects = AppendOnlyManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{self._meta.label} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self._meta.label} is append-only")


class _ChangedBeyondClearing(pgtrigger.Condition):
    """An UPDATE that changes more than setting the ``clearable`` references to NULL (what deleting the user or
    record they point to does with ``on_delete=SET_NULL``)."""

    def __init__(self, clearable: Iterable[str]):
        self.clearable = list(clearable)

    def resolve(self, model) -> str:
        changes = [pgtrigger.AnyChange(exclude=self.clearable).resolve(model)]
        for name in self.clearable:
            moved = pgtrigger.Q(**{f"old__{name}__df": pgtrigger.F(f"new__{name}"), f"new__{name}__isnull": False})
            changes.append(moved.resolve(model))
        return "(" + " OR ".join(f"({change})" for change in changes) + ")"


def append_only_triggers(what: str, *, clearable: Iterable[str] = ()) -> list[pgtrigger.Trigger]:
    """PostgreSQL triggers refusing UPDATE, DELETE and TRUNCATE of a model's rows; ``what`` names them in the error.

    ``clearable``: nullable references whose clearing (SET NULL when the user or record they point to is deleted) is
    the one UPDATE allowed."""
    refuse = (
        f"RAISE EXCEPTION '{what} is append-only: % refused on %', TG_OP, TG_TABLE_NAME "
        "USING ERRCODE = 'insufficient_privilege';"
    )
    row = {"when": pgtrigger.Before, "level": pgtrigger.Row, "func": refuse}
    clearable = list(clearable)
    if clearable:
        rows = [
            pgtrigger.Trigger(
                name="append_only", operation=pgtrigger.Update, condition=_ChangedBeyondClearing(clearable), **row
            ),
            pgtrigger.Trigger(name="no_delete", operation=pgtrigger.Delete, **row),
        ]
    else:
        rows = [pgtrigger.Trigger(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete, **row)]
    statement = pgtrigger.Trigger(
        name="no_truncate", when=pgtrigger.Before, operation=pgtrigger.Truncate, level=pgtrigger.Statement, func=refuse
    )
    return [*rows, statement]


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def append_rows(model: type[models.Model], rows: Iterable[models.Model], *, batch_size: int = 1000) -> int:
    """Insert ``rows`` (unsaved instances, any iterable: a generator keeps memory flat) in batches of
    ``batch_size``, all or none; the number written. No model signals and no history: refused for a model whose
    changes are recorded (use ``audit.bulk.bulk_create``)."""
    if is_tracked(model):
        raise ValueError(f"{model._meta.label} keeps change history: write it through audit.bulk.bulk_create")
    written = 0
    with transaction.atomic(using=model._default_manager.db):
        for batch in _batches(rows, batch_size):
            model._default_manager.bulk_create(batch, batch_size=batch_size)
            written += len(batch)
    return written


def protected_tables() -> list[str]:
    """The tables of every append-only model: those whose triggers ``triggers_disabled`` lifts."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel) and not model._meta.proxy
    )


@contextmanager
def triggers_disabled(using=None, tables=None):
    """Lift the user triggers of ``tables`` (default: every append-only table) inside one transaction.

    Elsewhere than PostgreSQL there is nothing to lift."""
    conn = connections[using or DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        yield
        return
    names = sorted(tables if tables is not None else protected_tables())
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        # A table with queued (deferred) foreign-key checks cannot be altered: run them first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in names:
            cursor.execute(f"ALTER TABLE {conn.ops.quote_name(name)} DISABLE TRIGGER USER")
        yield
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in names:
            cursor.execute(f"ALTER TABLE {conn.ops.quote_name(name)} ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
