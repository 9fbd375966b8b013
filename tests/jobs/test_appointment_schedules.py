"""Issue 19, item 6: county-office staff keep the appointment schedules on the desk — settings,
weekly hours (several ranges a day, validated), days that differ, visit types, switching off —
and no change ever strands a booked visit; every change audited, scoped by office and role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django import forms
from django.test import Client as HttpClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core.actors import SystemActor
from okienko.core.errors import Conflict, Forbidden, InvalidInput
from okienko.core.models import AuditRecord
from okienko.jobs.appointments import actions, schedules, slots
from okienko.jobs.appointments.models import Appointment, Schedule, ScheduleException, VisitType, WeeklyHours
from okienko.jobs.appointments.schedule_forms import parse_ranges
from okienko.jobs.appointments.schedules import Range, StrandedError
from tests.jobs.appointment_helpers import MONDAY_10, TUESDAY, schedule_for, visit, warsaw

pytestmark = pytest.mark.django_db
STAFF = SystemActor("test")
T = dt.time


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def schedule(office: Organisation) -> Schedule:
    return schedule_for(office)


@pytest.fixture
def boss(office: Organisation, make_user: Callable[..., User]) -> User:
    return make_user("kierownik", roles=[(office, Role.SUPERVISOR)])


@pytest.fixture
def consultant(office: Organisation, make_user: Callable[..., User]) -> User:
    return make_user("konsultant", roles=[(office, Role.CONSULTANT)])


def _booked(schedule: Schedule, hour: int = 12, minute: int = 0, day: dt.date = TUESDAY) -> Appointment:
    seeker = client_actions.register_client(
        actor=None,
        home_office=schedule.office,
        first_name="Anna",
        last_name=f"Zielińska{hour}{minute}",
        status=Client.Status.JOB_SEEKER,
    )
    return actions.book(actor=STAFF, client=seeker, visit_type=visit(schedule), starts_at=warsaw(day, hour, minute))


def _audits(action: str) -> int:
    return AuditRecord.objects.filter(action=f"jobs_appointments.schedule_{action}").count()


def _login(user: User) -> HttpClient:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="pl")
    http.force_login(user)
    return http


# --- parsing and validating the hours ---------------------------------------------------------------


def test_ranges_are_parsed_sorted_and_validated() -> None:
    assert parse_ranges("13:00-15:30, 8-12 x2") == [Range(T(8), T(12), 2), Range(T(13), T(15, 30), 1)]
    assert parse_ranges("8.00–16.00 ×3") == [Range(T(8), T(16), 3)]
    assert parse_ranges("  ") == []
    for bad in ("12:00-8:00", "8:00-8:00", "8:00-12:00, 11:00-14:00", "8-25", "rano", "8:00-12:00 x0", "8:61-9"):
        with pytest.raises(forms.ValidationError):
            parse_ranges(bad)
    with pytest.raises(InvalidInput):
        schedules.validate_ranges([Range(T(8), T(12)), Range(T(11, 59), T(13))])
    assert schedules.validate_ranges([Range(T(8), T(12)), Range(T(12), T(13))])  # touching is fine


# --- actions ------------------------------------------------------------------------------------------


def test_a_supervisor_creates_a_schedule_once_and_it_is_audited(
    region: Organisation, boss: User, consultant: User
) -> None:
    office = Organisation.objects.get(code="pup-a")
    with pytest.raises(Forbidden):
        schedules.create_schedule(actor=consultant, office=office, values={})
    with pytest.raises(Forbidden):
        schedules.create_schedule(actor=boss, office=Organisation.objects.get(code="pup-b"), values={})
    created = schedules.create_schedule(actor=boss, office=office, values={"slot_minutes": 20, "horizon_days": 14})
    assert (created.slot_minutes, created.horizon_days, created.active) == (20, 14, True)
    assert _audits("created") == 1
    with pytest.raises(Conflict):
        schedules.create_schedule(actor=boss, office=office, values={})
    with pytest.raises(InvalidInput):
        schedules.update_schedule(actor=boss, schedule=created, values={"horizon_days": 0})


def test_weekly_hours_are_replaced_per_weekday_and_audited(schedule: Schedule, boss: User) -> None:
    schedules.set_weekly_hours(
        actor=boss, schedule=schedule, week={0: [Range(T(8), T(12), 2), Range(T(13), T(15))], 5: []}
    )
    monday = list(WeeklyHours.objects.filter(schedule=schedule, weekday=0).values_list("opens", "closes", "desks"))
    assert monday == [(T(8), T(12), 2), (T(13), T(15), 1)]
    assert WeeklyHours.objects.filter(schedule=schedule, weekday=1).count() == 1  # left out: unchanged
    assert _audits("hours_changed") == 1
    with pytest.raises(InvalidInput):
        schedules.set_weekly_hours(actor=boss, schedule=schedule, week={2: [Range(T(8), T(12)), Range(T(10), T(14))]})
    schedules.set_weekly_hours(actor=boss, schedule=schedule, week={0: [Range(T(8), T(12), 2), Range(T(13), T(15))]})
    assert _audits("hours_changed") == 1  # no change, no entry


def test_hours_that_would_strand_a_booked_visit_are_refused_and_nothing_changes(schedule: Schedule, boss: User) -> None:
    booked = _booked(schedule, 12, 0)  # Tuesday 12:00–12:30, desk 1
    with pytest.raises(StrandedError) as refused:
        schedules.set_weekly_hours(actor=boss, schedule=schedule, week={1: [Range(T(8), T(12))]})
    assert refused.value.count == 1
    assert "2026-03-10 12:00" in str(refused.value.message)
    assert list(WeeklyHours.objects.filter(schedule=schedule, weekday=1).values_list("closes", flat=True)) == [T(15)]
    assert _audits("hours_changed") == 0
    # Fewer desks than the visit's desk strands it too; a second range keeping it inside is fine.
    second = _booked(schedule, 12, 0)
    assert second.desk == 2
    with pytest.raises(StrandedError):
        schedules.set_weekly_hours(actor=boss, schedule=schedule, week={1: [Range(T(8), T(15), 1)]})
    schedules.set_weekly_hours(
        actor=boss, schedule=schedule, week={1: [Range(T(8), T(11), 2), Range(T(11, 30), T(14), 2)]}
    )
    booked.refresh_from_db()
    assert booked.status == "booked"
    assert _audits("hours_changed") == 1
    # Once the visits are cancelled the hours may shrink.
    actions.cancel(actor=STAFF, appointment=booked, by_office=True)
    actions.cancel(actor=STAFF, appointment=second, by_office=True)
    schedules.set_weekly_hours(actor=boss, schedule=schedule, week={1: [Range(T(8), T(11))]})
    assert _audits("hours_changed") == 2


def test_days_that_differ_respect_booked_visits(schedule: Schedule, boss: User) -> None:
    _booked(schedule, 9, 0)
    with pytest.raises(StrandedError):
        schedules.save_exception(actor=boss, schedule=schedule, day=TUESDAY, closed=True, reason="Wigilia")
    with pytest.raises(StrandedError):
        schedules.save_exception(actor=boss, schedule=schedule, day=TUESDAY, closed=False, hours=Range(T(10), T(14), 2))
    assert not ScheduleException.objects.exists()
    shorter = schedules.save_exception(
        actor=boss, schedule=schedule, day=TUESDAY, closed=False, hours=Range(T(8), T(10), 2), reason="Szkolenie"
    )
    assert slots.hours_of(schedule, TUESDAY) == [slots.Interval(T(8), T(10), 2)]
    closed = schedules.save_exception(
        actor=boss, schedule=schedule, day=TUESDAY + dt.timedelta(days=1), closed=True, reason="Święto urzędu"
    )
    assert slots.hours_of(schedule, closed.day) == []
    assert _audits("day_set") == 2
    with pytest.raises(InvalidInput):
        schedules.save_exception(actor=boss, schedule=schedule, day=dt.date(2026, 3, 1), closed=True)
    with pytest.raises(InvalidInput):
        schedules.save_exception(actor=boss, schedule=schedule, day=TUESDAY, closed=False, hours=None)
    # A Saturday opened by an exception, with a visit booked: removing the exception is refused.
    saturday = dt.date(2026, 3, 14)
    schedules.save_exception(actor=boss, schedule=schedule, day=saturday, closed=False, hours=Range(T(9), T(13)))
    _booked(schedule, 10, 0, day=saturday)
    with pytest.raises(StrandedError):
        schedules.delete_exception(actor=boss, exception=ScheduleException.objects.get(day=saturday))
    schedules.delete_exception(actor=boss, exception=shorter)
    assert _audits("day_removed") == 1


def test_slot_length_and_switching_off_wait_for_booked_visits(schedule: Schedule, boss: User) -> None:
    booked = _booked(schedule)
    with pytest.raises(Conflict):
        schedules.update_schedule(actor=boss, schedule=schedule, values={"slot_minutes": 10})
    with pytest.raises(StrandedError) as refused:
        schedules.set_active(actor=boss, schedule=schedule, active=False)
    assert refused.value.count == 1
    schedules.update_schedule(
        actor=boss, schedule=schedule, values={"horizon_days": 60, "portal_booking": False, "name": "Punkt w Łapach"}
    )
    schedule.refresh_from_db()
    assert (schedule.horizon_days, schedule.portal_booking, str(schedule)) == (60, False, "Punkt w Łapach")
    actions.cancel(actor=STAFF, appointment=booked, by_office=True)
    with pytest.raises(InvalidInput):  # the 30-minute visit type would not fill whole 20-minute slots
        schedules.update_schedule(actor=boss, schedule=schedule, values={"slot_minutes": 20})
    schedules.set_active(actor=boss, schedule=schedule, active=False)
    schedule.refresh_from_db()
    assert not schedule.active
    assert _audits("deactivated") == 1
    assert _audits("changed") == 1


def test_visit_types_are_whole_slots_and_audited(schedule: Schedule, boss: User, consultant: User) -> None:
    with pytest.raises(InvalidInput):
        schedules.save_visit_type(actor=boss, schedule=schedule, values={"name": "Krótka", "minutes": 20})
    with pytest.raises(InvalidInput):
        schedules.save_visit_type(actor=boss, schedule=schedule, values={"name": "  ", "minutes": 30})
    with pytest.raises(Forbidden):
        schedules.save_visit_type(actor=consultant, schedule=schedule, values={"name": "X", "minutes": 30})
    added = schedules.save_visit_type(
        actor=boss, schedule=schedule, values={"name": "Porada prawna", "minutes": 45, "portal": False}
    )
    assert not added.portal
    schedules.save_visit_type(actor=boss, schedule=schedule, visit_type=added, values={"active": False})
    added.refresh_from_db()
    assert not added.active
    assert (_audits("visit_type_added"), _audits("visit_type_changed")) == (1, 1)


# --- desk pages ------------------------------------------------------------------------------------------


def test_the_list_shows_the_schedules_in_scope_by_role(
    schedule: Schedule, boss: User, consultant: User, make_user: Callable[..., User]
) -> None:
    other = schedule_for(Organisation.objects.get(code="pup-b"))
    page = _login(boss).get("/desk/appointments/schedules/")
    assert page.status_code == 200
    text = page.content.decode()
    assert str(schedule.office) in text
    assert str(other.office) not in text
    assert "/desk/appointments/schedules/new/" in text
    read = _login(consultant).get("/desk/appointments/schedules/")
    assert read.status_code == 200
    assert "/desk/appointments/schedules/new/" not in read.content.decode()
    editor = make_user("redaktor", roles=[(Organisation.objects.get(code="city"), Role.PORTAL_EDITOR)])
    assert _login(editor).get("/desk/appointments/schedules/").status_code == 403
    nav = _login(boss).get("/desk/appointments/").content.decode()
    assert 'href="/desk/appointments/schedules/"' in nav
    assert f'href="/desk/appointments/schedules/{schedule.office.code}/"' in nav  # the day links to its schedule


def test_readers_read_managers_change_others_get_404(
    schedule: Schedule, boss: User, consultant: User, make_user: Callable[..., User]
) -> None:
    url = f"/desk/appointments/schedules/{schedule.office.code}/"
    page = _login(consultant).get(url)
    assert page.status_code == 200
    assert "Wizyta u doradcy klienta" in page.content.decode()
    assert 'name="day_0"' not in page.content.decode()
    assert _login(consultant).post(url + "hours", {"day_0": "8-9"}).status_code == 403
    assert _login(boss).get(url).content.decode().count('name="day_0"') == 1
    stranger = make_user("obcy", roles=[(Organisation.objects.get(code="pup-b"), Role.SUPERVISOR)])
    assert _login(stranger).get(url).status_code == 404
    assert _login(stranger).post(url + "hours", {"day_0": "8-9"}).status_code == 404
    assert WeeklyHours.objects.filter(schedule=schedule, weekday=0, closes=T(9)).count() == 0


def test_the_hours_form_saves_and_shows_errors(schedule: Schedule, boss: User) -> None:
    http = _login(boss)
    url = f"/desk/appointments/schedules/{schedule.office.code}/hours"
    week = {f"day_{d}": "8:00-15:00 x2" for d in range(5)}
    bad = http.post(url, {**week, "day_0": "8:00-12:00, 11:00-14:00"})
    assert bad.status_code == 400
    assert "nakładają się" in bad.content.decode() or "overlap" in bad.content.decode()
    assert http.post(url, {**week, "day_2": "rano"}).status_code == 400
    _booked(schedule, 14, 0)
    stranded = http.post(url, {**week, "day_1": "8:00-12:00 x2"})
    assert stranded.status_code == 409
    assert "2026-03-10 14:00" in stranded.content.decode()
    saved = http.post(url, {**week, "day_0": "8:00-12:00 x2, 13:00-16:00", "day_5": "9-13"})
    assert saved.status_code == 302
    assert WeeklyHours.objects.filter(schedule=schedule, weekday=5).count() == 1
    assert WeeklyHours.objects.filter(schedule=schedule, weekday=0).count() == 2


def test_settings_days_visit_types_and_switching_off_on_the_desk(schedule: Schedule, boss: User) -> None:
    http = _login(boss)
    base = f"/desk/appointments/schedules/{schedule.office.code}/"
    settings = {"slot_minutes": "15", "horizon_days": "45", "cancel_hours": "12", "portal_booking": "on"}
    assert http.post(base + "settings", settings).status_code == 302
    schedule.refresh_from_db()
    assert schedule.horizon_days == 45
    assert http.post(base + "settings", {**settings, "slot_minutes": "abc"}).status_code == 400
    assert http.post(base + "days", {"day": "2026-03-11", "closed": "on", "reason": "Dzień wolny"}).status_code == 302
    assert ScheduleException.objects.filter(schedule=schedule, closed=True).count() == 1
    no_hours = http.post(base + "days", {"day": "2026-03-12", "opens": "", "closes": ""})
    assert no_hours.status_code == 400
    upside = http.post(base + "days", {"day": "2026-03-12", "opens": "14:00", "closes": "09:00"})
    assert upside.status_code == 400
    assert http.post(base + "days", {"day": "12/03/2026", "closed": "on"}).status_code == 400
    exception = ScheduleException.objects.get(schedule=schedule)
    assert http.post(f"{base}days/{exception.pk}/delete").status_code == 302
    assert not ScheduleException.objects.exists()
    assert http.post(f"{base}days/999999/delete").status_code == 404
    form = http.get(base + "visit-types/new/")
    assert form.status_code == 200
    created = http.post(base + "visit-types/new/", {"name": "Porada", "minutes": "45", "order": "4", "active": "on"})
    assert created.status_code == 302
    added = VisitType.objects.get(schedule=schedule, name="Porada")
    assert not added.portal  # left unticked: staff only
    assert http.post(base + "visit-types/new/", {"name": "Zła", "minutes": "20", "order": "1"}).status_code == 400
    assert http.get(f"{base}visit-types/{added.pk}/").status_code == 200
    assert http.get(f"{base}visit-types/999999/").status_code == 404
    _booked(schedule)
    refused = http.post(base + "active", {"active": "0"}, follow=True)
    assert "1" in refused.content.decode()
    schedule.refresh_from_db()
    assert schedule.active


def test_a_new_schedule_on_the_desk(region: Organisation, make_user: Callable[..., User]) -> None:
    boss = make_user("kierownik.b", roles=[(Organisation.objects.get(code="pup-b"), Role.SUPERVISOR)])
    http = _login(boss)
    page = http.get("/desk/appointments/schedules/new/")
    assert page.status_code == 200
    assert 'value="pup-b"' in page.content.decode()
    assert 'value="pup-a"' not in page.content.decode()
    assert http.post("/desk/appointments/schedules/new/", {"office": "pup-a"}).status_code == 400
    made = http.post(
        "/desk/appointments/schedules/new/",
        {
            "office": "pup-b",
            "name": "  Filia   w Łapach ",
            "slot_minutes": "15",
            "horizon_days": "30",
            "cancel_hours": "24",
        },
    )
    assert made.status_code == 302
    assert made["Location"] == "/desk/appointments/schedules/pup-b/"
    assert Schedule.objects.get(office__code="pup-b").name == "Filia w Łapach"
    assert "Filia w Łapach" in http.get("/desk/appointments/schedules/").content.decode()
    assert _audits("created") == 1
    consultant = make_user("k.b", roles=[(Organisation.objects.get(code="pup-b"), Role.CONSULTANT)])
    assert _login(consultant).get("/desk/appointments/schedules/new/").status_code == 403
