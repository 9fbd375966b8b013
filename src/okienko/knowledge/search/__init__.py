"""``knowledge.search``: one interface over the SQLite FTS5 and PostgreSQL full-text backends.

    results = search("zasilek dla bezrobotnych", user=request.user)

Articles are analysed in Python (``analysis``) into keys stored by both backends; the backend
is chosen from ``connection.vendor``.
"""

from okienko.knowledge.search.indexing import index_article, rebuild, remove_article
from okienko.knowledge.search.service import Result, SearchResults, search

__all__ = ["Result", "SearchResults", "index_article", "rebuild", "remove_article", "search"]
