"""PostgreSQL only: a second, smaller vector (title and question fields) with its own GIN index,
used to find candidates for very common words without scoring thousands of articles. SQLite's
FTS5 does the same with a column filter and needs nothing."""

from typing import Any

from django.db import migrations

FORWARD = [
    """ALTER TABLE knowledge_searchdocument ADD COLUMN head tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_keys), 'A')
        || setweight(to_tsvector('simple', keywords_keys), 'B')
    ) STORED""",
    "CREATE INDEX knowledge_searchdocument_head_gin ON knowledge_searchdocument USING gin (head)",
]
REVERSE = [
    "DROP INDEX IF EXISTS knowledge_searchdocument_head_gin",
    "ALTER TABLE knowledge_searchdocument DROP COLUMN IF EXISTS head",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
