"""The client card's panel: the client's appointments at the office, with booking, cancelling
and marking (attended / did not come) for staff who may edit the client's data (issue 19, item 6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from okienko.core import clock, panels
from okienko.jobs.appointments import access
from okienko.jobs.appointments.models import Appointment, Status

SHOWN = 20


def client_appointments(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    if not access.may_view(request.user, client.home_office):
        return None
    rows = list(
        Appointment.objects.filter(client=client, office__in=access.offices(request.user))
        .select_related("visit_type", "office")
        .order_by("-starts_at")[:SHOWN]
    )
    return {
        "client": client,
        "appointments": rows,
        "may_edit": access.may_book_for(request.user, client),
        "now": clock.now(),
        "BOOKED": Status.BOOKED,
    }


def register_panels() -> None:
    panels.register(
        panels.Panel(
            slot=panels.CLIENT_CARD,
            name="jobs_appointments.client",
            template="jobs_appointments/panels/client_appointments.html",
            context=client_appointments,
            order=55,
        )
    )
