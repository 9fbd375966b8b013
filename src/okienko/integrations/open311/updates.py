"""Okienko's GeoReport v2 extension: the public history of one service request.

``GET /open311/v2/requests/{service_request_id}/updates.{xml,json}`` lists, oldest first, what the
reporter may see (ADR 0032): the registration, every status change and every public note —
never internal notes, routing, assignments or staff names. Each update carries the GeoReport
``status`` (``open``/``closed``) after it, Okienko's own status code as ``external_status_code``
(as in the service-request-updates extension used by FixMyStreet) and ``updated_datetime`` in
ISO 8601 with the Europe/Warsaw offset. Texts Okienko writes (not the notes) and error
descriptions are English unless the client asks for Polish with ``Accept-Language``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from okienko.cases import publication
from okienko.cases.models import Case, CaseEvent, CaseNote
from okienko.cases.workflow import Status
from okienko.integrations.open311 import representation
from okienko.integrations.open311.errors import Open311Error
from okienko.integrations.open311.language import language_of
from okienko.integrations.open311.views import endpoint, jurisdiction_of, respond

# Timeline kinds a reporter may see; anything else (assignments, files, edits) stays internal.
PUBLIC_KINDS = ("opened", "status", "note", "merged", "split")


def _text(event: CaseEvent, notes: dict[int, str]) -> str | None:
    if event.kind == "note":
        return notes.get(event.data.get("note_id"))
    if event.kind == "status":
        to_status = str(event.data.get("to_status", ""))
        label = Status(to_status).label if to_status in Status.values else to_status
        return _("Status changed: %(status)s") % {"status": label}
    if event.kind == "merged":
        into = str(event.data.get("into", ""))
        return _("Joined with request %(id)s about the same matter.") % {"id": representation.public_id(into)}
    if event.kind == "split":
        ids = ", ".join(representation.public_id(str(n)) for n in event.data.get("children", []))
        return _("Divided into requests %(ids)s.") % {"ids": ids}
    return _("Request received.")


def updates_data(case: Case) -> list[dict[str, Any]]:
    """The public timeline of ``case`` as GeoReport-style update records, oldest first."""
    notes = {
        n.pk: n.body
        for n in CaseNote.objects.filter(case=case, visibility=CaseNote.Visibility.PUBLIC).only("id", "body")
    }
    events = list(
        CaseEvent.objects.filter(case=case, is_public=True, kind__in=PUBLIC_KINDS)
        .only("id", "at", "kind", "data")
        .order_by("at", "id")
    )
    first_change = next((e for e in events if e.kind == "status"), None)
    current = str(first_change.data.get("from_status", case.status)) if first_change else case.status
    request_id = representation.public_id(case.number)
    rows: list[dict[str, Any]] = []
    for event in events:
        if event.kind == "status":
            current = str(event.data.get("to_status", current))
        elif event.kind in ("merged", "split"):
            current = Status.DUPLICATE if event.kind == "merged" else Status.SPLIT
        text = _text(event, notes)
        if text is None:
            continue
        rows.append(
            {
                "update_id": str(event.pk),
                "service_request_id": request_id,
                "type": event.kind,
                "status": representation.status_of(current),
                "external_status_code": current,
                "description": text,
                "updated_datetime": representation.iso(event.at),
                "media_url": "",
            }
        )
    return rows


@endpoint
def request_updates(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    with translation.override(language_of(request)):
        if request.method not in ("GET", "HEAD"):
            raise Open311Error(405, _("Use GET or HEAD here."))
        jurisdiction = jurisdiction_of(request.GET)
        number = representation.number_of(request_id)
        case = publication.listed(Case.objects.filter(organisation=jurisdiction, number=number)).first()
        if case is None:
            raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": repr(request_id[:60])})
        response = respond(updates_data(case), fmt, "status_updates")
        response["Content-Language"] = translation.get_language() or "en"
        response["Vary"] = "Accept-Language"
        return response
