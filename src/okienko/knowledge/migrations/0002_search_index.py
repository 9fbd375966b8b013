"""The full-text index: an FTS5 table on SQLite, a weighted tsvector + GIN index on PostgreSQL.

Each half runs only on its own database; see ``knowledge.search.backends``.
"""

from typing import Any

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE knowledge_fts USING fts5(title, keywords, body, tokenize='unicode61', prefix='2 3')",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS knowledge_fts"]
POSTGRES_FORWARD = [
    """ALTER TABLE knowledge_searchdocument ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_keys), 'A')
        || setweight(to_tsvector('simple', keywords_keys), 'B')
        || setweight(to_tsvector('simple', body_keys), 'C')
    ) STORED""",
    "CREATE INDEX knowledge_searchdocument_document_gin ON knowledge_searchdocument USING gin (document)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS knowledge_searchdocument_document_gin",
    "ALTER TABLE knowledge_searchdocument DROP COLUMN IF EXISTS document",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
