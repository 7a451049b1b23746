"""Tables PostgreSQL itself keeps append-only (the fund ledger, the audit trail), and the one sanctioned way to lift
their triggers: wiping a whole database (``cuntong flush``, the test runner between transactional tests).

Apps register their tables in ``AppConfig.ready``; each app's migration installs its own triggers. Someone with the
table owner's rights can still lift them; that is why the ledger is also hash-chained and verified.
"""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

_tables: set[str] = set()


def register(table: str) -> None:
    _tables.add(table)


@contextmanager
def triggers_disabled(using=None, tables=None):
    """Lift the user triggers of ``tables`` (default: every registered table) inside one transaction.

    Elsewhere than PostgreSQL there is nothing to lift."""
    conn = connections[using or DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        yield
        return
    names = sorted(tables if tables is not None else _tables)
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
