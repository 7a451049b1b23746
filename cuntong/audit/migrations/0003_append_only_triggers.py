"""On PostgreSQL, the audit trail is append-only in the database too, not only in the application.

UPDATE is refused, except the ``ON DELETE SET NULL`` clearing of a reference to a deleted user, area or programme
(each row keeps the name it recorded). DELETE is refused for rows younger than 180 days, the legal minimum the
retention purge also respects (网络安全法 第二十一条: logs kept no less than six months). TRUNCATE is refused.
"""

from django.db import migrations

INSTALL = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
DECLARE
    reference text;
    before jsonb;
    after jsonb;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit records are append-only: TRUNCATE refused on %', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.time < now() - interval '180 days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit records are kept at least 180 days: DELETE refused on %', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    before := to_jsonb(OLD);
    after := to_jsonb(NEW);
    FOREACH reference IN ARRAY TG_ARGV LOOP
        IF after -> reference = 'null'::jsonb THEN
            before := before - reference;
            after := after - reference;
        END IF;
    END LOOP;
    IF before = after THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: UPDATE refused on %', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_changerecord_append_only BEFORE UPDATE OR DELETE ON audit_changerecord
    FOR EACH ROW EXECUTE FUNCTION audit_append_only('user_id', 'area_id', 'programme_id');
CREATE TRIGGER audit_changerecord_no_truncate BEFORE TRUNCATE ON audit_changerecord
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_securityevent_append_only BEFORE UPDATE OR DELETE ON audit_securityevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only('user_id', 'area_id');
CREATE TRIGGER audit_securityevent_no_truncate BEFORE TRUNCATE ON audit_securityevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
"""
REMOVE = """
DROP TRIGGER IF EXISTS audit_securityevent_no_truncate ON audit_securityevent;
DROP TRIGGER IF EXISTS audit_securityevent_append_only ON audit_securityevent;
DROP TRIGGER IF EXISTS audit_changerecord_no_truncate ON audit_changerecord;
DROP TRIGGER IF EXISTS audit_changerecord_append_only ON audit_changerecord;
DROP FUNCTION IF EXISTS audit_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_api_token_event")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
