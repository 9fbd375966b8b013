"""What a resident may see of a case: status in plain words and the public timeline only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from okienko.cases.models import Case, CaseEvent, CaseNote
from okienko.cases.workflow import public_status


@dataclass(frozen=True)
class PublicEvent:
    at: dt.datetime
    text: str


def public_timeline(case: Case) -> list[PublicEvent]:
    """Public timeline entries; status changes in public wording, public notes in full.

    Internal notes, routing and every entry not marked public stay hidden; staff names are never shown.
    """
    notes = {n.pk: n.body for n in CaseNote.objects.filter(case=case, visibility=CaseNote.Visibility.PUBLIC)}
    entries: list[PublicEvent] = []
    for event in CaseEvent.objects.filter(case=case, is_public=True).order_by("at", "id"):
        if event.kind == "status":
            text = _("Status: %(status)s") % {"status": public_status(str(event.data.get("to_status", "")))}
        elif event.kind == "note":
            body = notes.get(event.data.get("note_id"))
            if body is None:
                continue
            text = body
        elif event.kind == "opened":
            text = str(_("Report registered"))
        else:
            text = event.summary
        entries.append(PublicEvent(event.at, str(text)))
    return entries
