"""On PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE on the fund ledger (see cuntong/funds/ledger.py).

Someone with the table owner's rights can still lift them; that is what ``cuntong ledger verify`` is for.
"""

from django.db import migrations

INSTALL = """
CREATE OR REPLACE FUNCTION funds_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'funds ledger is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER funds_ledgerentry_no_change BEFORE UPDATE OR DELETE ON funds_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION funds_ledger_append_only();
CREATE TRIGGER funds_ledgerentry_no_truncate BEFORE TRUNCATE ON funds_ledgerentry
    FOR EACH STATEMENT EXECUTE FUNCTION funds_ledger_append_only();
"""
REMOVE = """
DROP TRIGGER IF EXISTS funds_ledgerentry_no_truncate ON funds_ledgerentry;
DROP TRIGGER IF EXISTS funds_ledgerentry_no_change ON funds_ledgerentry;
DROP FUNCTION IF EXISTS funds_ledger_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
