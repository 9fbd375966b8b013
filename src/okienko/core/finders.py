"""The desk's one search box: a registry of finders that apps fill, so the box in the desk layout
(and the client search page) can look for clients, cases and whatever comes next without naming
the apps (like ``core.panels``, ADR 0043).

A finder is a function ``(request, query) -> [Hit]`` that applies the viewer's access itself and
returns nothing for a query it does not understand. A hit marked ``exact`` (a case number, a
client number) is what the person meant: when it is the only hit, the search goes straight to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.functional import Promise

log = logging.getLogger(__name__)

MAX_QUERY = 200


@dataclass(frozen=True)
class Hit:
    kind: str  # "case", "client"… (one heading per kind on the results page)
    label: str  # what identifies it: a case number, a client's name
    url: str
    detail: str | Promise = ""  # one line: service and status, home office…
    exact: bool = False  # the query named exactly this object


Finder = Callable[[HttpRequest, str], list[Hit]]


@dataclass(frozen=True)
class _Entry:
    name: str
    finder: Finder
    order: int


_finders: dict[str, _Entry] = {}


def register(name: str, finder: Finder, *, order: int = 100) -> None:
    """Add (or replace, by name) a finder."""
    _finders[name] = _Entry(name, finder, order)


def find(request: HttpRequest, query: str, *, skip: frozenset[str] = frozenset()) -> list[Hit]:
    """Every registered finder's hits for ``query`` (but those named in ``skip``), in order."""
    query = " ".join((query or "").split())[:MAX_QUERY]
    if len(query) < 2:
        return []
    hits: list[Hit] = []
    for entry in sorted(_finders.values(), key=lambda e: (e.order, e.name)):
        if entry.name in skip:
            continue
        try:
            hits.extend(entry.finder(request, query))
        except PermissionDenied:
            continue
        except Exception:  # one broken finder must not take the search down
            log.exception("finder %s failed", entry.name)
    return hits


def single_exact(hits: list[Hit]) -> Hit | None:
    """The hit to go straight to: the only hit of the search, when it is an exact one."""
    return hits[0] if len(hits) == 1 and hits[0].exact else None
