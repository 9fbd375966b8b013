"""Okienko objects as GeoReport v2 data: services, definitions, service requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from okienko.cases.publication import public_description
from okienko.catalogue.models import Service, ServiceQuestion
from okienko.core import clock

CLOSED_STATUSES = frozenset({"resolved", "closed", "cancelled", "duplicate", "split"})

# Okienko question types that GeoReport v2 has no name for are sent as strings with a description.
_DATATYPES = {
    "string": ("string", ""),
    "number": ("number", ""),
    "datetime": ("datetime", "ISO 8601, e.g. 2026-03-02T09:30:00+01:00"),
    "text": ("text", ""),
    "singlevaluelist": ("singlevaluelist", ""),
    "multivaluelist": ("multivaluelist", ""),
    "location": ("string", "latitude,longitude in WGS84 decimal degrees, e.g. 51.7592,19.4560"),
    "notice": ("string", "information only; no answer is expected"),
}


def status_of(status: str) -> str:
    """Okienko case status → GeoReport ``open``/``closed``."""
    return "closed" if status in CLOSED_STATUSES else "open"


def statuses_for(open311_status: str) -> list[str]:
    from okienko.cases.workflow import Status

    return [s for s in Status.values if status_of(s) == open311_status]


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the Europe/Warsaw offset (e.g. ``2026-03-02T09:30:00+01:00``)."""
    if value is None:
        return None
    return value.astimezone(clock.WARSAW).isoformat(timespec="seconds")


def local(value: dt.datetime | None) -> dt.datetime | None:
    """``value`` in Europe/Warsaw; the renderers write it as ``iso`` does (cheaper on long lists)."""
    return None if value is None else value.astimezone(clock.WARSAW)


def public_id(number: str) -> str:
    """Case numbers contain slashes (``LODZ/2026/000123``); in URLs they become dashes."""
    return number.replace("/", "-")


def number_of(service_request_id: str) -> str:
    head, sep, tail = service_request_id.rpartition("-")
    if sep and tail.isdigit():
        prefix, sep2, year = head.rpartition("-")
        if sep2 and year.isdigit() and len(year) == 4:
            return f"{prefix}/{year}/{tail}"
    return service_request_id


def service_type(service: Service) -> str:
    """Requests become cases at once (``realtime``); inquiries are triaged (``batch``, a token)."""
    return "realtime" if service.kind == Service.Kind.REQUEST else "batch"


def service_data(service: Service, *, has_questions: bool) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.public_name,
        "description": service.public_description,
        "metadata": has_questions,
        "type": service_type(service),
        "keywords": service.keywords,
        "group": service.category.name,
    }


def attribute_data(question: ServiceQuestion) -> dict[str, Any]:
    datatype, described = _DATATYPES.get(question.datatype, ("string", ""))
    values = [{"key": c.key, "name": c.name} for c in question.choices.all()] if question.is_list else []
    return {
        "variable": question.datatype != ServiceQuestion.Datatype.NOTICE,
        "code": question.code,
        "datatype": datatype,
        "required": question.required,
        "datatype_description": described,
        "order": question.order,
        "description": question.label + (f" — {question.description}" if question.description else ""),
        "values": values,
    }


def definition_data(service: Service, questions: Iterable[ServiceQuestion]) -> dict[str, Any]:
    return {"service_code": service.code, "attributes": [attribute_data(q) for q in questions]}


def request_data(row: dict[str, Any]) -> dict[str, Any]:
    """One case (a ``values()`` row, see ``views.REQUEST_FIELDS``) as a GeoReport service request.

    The description is what ``cases.publication`` allows public surfaces to show (ADR 0042)."""
    lat, lon = row.get("latitude"), row.get("longitude")
    return {
        "service_request_id": public_id(row["number"]),
        "status": status_of(row["status"]),
        "status_notes": row.get("status_notes") or "",
        "service_name": row["service__public_name"],
        "service_code": row["service__code"],
        "description": public_description(
            publication=row["publication"],
            is_public=row["service__is_public"],
            description=row["description"],
            approved=row["approved_description"],
        ),
        "agency_responsible": row.get("assigned_unit__name") or "",
        "service_notice": "",
        "requested_datetime": local(row["created_at"]),
        "updated_datetime": local(row["updated_at"]),
        "expected_datetime": local(row.get("resolve_due")),
        "address": row.get("address") or "",
        "address_id": row.get("open311_submission__address_id") or "",
        "zipcode": "",
        "lat": float(lat) if lat is not None else None,
        "long": float(lon) if lon is not None else None,
        "media_url": row.get("media_url") or "",
    }
