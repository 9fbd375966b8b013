"""Fill the name dictionary from existing clients; on PostgreSQL add its trigram index (ADR 0010).

SQLite has no pg_trgm; there the typo-tolerant lookup ranks the dictionary with difflib instead.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS client_name_word_trgm ON clients_clientnameword USING gin (word gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS client_name_word_trgm"]


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    client_model = apps.get_model("clients", "Client")
    word_model = apps.get_model("clients", "ClientNameWord")
    words = {name.split(" ", 1)[0] for name in client_model.objects.values_list("search_name", flat=True) if name}
    word_model.objects.bulk_create([word_model(word=w) for w in sorted(words)], ignore_conflicts=True)


def trigram(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_clientnameword")]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram(FORWARD), trigram(BACKWARD)),
    ]
