"""Reading a GeoReport v2 ``POST requests`` form into the arguments of ``cases.actions.open_case``.

Checks here are about the wire format (types, lengths, HTML, coordinates, e-mail, URLs);
what the service asks for (answers, required place) is checked by the cases app.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from okienko.integrations.open311.errors import Description, Open311Error, described

if TYPE_CHECKING:
    from okienko.cases.intake import CaseInputError
    from okienko.catalogue.models import Service, ServiceQuestion

MAX_DESCRIPTION = 4000
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{3,40}$")
_LIMITS = {
    "address_string": 300,
    "address_id": 100,
    "first_name": 100,
    "last_name": 100,
    "device_id": 100,
    "account_id": 100,
    "service_code": 80,
}


@dataclass
class ServiceRequestInput:
    service_code: str
    description: str
    location: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    reporter: dict[str, str] = field(default_factory=dict)
    media_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _coordinate(name: str, raw: str, limit: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(
            400,
            described(
                _("%(name)s must be a decimal number of degrees, not %(value)s."), name=name, value=repr(raw[:40])
            ),
        ) from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise Open311Error(
            400, described(_("%(name)s must be between -%(limit)s and %(limit)s."), name=name, limit=f"{limit:g}")
        )
    return value


def _too_long(name: str, limit: int) -> Description:
    return described(_("%(name)s may have at most %(limit)d characters."), name=name, limit=limit)


def attributes_of(params: QueryDict) -> dict[str, Any]:
    """``attribute[code]=v`` → ``{code: v}``; ``attribute[code][]=a&attribute[code][]=b`` → a list."""
    answers: dict[str, Any] = {}
    for key in params:
        match = _ATTRIBUTE.match(key)
        if match is None:
            if key.startswith("attribute"):
                raise Open311Error(
                    400,
                    described(_("%(key)s is not a valid attribute; use attribute[code]=value."), key=repr(key[:60])),
                )
            continue
        code, is_list = match.group(1), bool(match.group(2))
        values = [v for v in params.getlist(key) if v != ""]
        if is_list or len(values) > 1:
            answers[code] = values
        elif values:
            answers[code] = values[0]
    return answers


def parse_post(params: QueryDict) -> ServiceRequestInput:
    errors: list[Description] = []
    for name, limit in _LIMITS.items():
        if len(params.get(name, "")) > limit:
            errors.append(_too_long(name, limit))
    service_code = params.get("service_code", "").strip()
    if not service_code:
        errors.append(_("service_code is required."))
    description = params.get("description", "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors.append(_too_long("description", MAX_DESCRIPTION))
    if _HTML.search(description):
        errors.append(_("description must be plain text; HTML is not accepted."))
    location: dict[str, Any] = {}
    lat, lon = params.get("lat", "").strip(), params.get("long", "").strip()
    try:
        if lat or lon:
            if not (lat and lon):
                raise Open311Error(400, _("Give both lat and long."))
            location["latitude"] = _coordinate("lat", lat, 90)
            location["longitude"] = _coordinate("long", lon, 180)
    except Open311Error as exc:
        errors.extend(exc.descriptions)
    address = params.get("address_string", "").strip()
    address_id = params.get("address_id", "").strip()
    if address:
        location["address"] = address
    elif address_id:
        location["address"] = address_id
    if address_id.isdigit() and len(address_id) == 7:
        location["gmina_code"] = address_id  # a TERYT gmina code is a usable address id
    if not location:
        errors.append(_("A location is required: lat and long, address_string or address_id."))
    email = params.get("email", "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.append(_("email is not a valid e-mail address."))
    phone = params.get("phone", "").strip()
    if phone and not _PHONE.match(phone):
        errors.append(_("phone may contain only digits, spaces, +, (, ) and - (3 to 40 characters)."))
    media_url = params.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(_("media_url must be an http(s) URL."))
        if len(media_url) > 200:
            errors.append(_too_long("media_url", 200))
    try:
        answers = attributes_of(params)
    except Open311Error as exc:
        errors.extend(exc.descriptions)
        answers = {}
    if errors:
        raise Open311Error(400, *errors)
    name = " ".join(p for p in (params.get("first_name", "").strip(), params.get("last_name", "").strip()) if p)
    reporter = {k: v for k, v in (("name", name), ("email", email), ("phone", phone)) if v}
    extra = {k: params.get(k, "").strip() for k in ("address_id", "device_id", "account_id") if params.get(k)}
    return ServiceRequestInput(
        service_code=service_code,
        description=description,
        location=location,
        answers=answers,
        reporter=reporter,
        media_url=media_url,
        extra=extra,
    )


def check_input(service: Service, data: ServiceRequestInput, questions: Sequence[ServiceQuestion] | None) -> None:
    """The cases app's complete check of what would open a case (raises ``CaseInputError``)."""
    from okienko.cases.intake import check_case_input

    check_case_input(
        service, description=data.description, answers=data.answers, location=data.location, questions=questions
    )


def case_input_errors(exc: CaseInputError, language: str) -> dict[str, str]:
    """``exc.errors`` worded in ``language``: the cases app's messages are lazy (ADR 0047), so
    they are translated here, once, without checking the request again."""
    with translation.override(language):
        return {name: str(message) for name, message in exc.errors.items()}
