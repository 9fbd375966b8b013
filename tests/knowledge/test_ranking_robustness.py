"""Ranking never fails on statistics that lag behind the index (found by fuzzing, issue 10)."""

from __future__ import annotations

import math

from okienko.knowledge.search.ranking import idf


def test_idf_survives_more_containing_documents_than_the_cached_count() -> None:
    """Index statistics are cached for minutes while frequencies are live: 3 > 2 was a 500."""
    assert idf(2, 3) == idf(2, 2) > 0
    assert math.isfinite(idf(1, 10_000))
    assert idf(10, -1) == idf(10, 0)
