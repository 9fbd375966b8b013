"""Bounded fuzzing of the appointment surfaces (issue 19, item 6): the job seeker's booking steps
and cancel, the desk's booking form, day view, cancel and marking, the desk's schedule pages
(settings, weekly hours, days, visit types, switching off) and the API's free times and booking
with hostile values — never a 5xx, nothing booked from garbage and no booked visit stranded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation, User
from okienko.api.actions import issue_api_token
from okienko.api.models import Scope
from okienko.clients import actions as client_actions
from okienko.clients.models import Client as Person
from okienko.core.actors import SystemActor
from okienko.core.clock import WARSAW
from okienko.jobs.appointments import actions
from okienko.jobs.appointments.models import Appointment
from okienko.jobs.seekers import actions as seeker_actions
from tests.jobs.appointment_helpers import MONDAY_10, TUESDAY, schedule_for, visit, warsaw
from tests.portal.test_fuzzing import NASTY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = st.one_of(
    st.sampled_from([*NASTY, "2026-03-10", "2026-03-10T08:00:00+00:00", "-1", "0", "99999999999999999999"]),
    st.text(max_size=60),
)
SETTINGS = settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(region: Organisation, make_user: Callable[..., User]) -> dict[str, Any]:
    office = Organisation.objects.get(code="pup-a")
    schedule = schedule_for(office)
    seeker = client_actions.register_client(
        actor=None, home_office=office, first_name="Anna", last_name="Zielińska", status=Person.Status.JOB_SEEKER
    )
    booked = actions.book(
        actor=SystemActor("test"), client=seeker, visit_type=visit(schedule), starts_at=warsaw(TUESDAY, 12, 0)
    )
    token = issue_api_token(
        actor=None,
        organisation=office,
        name="fuzzer",
        scopes=[Scope.CLIENTS_READ, Scope.CLIENTS_WRITE],
        role="consultant",
        rate_limit=100_000,
    )
    return {
        "account": seeker_actions.account_for_client(seeker),
        "seeker": seeker,
        "booked": booked,
        "user": make_user("konsultant", roles=[(office, "consultant")]),
        "token": token.secret,
    }


def _ok(response: Any) -> None:
    assert response.status_code < 500, response.status_code


@SETTINGS
@given(visit_type=HOSTILE, day=HOSTILE, start=HOSTILE)
def test_portal_booking_steps(world: dict[str, Any], visit_type: str, day: str, start: str) -> None:
    http = Client(HTTP_ACCEPT_LANGUAGE="pl")
    session = http.session
    session["okienko.portal_account"] = world["account"].pk
    session.save()
    params = {"visit_type": visit_type, "day": day, "start": start}
    _ok(http.get("/konto/wizyty/umow/", params))
    _ok(http.post("/konto/wizyty/umow/", params))
    _ok(http.post(f"/konto/wizyty/{world['booked'].uuid}/odwolaj/", params))
    assert Appointment.objects.count() == 1


@SETTINGS
@given(visit_type=HOSTILE, day=HOSTILE, start=HOSTILE, notes=HOSTILE, office=HOSTILE, status=HOSTILE)
def test_desk_forms(
    world: dict[str, Any], visit_type: str, day: str, start: str, notes: str, office: str, status: str
) -> None:
    http = Client(HTTP_ACCEPT_LANGUAGE="pl")
    http.force_login(world["user"])
    params = {"visit_type": visit_type, "day": day, "start": start, "notes": notes}
    url = f"/desk/appointments/book/{world['seeker'].uuid}/"
    _ok(http.get(url, params))
    _ok(http.post(url, params))
    _ok(http.get("/desk/appointments/", {"office": office, "day": day}))
    _ok(http.post(f"/desk/appointments/{world['booked'].uuid}/close", {"status": status}))
    assert Appointment.objects.count() == 1


@SETTINGS
@given(visit_type=HOSTILE, day=HOSTILE, start=HOSTILE, client=HOSTILE, office=HOSTILE)
def test_api(world: dict[str, Any], visit_type: str, day: str, start: str, client: str, office: str) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    _ok(api.get("/api/v1/appointments/schedules/pup-a/slots/", {"visit_type": visit_type, "day": day}))
    _ok(api.get("/api/v1/appointments/", {"office": office, "client": client, "starts_after": day}))
    answer = api.post(
        "/api/v1/appointments/", {"client": client, "visit_type": visit_type, "starts_at": start}, format="json"
    )
    _ok(answer)
    assert Appointment.objects.count() == 1


@SETTINGS
@given(a=HOSTILE, b=HOSTILE, c=HOSTILE, d=HOSTILE)
def test_desk_schedule_forms(
    world: dict[str, Any], make_user: Callable[..., User], a: str, b: str, c: str, d: str
) -> None:
    from okienko.accounts.models import Membership
    from okienko.jobs.appointments.models import Schedule, WeeklyHours

    boss = User.objects.filter(username="kierownik").first() or make_user(
        "kierownik", roles=[(Organisation.objects.get(code="pup-a"), "supervisor")]
    )
    assert Membership.objects.filter(user=boss).exists()
    http = Client(HTTP_ACCEPT_LANGUAGE="pl")
    http.force_login(boss)
    base = "/desk/appointments/schedules/pup-a/"
    _ok(http.get("/desk/appointments/schedules/", {"office": a}))
    _ok(http.post("/desk/appointments/schedules/new/", {"office": a, "slot_minutes": b, "horizon_days": c}))
    _ok(http.post(base + "settings", {"slot_minutes": a, "horizon_days": b, "cancel_hours": c, "location": d}))
    _ok(http.post(base + "hours", {f"day_{i}": v for i, v in enumerate((a, b, c, d, a, b, c))}))
    _ok(http.post(base + "days", {"day": a, "closed": b, "opens": c, "closes": d, "desks": a, "reason": b}))
    _ok(http.post(base + "days/1/delete"))
    _ok(http.post(base + "active", {"active": a}))
    _ok(http.post(base + "visit-types/new/", {"name": a, "minutes": b, "order": c, "description": d}))
    booked = world["booked"]
    booked.refresh_from_db()
    assert booked.status == "booked"
    schedule = Schedule.objects.get(office__code="pup-a")
    assert schedule.active
    start, end = booked.starts_at.astimezone(WARSAW), booked.ends_at.astimezone(WARSAW)
    hours = WeeklyHours.objects.filter(schedule=schedule, weekday=start.weekday())
    assert any(h.opens <= start.time() and end.time() <= h.closes and booked.desk <= h.desks for h in hours)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_days_at_the_ends_of_the_calendar_are_readable_errors(world: dict[str, Any], day: str) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    from okienko.jobs.appointments.models import Schedule

    schedule = Schedule.objects.get(office__code="pup-a")
    slots = api.get("/api/v1/appointments/schedules/pup-a/slots/", {"visit_type": str(visit(schedule).pk), "day": day})
    assert slots.status_code == 400
    assert "day" in slots.json()["errors"]
    for name in ("starts_after", "starts_before"):
        assert api.get("/api/v1/appointments/", {name: day}).status_code == 200
        assert api.get("/api/v1/appointments/", {name: f"{day}T12:00:00+05:00"}).status_code == 200
    http = Client(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(world["user"])
    page = http.get("/desk/appointments/", {"day": day}, follow=True)
    assert page.status_code == 200
    assert "Choose dates between 2000 and 2100." in page.content.decode()


@pytest.mark.parametrize(
    "starts_at", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:30:00-05:00"]
)
def test_booking_at_the_ends_of_the_calendar_is_refused(world: dict[str, Any], starts_at: str) -> None:
    from okienko.jobs.appointments.models import Schedule

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    schedule = Schedule.objects.get(office__code="pup-a")
    body = {"client": str(world["seeker"].uuid), "visit_type": visit(schedule).pk, "starts_at": starts_at}
    answer = api.post("/api/v1/appointments/", body, format="json")
    assert answer.status_code in (400, 409), answer.content[:300]  # as any time that is not free
    assert Appointment.objects.count() == 1
