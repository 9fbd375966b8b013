"""PostgreSQL: keep the offer rows narrow (``toast_tuple_target``): the description, the stored
keys and the description's vector go out of line, so that ranking thousands of matches reads
small rows; the ranking vector (``search_head``, ~300 bytes) stays inline and uncompressed, since
ts_rank reads it for every match (ADR 0065). Display reads the long columns of the 20 rows shown."""

from django.db import migrations


def _run(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_search_head")]

    operations = [
        migrations.RunPython(
            _run(
                "ALTER TABLE jobs_joboffer SET (toast_tuple_target = 256); "
                "ALTER TABLE jobs_joboffer ALTER COLUMN search_head SET STORAGE PLAIN"
            ),
            _run(
                "ALTER TABLE jobs_joboffer RESET (toast_tuple_target); "
                "ALTER TABLE jobs_joboffer ALTER COLUMN search_head SET STORAGE EXTENDED"
            ),
        )
    ]
