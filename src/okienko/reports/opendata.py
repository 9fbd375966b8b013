"""The daily open-data file of service requests (issue 20, item 7), as NYC publishes its 311 data.

One file per local day of the cases *requested* that day, with their status at the time of the
download, in CSV and JSON, under the column names of Open311 GeoReport v2 where it has one. Only
cases whose service is published (``cases.publication.listed``) are in it; no description, no
address and nothing about the reporter; the place only as the gmina or district and coordinates
rounded to ``DIGITS`` decimal places (about 110 m north–south and 70 m east–west in Poland).
Rows are streamed from the replica with a server-side cursor, so a day of any size takes flat
memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from okienko.cases.models import Case
from okienko.cases.publication import listed
from okienko.cases.workflow import FINISHED_STATUSES
from okienko.reports.rollups import day_range, zone
from okienko.reports.routers import read_alias

DIGITS = 3
CHUNK = 2000

COLUMNS: list[tuple[str, Any]] = [
    ("service_request_id", _("Case number (slashes written as dashes, as in Open311)")),
    ("status", _("open or closed")),
    ("service_code", _("Code of the service (the catalogue of matters)")),
    ("service_name", _("Name of the service")),
    ("agency_responsible", _("Unit handling the case (or the office that owns it)")),
    ("requested_datetime", _("When the case was registered (ISO 8601, Polish time)")),
    ("updated_datetime", _("Last change (ISO 8601)")),
    ("expected_datetime", _("Deadline for resolving it (ISO 8601), if any")),
    ("closed_datetime", _("When it was resolved (ISO 8601), if it was")),
    ("channel", _("How it came in: phone, e-mail, portal, SMS, chat, e-form, counter…")),
    ("district", _("Gmina or city district of the place, if given")),
    ("lat", _("Latitude of the place, rounded to 3 decimal places (WGS84)")),
    ("long", _("Longitude of the place, rounded to 3 decimal places (WGS84)")),
]


def licence() -> dict[str, str]:
    return {
        "name": str(getattr(settings, "OPEN_DATA_LICENCE_NAME", "CC BY 4.0")),
        "url": str(
            getattr(settings, "OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/legalcode.pl")
        ),
    }


def _iso(value: dt.datetime | None) -> str:
    return value.astimezone(zone()).isoformat(timespec="seconds") if value is not None else ""


def _round(value: Decimal | None) -> float | None:
    return round(float(value), DIGITS) if value is not None else None


def rows(day: dt.date) -> Iterator[dict[str, Any]]:
    start, end = day_range(day)
    cases = (
        listed(Case.objects.using(read_alias()))
        .filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "pk")
        .values(
            "number",
            "status",
            "channel",
            "created_at",
            "updated_at",
            "resolve_due",
            "resolved_at",
            "latitude",
            "longitude",
            service_code=F("service__code"),
            service_name=F("service__public_name"),
            unit=F("assigned_unit__name"),
            owner=F("organisation__name"),
            district=F("gmina__name"),
        )
    )
    for row in cases.iterator(chunk_size=CHUNK):
        yield {
            "service_request_id": row["number"].replace("/", "-"),
            "status": "closed" if row["status"] in FINISHED_STATUSES else "open",
            "service_code": row["service_code"],
            "service_name": row["service_name"],
            "agency_responsible": row["unit"] or row["owner"] or "",
            "requested_datetime": _iso(row["created_at"]),
            "updated_datetime": _iso(row["updated_at"]),
            "expected_datetime": _iso(row["resolve_due"]),
            "closed_datetime": _iso(row["resolved_at"]),
            "channel": row["channel"],
            "district": row["district"] or "",
            "lat": _round(row["latitude"]),
            "long": _round(row["longitude"]),
        }
