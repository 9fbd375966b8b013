"""Checking what a case is opened with: extra-question answers, location, attachments' content."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import TerritorialUnit
from okienko.core import reference
from okienko.core.errors import InvalidInput, Message


class CaseInputError(InvalidInput, ValueError):
    """The input cannot be accepted; ``errors`` maps field names to messages."""

    def __init__(self, errors: Mapping[str, Message]) -> None:
        super().__init__(errors=errors)

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())


def clean_answers(
    service: Any, answers: Mapping[str, Any] | None, *, questions: Sequence[Any] | None = None
) -> dict[str, Any]:
    """Validate ``answers`` against the service's extra questions; return the cleaned answers.

    A required ``notice`` question blocks registration: the matter must be handled elsewhere.
    ``questions``: the service's questions with their choices prefetched, when the caller has them.
    """
    answers = dict(answers or {})
    errors: dict[str, Message] = {}
    cleaned: dict[str, Any] = {}
    if questions is None:
        questions = list(service.questions.prefetch_related("choices"))
    known = {q.code for q in questions}
    for code in answers:
        if code not in known:
            errors[code] = _("This question is not asked for this service.")
    for q in questions:
        raw = answers.get(q.code)
        if q.datatype == "notice":
            if q.required:
                errors[q.code] = q.description or q.label
            continue
        empty = raw is None or raw == "" or raw == []
        if empty:
            if q.required:
                errors[q.code] = _("This answer is required.")
            continue
        try:
            cleaned[q.code] = _clean_value(q, raw)
        except ValueError as exc:
            errors[q.code] = exc.args[0] if exc.args else str(exc)  # kept lazy: worded where it is shown
    if errors:
        raise CaseInputError(errors)
    return cleaned


def _clean_value(question: Any, raw: Any) -> Any:
    kind = question.datatype
    if kind in ("string", "text", "location"):
        text = str(raw).strip()
        limit = 200 if kind == "string" else 5000
        if len(text) > limit:
            raise ValueError(_("The answer is too long."))
        return text
    if kind == "number":
        try:
            number = Decimal(str(raw).replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(_("Enter a number.")) from exc
        if not number.is_finite():
            raise ValueError(_("Enter a number."))
        return str(number)
    if kind == "datetime":
        parsed = parse_datetime(str(raw)) if not isinstance(raw, dt.datetime) else raw
        if parsed is None:
            raise ValueError(_("Enter a date and time (YYYY-MM-DD HH:MM)."))
        return parsed.isoformat()
    keys = {c.key for c in question.choices.all()}
    if kind == "singlevaluelist":
        if isinstance(raw, list):
            raise ValueError(_("Choose one value."))
        if str(raw) not in keys:
            raise ValueError(_("Choose one of the listed values."))
        return str(raw)
    if kind == "multivaluelist":
        values = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
        if not set(values) <= keys:
            raise ValueError(_("Choose only listed values."))
        return values
    raise ValueError(_("Unknown type of question."))


def clean_location(location: Mapping[str, Any] | None, *, required: bool) -> dict[str, Any]:
    """Return ``{latitude, longitude, address, gmina}`` (Decimal, Decimal, str, TerritorialUnit)."""
    location = dict(location or {})
    errors: dict[str, Message] = {}
    lat_raw, lon_raw = location.get("latitude"), location.get("longitude")
    address = str(location.get("address") or "").strip()[:300]
    lat = lon = None
    if (lat_raw in (None, "")) != (lon_raw in (None, "")):
        errors["location"] = _("Give both latitude and longitude.")
    elif lat_raw not in (None, ""):
        try:
            lat = Decimal(str(lat_raw)).quantize(Decimal("0.000001"))
            lon = Decimal(str(lon_raw)).quantize(Decimal("0.000001"))
        except InvalidOperation:
            errors["location"] = _("Latitude and longitude must be numbers.")
        else:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                errors["location"] = _("Latitude or longitude is out of range.")
    gmina = None
    code = str(location.get("gmina_code") or "").strip()
    if code:
        gmina = TerritorialUnit.objects.filter(code=code).first()
        if gmina is None and lat is None:
            # With a point the unit is derived from it below; a code the database does not know
            # (a map's derived code of a territory not loaded) must not block the form.
            errors["gmina_code"] = _("Unknown TERYT code.")
    if required and lat is None and not address:
        errors.setdefault("location", _("This service needs the place: a map point or an address."))
    if errors:
        raise CaseInputError(errors)
    if gmina is None and lat is not None and lon is not None:
        # Nobody types TERYT codes: the unit comes from the point and the shipped boundaries (ADR 0051).
        derived = reference.territory_at(float(lat), float(lon))
        gmina = TerritorialUnit.objects.filter(code=derived).first() if derived else None
    return {"latitude": lat, "longitude": lon, "address": address, "gmina": gmina}


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def check_case_input(
    service: Any,
    *,
    description: str,
    answers: Mapping[str, Any] | None,
    location: Mapping[str, Any] | None,
    priority: str | None = None,
    questions: Sequence[Any] | None = None,
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Everything a new case is checked for before anything is written.

    Returns ``(description, cleaned answers, place)``; raises ``CaseInputError`` with every problem.
    """
    from okienko.cases.models import Priority

    errors: dict[str, Message] = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Describe the matter.")
    if not service.active:
        errors["service"] = _("This service is no longer offered.")
    if priority is not None and priority not in Priority.values:
        errors["priority"] = _("Unknown priority.")
    try:
        cleaned_answers = clean_answers(service, answers, questions=questions)
    except CaseInputError as exc:
        errors.update(exc.errors)
        cleaned_answers = {}
    try:
        place = clean_location(location, required=service.location_required)
    except CaseInputError as exc:
        errors.update(exc.errors)
        place = {"latitude": None, "longitude": None, "address": "", "gmina": None}
    if errors:
        raise CaseInputError(errors)
    return description, cleaned_answers, place
