"""Make the audit table append-only in the database itself.

PostgreSQL: a trigger refuses UPDATE, DELETE and TRUNCATE. SQLite: triggers
refuse UPDATE and DELETE (SQLite has no TRUNCATE). Test databases are flushed
between tests, so both honour a maintenance flag that only Copydesk's own
connections can raise (see workbench/audit/apps.py); verify_audit catches
whatever gets past the triggers.
"""

from django.db import migrations

PG_INSTALL = """
CREATE OR REPLACE FUNCTION copydesk_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF current_setting('copydesk.audit_maintenance', true) = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only_row BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION copydesk_audit_append_only();
CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON audit_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION copydesk_audit_append_only();
"""
PG_REMOVE = """
DROP TRIGGER IF EXISTS audit_append_only_row ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_append_only_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS copydesk_audit_append_only();
"""
SQLITE_INSTALL = [
    """CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit_auditevent
       WHEN copydesk_audit_maintenance() = 0
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_auditevent
       WHEN copydesk_audit_maintenance() = 0
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END""",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_append_only_update", "DROP TRIGGER IF EXISTS audit_append_only_delete"]


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("audit", "AuditHead").objects.using(schema_editor.connection.alias).get_or_create(pk=1)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_INSTALL, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REMOVE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
