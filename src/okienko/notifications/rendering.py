"""Choosing the wording of a notification and rendering it to text and HTML.

Templates are staff-edited, so they are rendered by an engine of their own: Django's template
language with the built-in tags and filters only (no ``{% load %}``, no ``{% include %}`` of other
templates) over a context of plain strings, so an editor can reach nothing but the variables
offered. The HTML version is the rendered text, escaped, with links and paragraphs, in the shared
e-mail layout; nothing a client or an editor typed is ever rendered as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override

from okienko.accounts.models import Organisation
from okienko.notifications import defaults
from okienko.notifications.models import NotificationTemplate

SUBJECT_LIMIT = 300
T = TypeVar("T")
BODY_LIMIT = 20_000


class TemplateError(ValueError):
    """A wording that does not compile or render; the message says where."""


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str
    template: NotificationTemplate | None  # None: the shipped wording


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def _engine() -> Engine:
    # No loaders and no libraries: {% include %}, {% extends %} and {% load %} find nothing.
    return Engine(loaders=[], libraries={}, autoescape=False, debug=False)


def wording(organisation: Organisation | None, event: str, channel: str, language: str) -> Wording | None:
    """The wording for ``event`` on ``channel`` in ``language`` as ``organisation`` uses it: its own
    template, else its nearest parent's, else one for every office, else the shipped one (in the
    language asked for, else in Polish). ``None``: the event has no message on that channel."""
    languages = [language] if language == "pl" else [language, "pl"]
    stored = list(
        NotificationTemplate.objects.filter(event=event, channel=channel, language__in=languages, active=True)
        .select_related("organisation")
        .order_by("id")
    )
    chain = office_chain(organisation)
    for lang in languages:
        for scope in [*chain, None]:
            for template in stored:
                if template.language == lang and template.organisation_id == scope:
                    return Wording(template.subject, template.body, template)
        shipped = (defaults.EMAIL if channel == "email" else defaults.SMS).get((event, lang))
        if shipped is not None:
            return Wording(shipped.subject, shipped.body, None)
    return None


def office_chain(organisation: Organisation | None) -> list[int]:
    """The organisation's id, then its parents' up to the root, nearest first (one query over the
    materialised ``path``): where a setting of the nearest office that has one applies."""
    if organisation is None:
        return []
    parents = sorted(organisation.ancestors(), key=lambda parent: len(parent.path), reverse=True)
    return [organisation.pk, *(parent.pk for parent in parents)]


def nearest(rows: Iterable[T], organisation: Organisation | None, *, field: str = "organisation_id") -> T | None:
    """Of ``rows`` (belonging to offices), the one of the nearest office in ``organisation``'s chain."""
    chain = office_chain(organisation)
    ranked = [(chain.index(getattr(row, field)), row) for row in rows if getattr(row, field) in chain]
    return min(ranked, key=lambda pair: pair[0])[1] if ranked else None


def render_text(source: str, context: Mapping[str, str], *, limit: int) -> str:
    try:
        template = _engine().from_string(source)
        text = template.render(Context(dict(context), autoescape=False))
    except TemplateSyntaxError as exc:
        raise TemplateError(_("The template cannot be used: %(error)s") % {"error": exc}) from exc
    except Exception as exc:  # a filter given a bad argument and the like
        raise TemplateError(_("The template cannot be used: %(error)s") % {"error": exc}) from exc
    return text.strip()[:limit]


def render(subject: str, body: str, context: Mapping[str, str], *, language: str, html: bool = True) -> Rendered:
    """Render a wording in ``language`` (dates and the layout's words follow it)."""
    with override(language):
        text = render_text(body, context, limit=BODY_LIMIT)
        title = " ".join(render_text(subject, context, limit=SUBJECT_LIMIT).split())  # no header injection
        markup = ""
        if html:
            paragraphs = linebreaks(urlize(text, nofollow=True, autoescape=True))
            markup = render_to_string(
                "notifications/email/layout.html",
                {"subject": title, "body": mark_safe(paragraphs), "office": context.get("office", "")},
            )
    return Rendered(title, text, markup)


def sample_context(language: str = "pl") -> dict[str, str]:
    """Example values for the editor's live preview."""
    if language == "en":
        return {
            "name": "Anna Kowalska",
            "case_number": "LODZ/2026/000186",
            "service": "Pothole in the road",
            "status": "Being handled",
            "message": "The road crew will repair the hole by Friday.",
            "link": "https://okienko.example/sprawy/0190c1d2-example/",
            "answer_link": "https://okienko.example/odpowiedz/example/",
            "survey_link": "https://okienko.example/ankieta/example/",
            "deadline": "19 December 2026",
            "office": "City contact centre in Łódź",
            "office_phone": "+48 42 638 44 44",
            "office_email": "kontakt@lodz.example",
            "callback_at": "7 December 2026, 10:00",
            "subject": "Pothole on Piotrkowska",
            "article_title": "Reporting a pothole",
            "article_link": "https://okienko.example/desk/knowledge/editor/example/",
            "review_date": "5 December 2026",
            "cases": "7 cases",
            "usual": "0.4",
            "centre": "51.765° N, 19.455° E",
            "map_link": "https://okienko.example/desk/reports/map/?service=1#map=15/51.7650/19.4550",
            "list_link": "https://okienko.example/desk/reports/map/#hotspots-h",
        }
    return {
        "name": "Anna Kowalska",
        "case_number": "LODZ/2026/000186",
        "service": "Dziura w jezdni",
        "status": "W trakcie załatwiania",
        "message": "Ekipa drogowa naprawi ubytek do piątku.",
        "link": "https://okienko.example/sprawy/0190c1d2-przyklad/",
        "answer_link": "https://okienko.example/odpowiedz/przyklad/",
        "survey_link": "https://okienko.example/ankieta/przyklad/",
        "deadline": "19 grudnia 2026",
        "office": "Centrum Kontaktu Miasta Łodzi",
        "office_phone": "+48 42 638 44 44",
        "office_email": "kontakt@lodz.example",
        "callback_at": "7 grudnia 2026, 10:00",
        "subject": "Dziura na Piotrkowskiej",
        "article_title": "Jak zgłosić dziurę w jezdni",
        "article_link": "https://okienko.example/desk/knowledge/editor/przyklad/",
        "review_date": "5 grudnia 2026",
        "cases": "7 spraw",
        "usual": "0,4",
        "centre": "51,765° N, 19,455° E",
        "map_link": "https://okienko.example/desk/reports/map/?service=1#map=15/51.7650/19.4550",
        "list_link": "https://okienko.example/desk/reports/map/#hotspots-h",
    }
