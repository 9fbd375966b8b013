"""Standard replies (``catalogue.StandardText``) for a case, with placeholders filled in."""

from __future__ import annotations

import string
from typing import Any

from django.db.models import Q, QuerySet

from okienko.catalogue.models import StandardText
from okienko.core import formatting
from okienko.core.clock import WARSAW


def texts_for(case: Any) -> QuerySet[StandardText]:
    """Texts of the case's jurisdiction (or a parent) for its service or any service, and for its
    status or any status; the most specific first."""
    from okienko.core.tree import path_prefixes

    return (
        StandardText.objects.filter(organisation__path__in=path_prefixes(case.organisation.path), active=True)
        .filter(Q(service=case.service) | Q(service__isnull=True))
        .filter(Q(status=case.status) | Q(status=""))
        .order_by("service", "-status", "title")
    )


def placeholders(case: Any) -> dict[str, str]:
    due = case.resolve_due.astimezone(WARSAW) if case.resolve_due else None
    client_name = ""
    if case.client is not None:
        client = case.client
        client_name = (
            getattr(client, "organisation_name", "")
            or f"{getattr(client, 'first_name', '')} {getattr(client, 'last_name', '')}".strip()
        )
    return {
        "number": case.number,
        "case_number": case.number,
        "service": case.service.public_name,
        "client_name": client_name or case.reporter_name,
        "reporter_name": case.reporter_name,
        "deadline": formatting.long_when(due),
        "status": str(case.get_status_display()),
        "address": case.address,
        "unit": str(case.assigned_unit or ""),
    }


def fill(body: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders; unknown ones stay visible, no attribute/index access."""
    out = []
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError:  # unbalanced braces: show the text as written
        return body
    for literal, field, _spec, _conv in parsed:
        out.append(literal)
        if field is not None:
            out.append(values.get(field, "{" + field + "}") if field.isidentifier() else "{" + field + "}")
    return "".join(out)


def render_text(case: Any, text_id: int) -> str:
    text = texts_for(case).filter(pk=text_id).first()
    return fill(text.body, placeholders(case)) if text is not None else ""
