"""三员分立 in the database: a trigger refuses an active membership whose role's duty clashes with another active
membership of the same user (two administrator duties, or an administrator duty beside a business role), whatever
wrote it — the application, a bulk UPDATE or hand-written SQL. Mirrors ``accounts.rules.duty_conflict``."""

from django.db import migrations

MESSAGE = "separation of duties: one account cannot hold two of the system, security and audit administrator roles, nor one of them beside a business role"

# A clash: another active membership of the same user whose duty differs, where either duty is an administrator's.
CLASH = """
    SELECT 1 FROM accounts_membership other
    JOIN accounts_role other_role ON other_role.id = other.role_id
    JOIN accounts_role new_role ON new_role.id = NEW.role_id
    WHERE other.user_id = NEW.user_id AND other.is_active AND other.id {not_self}
      AND other_role.duty <> new_role.duty AND (other_role.duty <> '' OR new_role.duty <> '')
"""

SQLITE = [
    f"""CREATE TRIGGER accounts_membership_duty_insert BEFORE INSERT ON accounts_membership
    WHEN NEW.is_active AND EXISTS ({CLASH.format(not_self="IS NOT NEW.id")})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER accounts_membership_duty_update BEFORE UPDATE ON accounts_membership
    WHEN NEW.is_active AND EXISTS ({CLASH.format(not_self="<> NEW.id")})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS accounts_membership_duty_insert",
    "DROP TRIGGER IF EXISTS accounts_membership_duty_update",
]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION accounts_membership_duty_guard() RETURNS trigger AS $$
    BEGIN
        IF NEW.is_active THEN
            -- one writer per user at a time, so two concurrent grants cannot both pass the check
            PERFORM 1 FROM accounts_user WHERE id = NEW.user_id FOR UPDATE;
            IF EXISTS ({CLASH.format(not_self="IS DISTINCT FROM NEW.id")}) THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
            END IF;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER accounts_membership_duty_guard BEFORE INSERT OR UPDATE ON accounts_membership
    FOR EACH ROW EXECUTE FUNCTION accounts_membership_duty_guard()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS accounts_membership_duty_guard ON accounts_membership",
    "DROP FUNCTION IF EXISTS accounts_membership_duty_guard()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
