"""The accessibility statement (deklaracja dostępności) of the portal, required of public bodies by
the act of 4 April 2019 on the digital accessibility of websites and mobile applications of public
bodies (art. 10) in the structure of the minister's technical conditions (the ``a11y-*`` ids).

What differs between installations comes from the institution, not from the code:

* the public body: the top organisation of the tree (its name, e-mail and phone are edited in the
  admin), unless ``PORTAL_ACCESSIBILITY["entity"]`` names another;
* ``settings.PORTAL_ACCESSIBILITY`` (all optional): ``entity``, ``url``, ``published``, ``updated``,
  ``prepared``, ``reviewed`` (ISO dates), ``status`` (``full``, ``partial`` or ``none``),
  ``auditor`` (empty: a self-assessment), ``person``, ``email``, ``phone``, ``architecture`` and
  ``apps`` (free text replacing the default paragraphs).

The text itself is a Polish and an English template (a legal text reads better whole than cut into
message ids); the page follows the active language like every portal page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from okienko.accounts.models import Organisation

# The day this statement was first written for the portal; an installation sets its own dates.
DEFAULT_DATE = dt.date(2026, 12, 6)
STATUSES = ("full", "partial", "none")


@dataclass(frozen=True)
class Statement:
    entity: str
    url: str
    published: dt.date
    updated: dt.date
    prepared: dt.date
    reviewed: dt.date
    status: str
    auditor: str
    person: str
    email: str
    phone: str
    architecture: str
    apps: str


def _date(value: Any, default: dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return default


def statement() -> Statement:
    configured: dict[str, Any] = dict(getattr(settings, "PORTAL_ACCESSIBILITY", {}) or {})
    top = Organisation.objects.filter(parent__isnull=True, active=True).order_by("pk").first()
    site = str(getattr(settings, "SITE_URL", "") or "").rstrip("/")
    host = site.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    published = _date(configured.get("published"), DEFAULT_DATE)
    updated = _date(configured.get("updated"), published)
    prepared = _date(configured.get("prepared"), published)
    status = str(configured.get("status") or "partial")
    return Statement(
        entity=str(configured.get("entity") or (top.name if top else "") or "Okienko"),
        url=str(configured.get("url") or site + "/"),
        published=published,
        updated=updated,
        prepared=prepared,
        reviewed=_date(configured.get("reviewed"), prepared),
        status=status if status in STATUSES else "partial",
        auditor=str(configured.get("auditor") or ""),
        person=str(configured.get("person") or ""),
        email=str(configured.get("email") or (top.email if top else "") or f"dostepnosc@{host}"),
        phone=str(configured.get("phone") or (top.phone if top else "")),
        architecture=str(configured.get("architecture") or ""),
        apps=str(configured.get("apps") or ""),
    )


@require_safe
def statement_view(request: HttpRequest) -> HttpResponse:
    language = "pl" if (translation.get_language() or "pl").startswith("pl") else "en"
    context = {
        "a11y": statement(),
        "body": f"portal/accessibility/_statement_{language}.html",
        "report_url": reverse("portal:services"),
    }
    return render(request, "portal/accessibility/statement.html", context)
