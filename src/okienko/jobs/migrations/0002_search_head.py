"""PostgreSQL: a small vector of the position and the occupation only (``search_head``), to rank
the matches without reading every matched offer's description vector (ADR 0065)."""

from django.db import migrations

PG_CREATE = [
    "ALTER TABLE jobs_joboffer ADD COLUMN search_head tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_keys), 'A') || setweight(to_tsvector('simple', occupation_keys), 'B')) "
    "STORED"
]
PG_DROP = ["ALTER TABLE jobs_joboffer DROP COLUMN IF EXISTS search_head"]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(_run(PG_CREATE), _run(PG_DROP))]
