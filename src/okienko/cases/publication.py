"""What every public surface may show of a case: one rule, called by each of them (ADR 0042).

Public surfaces are Open311 (``requests``, ``requests/{id}``, ``updates``, ``tokens/{token}``),
the portal's status page and, when they come, the public map and open data. None of them decides
for itself:

* a case is **listed** publicly only if its service is public and published (``listed``;
  ``Service.Publication`` other than ``private``);
* its **description** is shown only for services published ``redacted`` (at once) or
  ``moderated`` (once a moderator approved a text — the latest decision counts, so withdrawing
  hides it again), and always after :func:`redact`;
* the reporter's name and contact details are never shown (the surfaces do not read them).

``moderate_description`` is the one write of this subdomain (kept here rather than in the
800-line ``cases.actions``): it records the moderator's decision as a case event and audits it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext as _

from okienko.accounts.access import user_of
from okienko.cases.models import Case, CaseEvent
from okienko.catalogue.models import Service
from okienko.core import audit, clock
from okienko.core.actors import Actor, name_of
from okienko.core.errors import Forbidden

Publication = Service.Publication
LISTED = (Publication.LISTED, Publication.REDACTED, Publication.MODERATED)
MODERATION = "description_moderated"
MAX_TEXT = 4000
REDACTED = "[…]"

# Polish personal data in free text, most specific first; each match becomes REDACTED, except the
# honorific or phrase that introduces a name (group ``lead``), which stays for the sentence to read.
_LETTER = "A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż"
_UPPER = "A-ZĄĆĘŁŃÓŚŹŻ"
_NAME = rf"[{_UPPER}][{_LETTER}]+(?:-[{_UPPER}][{_LETTER}]+)?"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# IBAN (PL or foreign), with or without spaces: two letters, two check digits, 12 to 30 more
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
# ID card (ABC 123456) and passport (AB 1234567) numbers
_ID_DOCUMENT = re.compile(r"\b(?:[A-Z]{3}[ ]?\d{6}|[A-Z]{2}[ ]?\d{7})\b")
# vehicle registration numbers (EL 12345, WX 1234A, EZG 4F21)
_PLATE = re.compile(rf"\b[{_UPPER}]{{2,3}}[ ]?\d[0-9A-Z]{{3,4}}\b")
# nine or more digits, grouped by spaces, dashes or brackets, optionally after +: phone numbers,
# PESEL, NIP, REGON, account numbers (NRB) however they are written
_DIGITS = re.compile(r"(?<![\w+])\+?\(?\d(?:[ ()-]{0,2}\d){8,}")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{4}")
# names after Pan/Pani/Panu/Panem/Państwo…, "p.", "nazywam się", "sąsiad(ka)"
_HONORIFIC_NAME = re.compile(
    rf"(?P<lead>\b(?:[Pp]an(?:a|u|em|ie)?|[Pp]ani(?:ą)?|[Pp]aństw(?:o|a|u|em)|[Pp]\.|"
    rf"[Nn]azywam się|[Ss]ąsiad(?:ka|ki|ce|a|owi|em)?)\s+){_NAME}(?:\s+{_NAME}){{0,2}}"
)


def _digits(match: re.Match[str]) -> str:
    # A date with a time ("2026-03-02 10") is a run of digits too, and no personal data.
    return match.group() if _DATE.search(match.group()) else REDACTED


def _name(match: re.Match[str]) -> str:
    return f"{match.group('lead')}{REDACTED}"


# (prefilter, pattern, replacement): the prefilter is a cheap test that the pattern may match at
# all; the patterns alone cost ~60 µs a description, too much for a list of 1,000 requests.
_UPPER_DIGIT = re.compile(r"[A-ZĄĆĘŁŃÓŚŹŻ] ?\d")
_LEAD_WORDS = ("Pan", "pan", "Pań", "pań", "P.", "p.", "azywam", "ąsiad")


def _has_upper_digit(text: str) -> bool:
    return _UPPER_DIGIT.search(text) is not None


def _has_nine_digits(text: str) -> bool:
    return sum(map(text.count, "0123456789")) >= 9


def _has_lead(text: str) -> bool:
    return any(word in text for word in _LEAD_WORDS)


_RULES: list[tuple[Callable[[str], bool], re.Pattern[str], Any]] = [
    (lambda text: "@" in text, _EMAIL, REDACTED),
    (_has_upper_digit, _IBAN, REDACTED),
    (_has_upper_digit, _ID_DOCUMENT, REDACTED),
    (_has_upper_digit, _PLATE, REDACTED),
    (_has_nine_digits, _DIGITS, _digits),
    (_has_lead, _HONORIFIC_NAME, _name),
]


@functools.lru_cache(maxsize=4096)
def redact(text: str) -> str:
    """``text`` with personal data replaced by ``[…]`` (cached: public lists repeat the same texts)."""
    for may_match, pattern, replacement in _RULES:
        if may_match(text):
            text = pattern.sub(replacement, text)
    return text


def listed(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases of ``cases`` that public lists (Open311, the map, open data) may show."""
    return cases.filter(service__is_public=True, service__publication__in=LISTED)


def with_descriptions(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate what :func:`public_description` needs: ``publication`` and ``approved_description``
    (the moderator's latest decision, read only for ``moderated`` services)."""
    latest = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=MODERATION)
        .order_by("-at", "-id")
        .annotate(approved=KeyTextTransform("text", "data"))
        .values("approved")[:1]
    )
    return cases.annotate(
        publication=F("service__publication"),
        approved_description=models.Case(
            When(service__publication=Publication.MODERATED, then=Subquery(latest)),
            default=Value(None),
            output_field=models.TextField(null=True),
        ),
    )


def public_description(*, publication: str, is_public: bool, description: str, approved: str | None) -> str:
    """The description as public surfaces show it; ``""`` when it is withheld."""
    if not is_public:
        return ""
    if publication == Publication.REDACTED:
        return redact(description)
    if publication == Publication.MODERATED and approved:
        return redact(approved)
    return ""


def approved_text(case: Case) -> str | None:
    """The text a moderator approved last for ``case`` (``None``: never, or withdrawn)."""
    event = CaseEvent.objects.filter(case=case, kind=MODERATION).order_by("-at", "-id").only("data").first()
    text = event.data.get("text") if event is not None else None
    return text if isinstance(text, str) and text else None


def description_of(case: Case) -> str:
    """The public description of one case (``case.service`` loaded; one query more when moderated)."""
    service = case.service
    approved = approved_text(case) if service.publication == Publication.MODERATED else None
    return public_description(
        publication=service.publication, is_public=service.is_public, description=case.description, approved=approved
    )


def may_moderate(actor: Actor, case: Case) -> bool:
    from okienko.cases import access
    from okienko.cases.workflow import ActorKind

    return bool(access.actor_kinds(actor, case) & {ActorKind.EXPERT, ActorKind.SUPERVISOR})


def moderate_description(*, actor: Actor, case: Case, text: str | None) -> CaseEvent:
    """Publish ``text`` (after redaction) as the description of ``case``, or withdraw it (``None``).

    For services published ``moderated``; staff who work on the case decide. The text may differ
    from the reporter's (a moderator shortens or rewords it); it is redacted again when shown.
    """
    from okienko.cases.intake import CaseInputError

    if not may_moderate(actor, case):
        raise Forbidden(_("You may not work on this case."))
    if case.service.publication != Publication.MODERATED:
        raise CaseInputError({"text": _("Descriptions of this service are not moderated.")})
    if text is not None:
        text = text.strip()
        if not text:
            raise CaseInputError({"text": _("Give the text to publish, or withdraw the description.")})
        if len(text) > MAX_TEXT:
            raise CaseInputError({"text": _("The text may have at most %(n)d characters.") % {"n": MAX_TEXT}})
    user = user_of(actor)
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case,
            at=clock.now(),
            kind=MODERATION,
            actor=user,
            actor_repr=(user.get_full_name() if user else "") or name_of(actor),
            summary=_("Description published on public pages")
            if text
            else _("Description withdrawn from public pages"),
            data={"text": text or ""},  # "" (never JSON null): withdrawn; KeyTextTransform reads it alike everywhere
            is_public=False,
        )
        audit.record(
            "case.description_moderated",
            actor=actor,
            obj=case,
            organisation_id=case.organisation_id,
            data={"published": text is not None, "event_id": event.pk},
        )
    return event
