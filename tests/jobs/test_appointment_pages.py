"""Issue 19, item 6: the job seeker's /konto/wizyty/ (list, book in three steps, cancel), the
client card's appointments panel and the desk's day view — scoped to the staff's office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client as HttpClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core.actors import SystemActor
from okienko.core.models import AuditRecord
from okienko.jobs.appointments import actions
from okienko.jobs.appointments.models import Appointment, Schedule, Status
from okienko.jobs.seekers import actions as seeker_actions
from okienko.jobs.seekers.models import PortalAccount
from tests.jobs.appointment_helpers import MONDAY_10, TUESDAY, schedule_for, visit, warsaw

pytestmark = pytest.mark.django_db
STAFF = SystemActor("test")


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def schedule(office: Organisation) -> Schedule:
    return schedule_for(office)


@pytest.fixture
def seeker(office: Organisation) -> Client:
    return client_actions.register_client(
        actor=None,
        home_office=office,
        first_name="Anna",
        last_name="Zielińska",
        phones=["600100200"],
        status=Client.Status.JOB_SEEKER,
    )


@pytest.fixture(autouse=True)
def _monday() -> object:
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


def _as(http: HttpClient, account: PortalAccount) -> HttpClient:
    session = http.session
    session["okienko.portal_account"] = account.pk
    session.save()
    return http


def _book(schedule: Schedule, client: Client, at: dt.datetime) -> Appointment:
    return actions.book(actor=STAFF, client=client, visit_type=visit(schedule), starts_at=at)


# --- portal ---------------------------------------------------------------------------------------


def test_my_visits_needs_signing_in(client: HttpClient) -> None:
    response = client.get("/konto/wizyty/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logowanie/")


def test_booking_in_three_steps(client: HttpClient, schedule: Schedule, seeker: Client) -> None:
    _as(client, seeker_actions.account_for_client(seeker))
    page = client.get("/konto/wizyty/")
    assert page.status_code == 200
    assert "Umów wizytę" in page.content.decode()
    step1 = client.get("/konto/wizyty/umow/").content.decode()
    assert "Wizyta u doradcy klienta" in step1
    assert "Rejestracja" not in step1  # booked by the office only
    kind = visit(schedule)
    step2 = client.get("/konto/wizyty/umow/", {"visit_type": kind.pk}).content.decode()
    assert 'value="2026-03-10"' in step2
    assert "wtorek, 10 marca 2026" in step2
    assert 'value="2026-03-14"' not in step2  # Saturday
    step3 = client.get("/konto/wizyty/umow/", {"visit_type": kind.pk, "day": "2026-03-10"}).content.decode()
    start = warsaw(TUESDAY, 9, 30).isoformat()
    assert f'value="{start}"' in step3
    assert "9:30–10:00" in step3
    done = client.post("/konto/wizyty/umow/", {"visit_type": kind.pk, "day": "2026-03-10", "start": start})
    assert done.status_code == 302
    assert done["Location"] == "/konto/wizyty/?umowiono=1"
    appointment = Appointment.objects.get(client=seeker)
    assert appointment.booked_by_account == seeker_actions.account_for_client(seeker)
    assert appointment.booked_by is None
    listed = client.get(done["Location"]).content.decode()
    assert "wtorek, 10 marca 2026, 9:30" in listed
    # The same time again: taken by nobody else, but the client can book another one; a taken
    # (or bogus) time is a clear 400, never a 500.
    again = client.post("/konto/wizyty/umow/", {"visit_type": kind.pk, "day": "2026-03-10", "start": "jutro"})
    assert again.status_code == 400
    assert "nie jest wolna" in again.content.decode() or "not free" in again.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"visit_type": "x"},
        {"visit_type": "999999"},
        {"visit_type": "{kind}", "day": "2026-13-45"},
        {"visit_type": "{kind}", "day": "2026-03-14"},
        {"visit_type": "{kind}", "day": "2020-01-01"},
        {"visit_type": "{kind}", "day": "2026-03-10", "start": "2026-03-10T09:07:00+00:00"},
    ],
)
def test_bad_booking_input_is_a_clear_error(
    client: HttpClient, schedule: Schedule, seeker: Client, params: dict[str, str]
) -> None:
    _as(client, seeker_actions.account_for_client(seeker))
    values = {k: v.replace("{kind}", str(visit(schedule).pk)) for k, v in params.items()}
    assert client.get("/konto/wizyty/umow/", values).status_code == 400
    assert client.post("/konto/wizyty/umow/", values).status_code == 400
    assert not Appointment.objects.exists()


def test_another_office_visit_type_cannot_be_booked(client: HttpClient, schedule: Schedule, seeker: Client) -> None:
    other = schedule_for(Organisation.objects.get(code="pup-b"))
    _as(client, seeker_actions.account_for_client(seeker))
    kind = visit(other)
    start = warsaw(TUESDAY, 9, 30).isoformat()
    response = client.post("/konto/wizyty/umow/", {"visit_type": kind.pk, "day": "2026-03-10", "start": start})
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_cancel_on_the_portal(client: HttpClient, schedule: Schedule, seeker: Client, office: Organisation) -> None:
    account = seeker_actions.account_for_client(seeker)
    _as(client, account)
    later = _book(schedule, seeker, warsaw(TUESDAY, 12, 0))
    soon = _book(schedule, seeker, warsaw(TUESDAY, 9, 0))
    listed = client.get("/konto/wizyty/").content.decode()
    assert f"/konto/wizyty/{later.uuid}/odwolaj/" in listed
    assert f"/konto/wizyty/{soon.uuid}/odwolaj/" not in listed  # less than 24 hours left
    refused = client.post(f"/konto/wizyty/{soon.uuid}/odwolaj/")
    assert refused.status_code == 409
    assert client.post(f"/konto/wizyty/{later.uuid}/odwolaj/").status_code == 302
    assert Appointment.objects.get(pk=later.pk).status == Status.CANCELLED
    someone_else = client_actions.register_client(
        actor=None, home_office=office, first_name="Jan", last_name="Kowal", status=Client.Status.JOB_SEEKER
    )
    theirs = _book(schedule, someone_else, warsaw(TUESDAY, 13, 0))
    assert client.post(f"/konto/wizyty/{theirs.uuid}/odwolaj/").status_code == 404
    assert client.get(f"/konto/wizyty/{later.uuid}/odwolaj/").status_code == 405


def test_employer_account_has_no_visits(client: HttpClient, office: Organisation) -> None:
    account = seeker_actions.register_employer_user(
        email="hr@example.org",
        password="Bardzo-tajne-haslo-2026",
        nip="5260250995",
        company="Firma",
        office=office,
        locality="Białystok",
        teryt_code="2061011",
    )
    _as(client, account)
    assert client.get("/konto/wizyty/").status_code == 404


# --- desk -----------------------------------------------------------------------------------------


@pytest.fixture
def consultant(make_user: Callable[..., User], office: Organisation) -> User:
    return make_user("konsultant.a", roles=[(office, Role.CONSULTANT)])


@pytest.fixture
def outsider(make_user: Callable[..., User], region: Organisation) -> User:
    return make_user("konsultant.b", roles=[(Organisation.objects.get(code="pup-b"), Role.CONSULTANT)])


def test_client_card_panel_books_cancels_and_marks(
    staff_client: Callable[[User], HttpClient], consultant: User, schedule: Schedule, seeker: Client
) -> None:
    http = staff_client(consultant)
    card = http.get(f"/desk/clients/{seeker.uuid}/").content.decode()
    assert "Wizyty w urzędzie" in card or "Appointments at the office" in card
    assert f"/desk/appointments/book/{seeker.uuid}/" in card
    kind = visit(schedule, "Rejestracja")  # the office may book what the portal does not offer
    form = http.get(f"/desk/appointments/book/{seeker.uuid}/", {"visit_type": kind.pk, "day": "2026-03-10"})
    assert form.status_code == 200
    start = warsaw(TUESDAY, 8, 0).isoformat()
    done = http.post(
        f"/desk/appointments/book/{seeker.uuid}/",
        {"visit_type": kind.pk, "day": "2026-03-10", "start": start, "notes": "zaświadczenie o zarobkach"},
    )
    assert done.status_code == 302
    appointment = Appointment.objects.get(client=seeker)
    assert appointment.booked_by == consultant
    assert appointment.notes == "zaświadczenie o zarobkach"
    card = http.get(f"/desk/clients/{seeker.uuid}/").content.decode()
    assert "zaświadczenie o zarobkach" in card
    assert (
        http.post(f"/desk/appointments/{appointment.uuid}/cancel", {"reason": "awaria", "next": "card"}).status_code
        == 302
    )
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert appointment.cancelled_by_office
    assert AuditRecord.objects.filter(action="jobs_appointments.cancelled").exists()
    visited = _book(schedule, seeker, warsaw(MONDAY_10.date(), 11, 0))
    with time_machine.travel(warsaw(MONDAY_10.date(), 11, 10), tick=False):
        assert http.post(f"/desk/appointments/{visited.uuid}/close", {"status": "attended"}).status_code == 302
    assert Appointment.objects.get(pk=visited.pk).status == Status.ATTENDED


def test_day_view_lists_the_office_visits(
    staff_client: Callable[[User], HttpClient], consultant: User, schedule: Schedule, seeker: Client
) -> None:
    _book(schedule, seeker, warsaw(TUESDAY, 9, 30))
    page = staff_client(consultant).get("/desk/appointments/", {"office": "pup-a", "day": "2026-03-10"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Zielińska" in body
    assert "9:30–10:00" in body
    assert staff_client(consultant).get("/desk/appointments/", {"day": "nonsense"}).status_code == 200
    holiday = staff_client(consultant).get("/desk/appointments/", {"office": "pup-a", "day": "2026-04-06"})
    assert "Poniedziałek Wielkanocny" in holiday.content.decode()


def test_other_office_staff_get_404(
    staff_client: Callable[[User], HttpClient], outsider: User, schedule: Schedule, seeker: Client
) -> None:
    schedule_for(Organisation.objects.get(code="pup-b"))
    appointment = _book(schedule, seeker, warsaw(TUESDAY, 9, 30))
    http = staff_client(outsider)
    assert http.post(f"/desk/appointments/{appointment.uuid}/cancel").status_code == 404
    assert http.post(f"/desk/appointments/{appointment.uuid}/close", {"status": "attended"}).status_code == 404
    assert http.get(f"/desk/appointments/book/{seeker.uuid}/").status_code == 404
    day = http.get("/desk/appointments/", {"office": "pup-a", "day": "2026-03-10"}).content.decode()
    assert "Zielińska" not in day
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED


def test_staff_without_a_schedule_are_refused(
    staff_client: Callable[[User], HttpClient], make_user: Callable[..., User], region: Organisation
) -> None:
    city = make_user("miasto", roles=[(Organisation.objects.get(code="city"), Role.CONSULTANT)])
    assert staff_client(city).get("/desk/appointments/").status_code == 403
