"""Where shareable data comes from: the office's registry (``contracting_registry.RegisteredPerson``)
and the agency's own records. The registry's field names are read here and nowhere else, so a
renamed registry field is adapted in one place.

Field codes are those of the ``SharedField`` catalogue; a code this module does not know yields
nothing (the catalogue may list fields a later version will fill).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from okienko.core import clock


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda person: getattr(person, name, None)


def _address(person: Any) -> dict[str, str]:
    return {
        "street": getattr(person, "street", "") or "",
        "postcode": getattr(person, "postcode", "") or "",
        "city": getattr(person, "city", "") or "",
    }


# code in the catalogue -> how to read it from a registry person
PERSON_FIELDS: dict[str, Callable[[Any], Any]] = {
    "pesel": _attr("pesel"),
    "first_name": _attr("first_name"),
    "last_name": _attr("last_name"),
    "birth_date": _attr("birth_date"),
    "gender": _attr("gender"),
    "registered_on": _attr("registered_on"),
    "email": _attr("email"),
    "phone": _attr("phone"),
    "address": _address,
    "education_level": _attr("education_level"),
    "occupations": _attr("occupations"),
    "work_history": _attr("work_history"),
    "qualifications": _attr("qualifications"),
    "past_activation": _attr("past_activation"),
}

AGENCY_RECORD_FIELDS = ("events", "placements", "documents")


def person_fields(person: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` (catalogue codes) of a registry person, as plain JSON data."""
    values = {code: PERSON_FIELDS[code](person) for code in fields if code in PERSON_FIELDS}
    plain: dict[str, Any] = _plain(values)
    return plain


DEREGISTERED_STATUSES = frozenset({"deregistered"})


def person_office_id(person: Any) -> int | None:
    """The labour office that registered the person."""
    value = getattr(person, "office_id", None)
    return int(value) if value is not None else None


def deregistered_q() -> Any:
    """A filter on ``Participant`` for people the registry says are no longer registered."""
    from django.db.models import Q

    return Q(person__status__in=sorted(DEREGISTERED_STATUSES))


def eligibility_snapshot(person: Any, *, on: dt.date | None = None) -> dict[str, Any]:
    """What made the person eligible when nominated (no identity data: registration facts only)."""
    today = on or clock.local_now().date()
    registered_on = getattr(person, "registered_on", None)
    birth_date = getattr(person, "birth_date", None)
    snapshot = {
        "registry_status": getattr(person, "status", ""),
        "registered_on": registered_on,
        "days_registered": (today - registered_on).days if registered_on else None,
        "age": _age(birth_date, today) if birth_date else None,
        "education_level": getattr(person, "education_level", ""),
        "taken_on": today,
    }
    plain: dict[str, Any] = _plain(snapshot)
    return plain


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def agency_records(participant: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The agency's records of a participant (events, placements, documents) for ``fields``."""
    records: dict[str, Any] = agency_records_many([participant], fields)[participant.pk]
    return records


def agency_records_many(participants: Iterable[Any], fields: Iterable[str], *, chunk: int = 2000) -> dict[int, Any]:
    """``agency_records`` of many participants at once (three queries per ``chunk``), by id."""
    from okienko.contracting.models import ActivationEvent, EventEvidence, Placement

    wanted = set(fields)
    ids = [p.pk for p in participants]
    values: dict[int, dict[str, Any]] = {
        pk: {name: [] for name in ("events", "placements", "documents") if name in wanted} for pk in ids
    }
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        if "events" in wanted:
            events = ActivationEvent.objects.filter(participant_id__in=part).select_related("institution")
            for e in events.order_by("participant_id", "occurred_at", "id"):
                values[e.participant_id]["events"].append(
                    {
                        "id": str(e.uuid),
                        "type": e.type,
                        "occurred_at": e.occurred_at,
                        "details": e.details,
                        "institution": str(e.institution.uuid),
                    }
                )
        if "placements" in wanted:
            for p in Placement.objects.filter(participant_id__in=part).order_by("participant_id", "start_date", "id"):
                values[p.participant_id]["placements"].append(
                    {
                        "id": str(p.uuid),
                        "employer_nip": p.employer_nip,
                        "employer_name": p.employer_name,
                        "position": p.position,
                        "occupation": {"code": p.occupation_code, "edition": p.occupation_edition},
                        "contract_type": p.contract_type,
                        "working_time": p.working_time,
                        "start_date": p.start_date,
                        "end_date": p.end_date,
                        "verified_by": p.verified_by,
                    }
                )
        if "documents" in wanted:
            evidence = EventEvidence.objects.filter(event__participant_id__in=part).select_related("event")
            for f in evidence.order_by("event__participant_id", "id"):
                values[f.event.participant_id]["documents"].append(
                    {**f.as_payload(), "sha256": f.sha256, "event": str(f.event.uuid)}
                )
    return {pk: _plain(v) for pk, v in values.items()}
