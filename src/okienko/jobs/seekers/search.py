"""Candidate search for verified employers (issue 19, item 4).

Only CVs whose ``consent`` is a current consent (granted, not withdrawn) are ever returned, by
every query here: a withdrawal hides the CV from the next request on. Filters: occupation (a
KZiS prefix, as a range over ``CVOccupation.code``), skills (folded keys), area (a TERYT prefix),
available by a date, working time. Results are pseudonymised and capped: ``PAGE_SIZE`` a page,
``MAX_PAGES`` pages, no export. Each employer has hourly budgets of searches and profile views
(``JOBS_CANDIDATE_LIMITS``) counted in the cache.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet

from okienko.core import clock
from okienko.jobs.models import Employer
from okienko.jobs.seekers.actions import fold
from okienko.jobs.seekers.models import CV, CVArea, CVOccupation, CVSkill, WorkingTime

PAGE_SIZE = 20
MAX_PAGES = 10
DEFAULT_LIMITS = {"search": 60, "view": 100}


@dataclass(frozen=True)
class Filters:
    occupation: str = ""  # KZiS prefix, 1–6 digits
    skills: tuple[str, ...] = field(default_factory=tuple)
    area: str = ""  # TERYT prefix, 2–7 digits
    available_by: dt.date | None = None
    working_time: str = ""  # full | part; "" = any


def _next_prefix(prefix: str) -> str:
    """The smallest string above every string starting with the digits ``prefix``."""
    head = prefix.rstrip("9")
    if not head:
        return ":"  # after every digit string
    return head[:-1] + str(int(head[-1]) + 1)


def searchable() -> QuerySet[CV]:
    """CVs with a current consent to be found (the base of every candidate query)."""
    return CV.objects.filter(consent__isnull=False, consent__withdrawn_at__isnull=True)


def candidates(filters: Filters) -> QuerySet[CV]:
    qs = searchable()
    if filters.occupation:
        qs = qs.filter(
            Exists(
                CVOccupation.objects.filter(
                    cv=OuterRef("pk"), code__gte=filters.occupation, code__lt=_next_prefix(filters.occupation)
                )
            )
        )
    if filters.area:
        qs = qs.filter(
            Exists(
                CVArea.objects.filter(cv=OuterRef("pk"), teryt__gte=filters.area, teryt__lt=_next_prefix(filters.area))
            )
        )
    for skill in filters.skills:
        key = fold(skill)
        if key:
            qs = qs.filter(Exists(CVSkill.objects.filter(cv=OuterRef("pk"), key=key)))
    if filters.available_by is not None:
        qs = qs.filter(Q(available_from__isnull=True) | Q(available_from__lte=filters.available_by))
    if filters.working_time in (WorkingTime.FULL, WorkingTime.PART):
        qs = qs.filter(working_time__in=[filters.working_time, WorkingTime.ANY])
    return qs


def page(filters: Filters, number: int = 1) -> tuple[list[CV], bool]:
    """One page of results (newest CVs first) and whether another page may follow."""
    number = max(1, min(number, MAX_PAGES))
    start = (number - 1) * PAGE_SIZE
    rows = list(
        candidates(filters)
        .only(
            "pk",
            "uuid",
            "pseudonym",
            "headline",
            "experience",
            "experience_years",
            "main_occupation",
            "available_from",
            "working_time",
            "areas",
            "updated_at",
        )
        .order_by("-updated_at", "-pk")[start : start + PAGE_SIZE + 1]
    )
    more = len(rows) > PAGE_SIZE and number < MAX_PAGES
    return rows[:PAGE_SIZE], more


def profile(uuid: str) -> CV | None:
    """A CV an employer may open: searchable right now, or None."""
    return searchable().select_related("client").filter(uuid=uuid).first()


# --- anti-scraping budgets ---------------------------------------------------------------------


def limit_for(kind: str) -> int:
    configured = getattr(settings, "JOBS_CANDIDATE_LIMITS", {})
    return int(configured.get(kind, DEFAULT_LIMITS[kind]))


def _key(kind: str, employer: Employer) -> str:
    hour = int(clock.now().timestamp() // 3600)
    return f"jobs:candidates:{kind}:{employer.pk}:{hour}"


def spend(kind: str, employer: Employer) -> bool:
    """Count one search or view of ``employer``; False when its hourly budget is spent."""
    key = _key(kind, employer)
    cache.add(key, 0, timeout=3600)
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        used = 1
    return int(used) <= limit_for(kind)
