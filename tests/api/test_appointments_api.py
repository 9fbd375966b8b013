"""/api/v1/appointments/ (issue 19, item 6): list, book, cancel and free times — scoped to the
caller's offices; another office's appointment is a 404; bad input is a 400 problem, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.api.models import Scope
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core.actors import SystemActor
from okienko.core.models import AuditRecord
from okienko.jobs.appointments import actions
from okienko.jobs.appointments.models import Appointment, Schedule, Status
from tests.jobs.appointment_helpers import MONDAY_10, TUESDAY, schedule_for, visit, warsaw

pytestmark = pytest.mark.django_db
RW = [Scope.CLIENTS_READ, Scope.CLIENTS_WRITE]


@pytest.fixture(autouse=True)
def _monday() -> object:
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def schedule(office: Organisation) -> Schedule:
    return schedule_for(office)


@pytest.fixture
def seeker(office: Organisation) -> Client:
    return client_actions.register_client(
        actor=None, home_office=office, first_name="Anna", last_name="Zielińska", status=Client.Status.JOB_SEEKER
    )


def test_book_list_and_cancel(
    token_client: Callable[..., APIClient], office: Organisation, schedule: Schedule, seeker: Client
) -> None:
    api = token_client(office, RW, Role.CONSULTANT)
    slots = api.get(
        f"/api/v1/appointments/schedules/{office.code}/slots/", {"visit_type": visit(schedule).pk, "day": "2026-03-10"}
    )
    assert slots.status_code == 200
    assert slots.json()[0] == {
        "starts_at": "2026-03-10T08:00:00+01:00",
        "ends_at": "2026-03-10T08:30:00+01:00",
        "free_desks": 2,
    }
    start = warsaw(TUESDAY, 9, 30).isoformat()
    body = {"client": str(seeker.uuid), "visit_type": visit(schedule).pk, "starts_at": start, "notes": "CV"}
    created = api.post("/api/v1/appointments/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == Status.BOOKED
    again = api.post("/api/v1/appointments/", body, format="json")
    assert again.status_code == 201  # the second desk
    third = api.post("/api/v1/appointments/", body, format="json")
    assert third.status_code == 409
    assert third.json()["type"].endswith("slot-taken")
    listed = api.get("/api/v1/appointments/", {"office": office.code})
    assert len(listed.json()["results"]) == 2
    uuid = created.json()["uuid"]
    cancelled = api.post(f"/api/v1/appointments/{uuid}/cancel/", {"reason": "awaria"}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled_by_office"] is True
    assert api.post(f"/api/v1/appointments/{uuid}/cancel/", {}, format="json").status_code == 409
    schedules = api.get("/api/v1/appointments/schedules/").json()["results"]
    assert [s["office"] for s in schedules] == ["pup-a"]
    assert {v["name"] for v in schedules[0]["visit_types"]} >= {"Rejestracja", "Doradztwo zawodowe"}


@pytest.mark.parametrize(
    "params",
    [{}, {"visit_type": "x", "day": "2026-03-10"}, {"visit_type": "1", "day": "10.03.2026"}, {"visit_type": "9" * 20}],
)
def test_bad_slot_queries_are_400(
    token_client: Callable[..., APIClient], office: Organisation, schedule: Schedule, params: dict[str, str]
) -> None:
    api = token_client(office, RW, Role.CONSULTANT)
    assert api.get(f"/api/v1/appointments/schedules/{office.code}/slots/", params).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"client": "nope", "visit_type": 1, "starts_at": "2026-03-10T08:30:00Z"},
        {"client": "00000000-0000-0000-0000-000000000000", "visit_type": 1, "starts_at": "2026-03-10T08:30:00Z"},
        {"client": "{client}", "visit_type": 999999, "starts_at": "2026-03-10T08:30:00Z"},
        {"client": "{client}", "visit_type": "{visit}", "starts_at": "jutro"},
        {"client": "{client}", "visit_type": "{visit}", "starts_at": "2026-03-10T08:37:00Z"},
    ],
)
def test_bad_bookings_are_4xx(
    token_client: Callable[..., APIClient],
    office: Organisation,
    schedule: Schedule,
    seeker: Client,
    body: dict[str, object],
) -> None:
    api = token_client(office, RW, Role.CONSULTANT)
    filled = {
        k: (str(seeker.uuid) if v == "{client}" else visit(schedule).pk if v == "{visit}" else v)
        for k, v in body.items()
    }
    response = api.post("/api/v1/appointments/", filled, format="json")
    assert response.status_code in (400, 409)
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Appointment.objects.exists()


def test_another_office_gets_404_and_changes_nothing(
    token_client: Callable[..., APIClient], schedule: Schedule, seeker: Client
) -> None:
    appointment = actions.book(
        actor=SystemActor("test"), client=seeker, visit_type=visit(schedule), starts_at=warsaw(TUESDAY, 9, 0)
    )
    other = token_client(Organisation.objects.get(code="pup-b"), RW, Role.CONSULTANT)
    assert other.get(f"/api/v1/appointments/{appointment.uuid}/").status_code == 404
    assert other.post(f"/api/v1/appointments/{appointment.uuid}/cancel/", {}, format="json").status_code == 404
    assert other.get("/api/v1/appointments/").json()["results"] == []
    assert other.get("/api/v1/appointments/schedules/pup-a/").status_code == 404
    body = {"client": str(seeker.uuid), "visit_type": visit(schedule).pk, "starts_at": warsaw(TUESDAY, 10).isoformat()}
    assert other.post("/api/v1/appointments/", body, format="json").status_code == 400
    assert Appointment.objects.get().status == Status.BOOKED
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.SECURITY).exists()


def test_read_only_token_cannot_book(
    token_client: Callable[..., APIClient], office: Organisation, schedule: Schedule, seeker: Client
) -> None:
    api = token_client(office, [Scope.CLIENTS_READ], Role.CONSULTANT)
    body = {"client": str(seeker.uuid), "visit_type": visit(schedule).pk, "starts_at": warsaw(TUESDAY, 10).isoformat()}
    assert api.post("/api/v1/appointments/", body, format="json").status_code == 403
    assert api.get("/api/v1/appointments/").status_code == 200
