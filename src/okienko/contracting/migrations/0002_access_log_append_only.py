"""Make the shared-data access log append-only in the database itself (as the audit log is)."""

from django.db import migrations

TABLE = "contracting_accesslog"
SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the access log is append-only'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
       FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()""",
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("contracting", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
