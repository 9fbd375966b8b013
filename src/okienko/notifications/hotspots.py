"""The early warning reaches people: a hot spot newly flagged by the reports' detection
(``reports.hotspot_flagged``, emitted once per office, service, week and cell) is e-mailed to the
staff who hold ``reports.view`` in its office or in the unit that runs the service.

``reports`` and ``notifications`` are one layer and import neither each other, so the event's
payload carries what the message needs (counts, the cell centre, the desk links); the key is the
hot spot, so a redelivered event queues nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import npgettext

from okienko.accounts.models import Membership, Organisation, User
from okienko.accounts.roles import ROLE_PERMISSIONS, Perm
from okienko.catalogue.models import Service
from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.notifications.models import Event
from okienko.notifications.service import Message, Recipient, notify


def _later(render: Callable[[], str]) -> str:
    """A value rendered in the recipient's language (``rendering.render`` activates it)."""
    return lazy(render, str)()


def _cases(count: int) -> str:
    return npgettext("hot spot e-mail", "%(count)s case", "%(count)s cases", count) % {"count": count}


def _number(value: float, places: int) -> str:
    return number_format(round(value, places), decimal_pos=places)


def people(office: Organisation, service: Service) -> list[User]:
    """Active staff with an e-mail address and ``reports.view`` by a role held in the office or in
    the unit running the service (a parent's director is not told: the dashboard shows it)."""
    roles = sorted(role for role, granted in ROLE_PERMISSIONS.items() if Perm.REPORTS_VIEW in granted)
    where = {office.pk, *([service.responsible_unit_id] if service.responsible_unit_id else [])}
    found = {
        membership.user
        for membership in Membership.objects.filter(organisation_id__in=sorted(where), role__in=roles).select_related(
            "user"
        )
        if membership.user.is_active and (membership.user.email or "").strip()
    }
    return sorted(found, key=lambda user: user.pk)


@events.subscriber("reports.hotspot_flagged", name="notifications.hotspot_flagged")
def on_hotspot_flagged(event: OutboxEvent) -> None:
    payload: dict[str, Any] = event.payload
    if not (event.organisation_id and payload.get("service") and payload.get("hotspot")):
        return
    office = Organisation.objects.filter(pk=event.organisation_id).first()
    service = Service.objects.filter(pk=int(payload["service"])).first()
    if office is None or service is None:
        return
    count, usual = int(payload.get("count") or 0), float(payload.get("expected") or 0.0)
    latitude, longitude = float(payload.get("latitude") or 0.0), float(payload.get("longitude") or 0.0)
    site = str(settings.SITE_URL).rstrip("/")
    context = {
        "service": service.public_name,
        "office": office.name,
        "cases": _later(lambda: _cases(count)),
        "usual": _later(lambda: _number(usual, 1)),
        "centre": _later(lambda: f"{_number(latitude, 3)}° N, {_number(longitude, 3)}° E"),
        "map_link": site + str(payload.get("map_path") or ""),
        "list_link": site + str(payload.get("list_path") or ""),
    }
    notify(
        Message(event=Event.HOTSPOT_FLAGGED, organisation=office, context=context, key=f"hotspot:{payload['hotspot']}"),
        [
            Recipient(
                email=user.email.strip(),
                name=user.get_full_name() or user.get_username(),
                language=user.preferred_language or "pl",
                staff=True,
            )
            for user in people(office, service)
        ],
    )
