"""The two full-text backends. Both receive the same analysed keys and the same parsed query,
so they match the same articles; they differ only in the ranking function (FTS5 ``bm25`` vs
PostgreSQL ``ts_rank`` with length normalisation), both weighting title > question > body."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection

from okienko.knowledge.search.query import Key, ParsedQuery

# title, question/summary/tags, body
FIELD_WEIGHTS = (10.0, 4.0, 1.0)


@dataclass(frozen=True)
class Hit:
    article_id: int
    score: float
    # (title, keywords, body keys, their three lengths): fetched with the candidates so the
    # shared re-rank needs no second round trip (ADR 0025); None when not fetched.
    fields: tuple[str, str, str, int, int, int] | None = None
    # The article's translation group (the original's id): one article in two languages is one
    # result (ADR 0045); 0 when not fetched.
    group: int = 0


# The stored keys of the best candidates, joined after the LIMIT (only ``limit`` rows are read).
_WITH_FIELDS = (
    "SELECT top.id, top.score, d.title_keys, d.keywords_keys, d.body_keys, d.title_length, d.keywords_length, "
    "d.body_length, top.grp FROM ({candidates}) top JOIN knowledge_searchdocument d ON d.article_id = top.id "
    "ORDER BY top.score {direction}, top.id"
)
# The scope queryset is listed as ``values("id", "translation_of_id")`` (service.search).
_GROUP = "COALESCE(a.translation_of_id, a.id) AS grp"


def _hits(rows: Sequence[Sequence[Any]], sign: float) -> list[Hit]:
    return [
        Hit(int(r[0]), sign * float(r[1]), (r[2], r[3], r[4], int(r[5]), int(r[6]), int(r[7])), int(r[8])) for r in rows
    ]


class Backend(Protocol):
    def store(self, article_id: int, title: str, keywords: str, body: str) -> None: ...

    def delete(self, article_id: int) -> None: ...

    def clear(self) -> None: ...

    def search(
        self,
        query: ParsedQuery,
        scope_sql: str,
        scope_params: Sequence[Any],
        limit: int,
        *,
        head: bool = False,
        whole: bool = False,
    ) -> list[Hit]:
        """Matching articles in scope, best first; ``head``: title and question fields only;
        ``whole``: few articles match, so pre-rank them by every field (PostgreSQL)."""
        ...


class SQLiteBackend:
    """FTS5 table ``knowledge_fts(title, keywords, body)``, rowid = article id."""

    @staticmethod
    def _key(key: Key) -> str:
        return f'"{key.text}"' + ("*" if key.prefix else "")

    def _group(self, keys: set[Key]) -> str:
        return "(" + " OR ".join(self._key(k) for k in sorted(keys, key=lambda k: (k.text, k.prefix))) + ")"

    def expression(self, query: ParsedQuery) -> str:
        optional = [self._group(g) for g in query.optional]
        required = [self._group(g) for g in query.required]
        if not required:
            return " OR ".join(optional)
        ranked = " OR ".join(optional + required[:1])
        return "(" + " AND ".join(required) + ") AND (" + ranked + ")"

    def store(self, article_id: int, title: str, keywords: str, body: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_fts WHERE rowid = %s", [article_id])
            cursor.execute(
                "INSERT INTO knowledge_fts (rowid, title, keywords, body) VALUES (%s, %s, %s, %s)",
                [article_id, title, keywords, body],
            )

    def delete(self, article_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_fts WHERE rowid = %s", [article_id])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_fts")

    def search(
        self,
        query: ParsedQuery,
        scope_sql: str,
        scope_params: Sequence[Any],
        limit: int,
        *,
        head: bool = False,
        whole: bool = False,
    ) -> list[Hit]:
        weights = ", ".join(str(w) for w in FIELD_WEIGHTS)
        expression = self.expression(query)
        if head:
            expression = "{title keywords} : (" + expression + ")"
        # Match first (materialised), then join the visible articles restricted to the matches
        # (the scope SQL contains "id IN (SELECT id FROM m)"): a rowid constraint inside the FTS
        # query would run the full-text query once per row, an IN list would list every article.
        sql = (
            f"WITH m AS MATERIALIZED (SELECT rowid AS id, bm25(knowledge_fts, {weights}) AS score "  # noqa: S608 - constants and the scope queryset's SQL only
            "FROM knowledge_fts WHERE knowledge_fts MATCH %s) "
            f"SELECT m.id, m.score, {_GROUP} FROM ({scope_sql}) a JOIN m ON m.id = a.id ORDER BY m.score, m.id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(_WITH_FIELDS.format(candidates=sql, direction="ASC"), [expression, *scope_params, limit])
            return _hits(cursor.fetchall(), -1.0)


class PostgresBackend:
    """``knowledge_searchdocument.document``: a generated weighted tsvector with a GIN index."""

    @staticmethod
    def _key(key: Key) -> str:
        return f"'{key.text}'" + (":*" if key.prefix else "")

    def _group(self, keys: set[Key]) -> str:
        return "(" + " | ".join(self._key(k) for k in sorted(keys, key=lambda k: (k.text, k.prefix))) + ")"

    def expression(self, query: ParsedQuery) -> str:
        optional = [self._group(g) for g in query.optional]
        required = [self._group(g) for g in query.required]
        if not required:
            return " | ".join(optional)
        ranked = " | ".join(optional + required[:1])
        return "(" + " & ".join(required) + ") & (" + ranked + ")"

    def store(self, article_id: int, title: str, keywords: str, body: str) -> None:
        """Nothing beyond the ``SearchDocument`` row: PostgreSQL derives the vector itself."""

    def delete(self, article_id: int) -> None:
        """The ``SearchDocument`` row goes with the article."""

    def clear(self) -> None:
        """Nothing to clear beside the ``SearchDocument`` rows."""

    def search(
        self,
        query: ParsedQuery,
        scope_sql: str,
        scope_params: Sequence[Any],
        limit: int,
        *,
        head: bool = False,
        whole: bool = False,
    ) -> list[Hit]:
        # ts_rank weights are listed {D, C, B, A}; C = body, B = question, A = title.
        title, keywords, body = FIELD_WEIGHTS
        weights = "{0, %s, %s, 1}" % (body / title, keywords / title)  # noqa: UP031 - SQL literal
        sql = (
            "WITH m AS MATERIALIZED (SELECT d.article_id AS id, ts_rank(d.document, q, 1) AS score "  # noqa: S608
            "FROM knowledge_searchdocument d, to_tsquery('simple', %s) q WHERE d.document @@ q) "
            f"SELECT m.id, m.score, {_GROUP} FROM ({scope_sql}) a JOIN m ON m.id = a.id "
            "ORDER BY m.score DESC, m.id LIMIT %s"
        )
        # Pre-rank on the small title/question vector: ts_rank over the whole document would read
        # every matched body; the shared re-rank (ranking.py) scores the bodies of the best ones.
        # When few articles match (``whole``), reading their bodies is cheap and puts the same
        # articles among the candidates as FTS5's bm25 does (ADR 0045).
        vector = "d.document" if whole and not head else "d.head"
        sql = sql.replace("ts_rank(d.document", f"ts_rank('{weights}'::float4[], {vector}")
        if head:
            sql = sql.replace("d.document", "d.head")
        with connection.cursor() as cursor:
            cursor.execute(
                _WITH_FIELDS.format(candidates=sql, direction="DESC"), [self.expression(query), *scope_params, limit]
            )
            return _hits(cursor.fetchall(), 1.0)


def current_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SQLiteBackend()
