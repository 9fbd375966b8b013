"""Cases for the desk's search box (``core.finders``): by case number in any notation, by the
reporter's e-mail or phone. Only cases the viewer may see (``Case.objects.visible_to``) are ever
found, so an unknown number and another office's number give the same empty answer."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse

from okienko.cases.models import Case
from okienko.cases.numbers import parse_case_number
from okienko.core import audit, finders

LIMIT = 20
MIN_PHONE_DIGITS = 9
_PHONE_CHARS = re.compile(r"[\d\s\-()+./]+")


def phone_regex(digits: str) -> str:
    """A pattern matching ``digits`` as people write a phone: spaces, hyphens, brackets between the
    digits and an optional +48/0048 in front, itself perhaps in brackets ("(+48) 601 234 567")."""
    between = r"[\s\-()./]*"
    return r"^[\s(]*(\+\s*48|0048|48)?" + between + between.join(digits) + r"[\s)]*$"


def reporter_q(query: str) -> Q | None:
    """The filter for cases whose reporter (or another party) gave this e-mail or phone."""
    if "@" in query:
        try:
            validate_email(query)
        except ValidationError:
            return None
        return Q(reporter_email__iexact=query) | Q(parties__email__iexact=query)
    if not _PHONE_CHARS.fullmatch(query):
        return None
    digits = re.sub(r"\D", "", query)
    if digits.startswith("0048"):
        digits = digits[4:]
    elif digits.startswith("48") and len(digits) == 11:
        digits = digits[2:]
    if len(digits) < MIN_PHONE_DIGITS or len(digits) > 15:
        return None
    pattern = phone_regex(digits)
    return Q(reporter_phone__regex=pattern) | Q(parties__phone__regex=pattern)


def _detail(case: Case) -> str:
    return f"{case.service.public_name} · {case.get_status_display()} · {case.organisation}"


def find_cases(request: HttpRequest, query: str) -> list[finders.Hit]:
    number = parse_case_number(query)
    wanted = number.q() if number is not None else reporter_q(query)
    if wanted is None:  # neither a number nor a contact: ask the database nothing
        return []
    visible = Case.objects.visible_to(request.user).select_related("service", "organisation")
    if number is not None:
        cases = list(visible.filter(wanted).order_by("-created_at")[:LIMIT])
        return [
            finders.Hit("case", c.number, reverse("cases:detail", args=[c.uuid]), _detail(c), exact=True) for c in cases
        ]
    cases = list(visible.filter(wanted).distinct().order_by("-created_at")[:LIMIT])
    for case in cases:  # the hits tie a person's e-mail or phone to their reports
        audit.record_access(request.user, case, organisation_id=case.organisation_id, purpose="desk search by reporter")
    return [
        finders.Hit("case", c.number, reverse("cases:detail", args=[c.uuid]), _detail(c), exact=True) for c in cases
    ]


def register() -> None:
    finders.register("cases", find_cases, order=20)
