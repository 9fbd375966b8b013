"""``{% publication_panel case %}``: what public pages show of the case, and the moderator's form."""

from __future__ import annotations

from typing import Any

from django import template

from okienko.cases import publication
from okienko.cases.models import Case

register = template.Library()


@register.inclusion_tag("cases/_publication.html", takes_context=True)
def publication_panel(context: dict[str, Any], case: Case) -> dict[str, Any]:
    service = case.service
    moderated = service.publication == publication.Publication.MODERATED
    approved = publication.approved_text(case) if moderated else None
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "case": case,
        "service": service,
        "shown": publication.description_of(case) if service.publication != publication.Publication.PRIVATE else "",
        "moderated": moderated,
        "approved": approved,
        "proposal": approved or publication.redact(case.description),
        "may_moderate": moderated and user is not None and publication.may_moderate(user, case),
        "csrf_token": context.get("csrf_token"),
    }
