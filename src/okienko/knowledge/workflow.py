"""Article workflow: draft → in review → published → archived (and back for rework)."""

from __future__ import annotations

from okienko.knowledge.models import Article

S = Article.Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.REVIEW, S.ARCHIVED}),
    S.REVIEW: frozenset({S.DRAFT, S.PUBLISHED}),
    S.PUBLISHED: frozenset({S.DRAFT, S.ARCHIVED}),
    S.ARCHIVED: frozenset({S.DRAFT}),
}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def next_statuses(status: str) -> list[str]:
    return [s for s in S.values if s in TRANSITIONS.get(status, frozenset())]
