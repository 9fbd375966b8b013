"""Issue 19, item 6: appointments at the county office — free slots (hours, desks, holidays,
exceptions, past times), race-safe booking, cancel rules, reminders the day before (SMS into the
file gateway, once, opt-out → e-mail), the confirmation and the office's cancellation notice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail

from okienko.accounts.models import Organisation
from okienko.clients import actions as client_actions
from okienko.clients.models import Client, ClientConsent
from okienko.core.actors import PORTAL, SystemActor
from okienko.core.errors import Conflict, InvalidInput
from okienko.core.models import AuditRecord
from okienko.jobs.appointments import actions, slots, texts
from okienko.jobs.appointments.models import Appointment, DeskHold, Schedule, ScheduleException, Status
from okienko.jobs.seekers import actions as seeker_actions
from okienko.notifications.models import Notification
from tests.jobs.appointment_helpers import MONDAY_10, MONDAY_16, TUESDAY, schedule_for, visit, warsaw
from tests.notifications.conftest import run_workers

pytestmark = pytest.mark.django_db
STAFF = SystemActor("test")


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def schedule(office: Organisation) -> Schedule:
    return schedule_for(office)


@pytest.fixture
def sms_root(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    settings.OKIENKO_SMS_GATEWAY = "file"
    return tmp_path / "sms"


NAMES = iter(["Nowak", "Wójcik", "Kowalczyk", "Kamińska", "Lewandowska", "Zając", "Szymańska", "Woźniak"])


def _seeker(office: Organisation, *, phone: str = "600100200", email: str = "") -> Client:
    return client_actions.register_client(
        actor=None,
        home_office=office,
        first_name="Anna" if not email else "Ewa",
        last_name="Zielińska" if email else next(NAMES) + phone[-3:],
        emails=[email] if email else [],
        phones=[phone] if phone else [],
        status=Client.Status.JOB_SEEKER,
    )


@pytest.fixture
def seeker(office: Organisation) -> Client:
    return _seeker(office, email="anna@example.org")


def _sms(root: Path) -> list[dict[str, Any]]:
    if not (root / "outbox").exists():
        return []
    return [json.loads(p.read_text("utf-8")) for p in sorted((root / "outbox").glob("*.json"))]


def _book(schedule: Schedule, client: Client, at: dt.datetime, name: str = "Wizyta u doradcy klienta") -> Appointment:
    return actions.book(actor=STAFF, client=client, visit_type=visit(schedule, name), starts_at=at, now=MONDAY_10)


# --- free slots -------------------------------------------------------------------------------


def test_slots_follow_the_hours_the_grid_and_the_desks(schedule: Schedule) -> None:
    found = slots.free_slots(schedule, visit(schedule), TUESDAY, now=MONDAY_10)
    assert found[0].starts_at == warsaw(TUESDAY, 8, 0)
    assert found[-1].starts_at == warsaw(TUESDAY, 14, 30)  # a 30-minute visit ends by 15:00
    assert len(found) == 27
    assert all(s.free_desks == (1, 2) for s in found)
    hour_long = slots.free_slots(schedule, visit(schedule, "Doradztwo zawodowe"), TUESDAY, now=MONDAY_10)
    assert hour_long[-1].starts_at == warsaw(TUESDAY, 14, 0)


def test_past_times_are_not_offered(schedule: Schedule) -> None:
    today = slots.free_slots(schedule, visit(schedule), MONDAY_10.date(), now=MONDAY_10)
    assert today[0].starts_at == warsaw(MONDAY_10.date(), 10, 30)  # 10:00 now, 30 minutes' notice
    assert slots.free_slots(schedule, visit(schedule), MONDAY_10.date() - dt.timedelta(days=7), now=MONDAY_10) == []


def test_weekend_public_holiday_and_exceptions(schedule: Schedule) -> None:
    kind = visit(schedule)
    assert slots.free_slots(schedule, kind, dt.date(2026, 3, 14), now=MONDAY_10) == []  # Saturday
    assert slots.free_slots(schedule, kind, dt.date(2026, 4, 6), now=MONDAY_10) == []  # Easter Monday
    assert slots.closed_reason(schedule, dt.date(2026, 4, 6))
    ScheduleException.objects.create(schedule=schedule, day=dt.date(2026, 3, 12), closed=True, reason="szkolenie")
    assert slots.free_slots(schedule, kind, dt.date(2026, 3, 12), now=MONDAY_10) == []
    ScheduleException.objects.create(
        schedule=schedule,
        day=dt.date(2026, 3, 13),
        closed=False,
        opens=dt.time(12, 0),
        closes=dt.time(13, 0),
        desks=1,
    )
    short = slots.free_slots(schedule, kind, dt.date(2026, 3, 13), now=MONDAY_10)
    assert [s.starts_at for s in short] == [warsaw(dt.date(2026, 3, 13), 12, m) for m in (0, 15, 30)]
    assert all(s.free_desks == (1,) for s in short)


def test_days_beyond_the_horizon_are_not_offered_on_the_portal(schedule: Schedule) -> None:
    days = slots.open_days(schedule, visit(schedule), now=MONDAY_10)
    assert days[0] == MONDAY_10.date()
    assert days[-1] <= MONDAY_10.date() + dt.timedelta(days=30)
    assert dt.date(2026, 3, 14) not in days


# --- booking ------------------------------------------------------------------------------------


def test_parallel_desks_and_overlapping_visits(schedule: Schedule, office: Organisation) -> None:
    at = warsaw(TUESDAY, 9, 30)
    first = _book(schedule, _seeker(office, phone="600100201"), at)
    second = _book(schedule, _seeker(office, phone="600100202"), at)
    assert {first.desk, second.desk} == {1, 2}
    assert DeskHold.objects.filter(starts_at=at).count() == 2
    with pytest.raises(Conflict):
        _book(schedule, _seeker(office, phone="600100203"), at)
    # A 60-minute visit from 9:00 would need 9:30 too: not offered; from 10:00 it is.
    hour_long = visit(schedule, "Doradztwo zawodowe")
    starts = [s.starts_at for s in slots.free_slots(schedule, hour_long, TUESDAY, now=MONDAY_10)]
    assert warsaw(TUESDAY, 9, 0) not in starts
    assert warsaw(TUESDAY, 10, 0) in starts
    assert AuditRecord.objects.filter(action="jobs_appointments.booked").count() == 2


def test_two_people_cannot_take_the_last_desk(
    schedule: Schedule, office: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both read the slot as free (desk 1); the unique desk hold lets only the first insert win."""
    at = warsaw(TUESDAY, 11, 0)
    schedule.hours.update(desks=1)
    stale = slots.slot_at(schedule, visit(schedule), at, now=MONDAY_10)
    assert stale is not None
    assert stale.free_desks == (1,)
    _book(schedule, _seeker(office, phone="600100211"), at)
    monkeypatch.setattr(slots, "slot_at", lambda *a, **k: stale)  # the second reader's stale view
    late = _seeker(office, phone="600100212")
    with pytest.raises(Conflict) as refused:
        _book(schedule, late, at)
    assert refused.value.slug == "slot-taken"
    assert not Appointment.objects.filter(client=late).exists()
    assert Appointment.objects.filter(starts_at=at).count() == 1


def test_booking_refuses_bad_input(schedule: Schedule, office: Organisation, seeker: Client) -> None:
    with pytest.raises(Conflict):  # not on the grid
        _book(schedule, seeker, warsaw(TUESDAY, 9, 7))
    with pytest.raises(Conflict):  # Saturday
        _book(schedule, seeker, warsaw(dt.date(2026, 3, 14), 9, 0))
    other = _seeker(Organisation.objects.get(code="pup-b"), phone="600100299")
    with pytest.raises(InvalidInput):  # another office's client
        _book(schedule, other, warsaw(TUESDAY, 9, 0))
    account = seeker_actions.account_for_client(seeker)
    with pytest.raises(InvalidInput):  # the office books registrations itself
        actions.book(
            actor=PORTAL,
            client=seeker,
            visit_type=visit(schedule, "Rejestracja"),
            starts_at=warsaw(TUESDAY, 9, 0),
            account=account,
            now=MONDAY_10,
        )
    for hour in (8, 9, 10):
        actions.book(
            actor=PORTAL,
            client=seeker,
            visit_type=visit(schedule),
            starts_at=warsaw(TUESDAY, hour),
            account=account,
            now=MONDAY_10,
        )
    with pytest.raises(InvalidInput):  # at most three open bookings on the portal
        actions.book(
            actor=PORTAL,
            client=seeker,
            visit_type=visit(schedule),
            starts_at=warsaw(TUESDAY, 11),
            account=account,
            now=MONDAY_10,
        )


def test_cancel_rules(schedule: Schedule, seeker: Client) -> None:
    account = seeker_actions.account_for_client(seeker)
    soon = _book(schedule, seeker, warsaw(TUESDAY, 9, 0))  # 23 hours ahead
    later = _book(schedule, seeker, warsaw(TUESDAY, 12, 0))  # 26 hours ahead
    with pytest.raises(Conflict):
        actions.cancel(actor=PORTAL, appointment=soon, by_office=False, account=account, now=MONDAY_10)
    done = actions.cancel(actor=PORTAL, appointment=later, by_office=False, account=account, now=MONDAY_10)
    assert done.status == Status.CANCELLED
    assert not done.cancelled_by_office
    assert not DeskHold.objects.filter(appointment=later).exists()
    with pytest.raises(Conflict):  # twice
        actions.cancel(actor=PORTAL, appointment=done, by_office=False, account=account, now=MONDAY_10)
    # The office may cancel until the visit starts.
    by_office = actions.cancel(actor=STAFF, appointment=soon, by_office=True, reason="choroba", now=MONDAY_10)
    assert by_office.cancelled_by_office
    # The freed time is offered again.
    starts = [s.starts_at for s in slots.free_slots(schedule, visit(schedule), TUESDAY, now=MONDAY_10)]
    assert warsaw(TUESDAY, 12, 0) in starts


def test_marking_attended_only_from_the_day_of_the_visit(schedule: Schedule, seeker: Client) -> None:
    appointment = _book(schedule, seeker, warsaw(TUESDAY, 9, 0))
    with pytest.raises(Conflict):
        actions.close(actor=STAFF, appointment=appointment, status=Status.ATTENDED, now=MONDAY_10)
    with pytest.raises(InvalidInput):
        actions.close(actor=STAFF, appointment=appointment, status="bogus", now=warsaw(TUESDAY, 10))
    actions.close(actor=STAFF, appointment=appointment, status=Status.NO_SHOW, now=warsaw(TUESDAY, 10))
    assert Appointment.objects.get(pk=appointment.pk).status == Status.NO_SHOW


# --- messages ------------------------------------------------------------------------------------


def test_spoken_dates() -> None:
    tuesday_0930 = warsaw(dt.date(2026, 12, 8), 9, 30)
    assert texts.spoken_when(tuesday_0930, today=dt.date(2026, 12, 7)) == "jutro (wtorek, 8 grudnia) o 9:30"
    assert texts.spoken_when(tuesday_0930, today=dt.date(2026, 12, 1)) == "wtorek, 8 grudnia 2026 o 9:30"
    assert texts.spoken_when(tuesday_0930, today=dt.date(2026, 12, 7), language="en") == (
        "tomorrow (Tuesday, 8 December) at 9:30"
    )


def test_reminder_lands_in_var_sms_once(schedule: Schedule, seeker: Client, sms_root: Path) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        _book(schedule, seeker, warsaw(TUESDAY, 9, 30))
        run_workers()
    [confirmation] = _sms(sms_root)
    assert "Umówiono wizytę" in confirmation["text"]
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=2), tick=False):
        assert actions.remind_due() == 0  # before 16:00 nothing goes out
    with time_machine.travel(MONDAY_16, tick=False):
        assert actions.remind_due() == 1
        run_workers()
        assert actions.remind_due() == 0  # idempotent
        run_workers()
    messages = _sms(sms_root)
    assert len(messages) == 2
    reminder = next(m for m in messages if m["text"].startswith("Przypomnienie"))
    assert reminder["to"] == "+48600100200"
    assert "jutro (wtorek, 10 marca) o 9:30" in reminder["text"]
    assert "Wizyta u doradcy klienta" in reminder["text"]
    assert "ul. Pogodna 22, 15-354 Białystok" in reminder["text"]
    assert "Odwołanie: " in reminder["text"]
    assert "/konto/wizyty/" in reminder["text"]
    assert Appointment.objects.get().reminder_sent_at == MONDAY_16
    assert Notification.objects.filter(event="appointment_reminder").count() == 1


def test_reminder_after_sms_opt_out_goes_by_email(schedule: Schedule, seeker: Client, sms_root: Path) -> None:
    client_actions.record_consent(actor=None, client=seeker, topic=ClientConsent.Topic.SMS, granted=False, source="sms")
    with time_machine.travel(MONDAY_10, tick=False):
        _book(schedule, seeker, warsaw(TUESDAY, 9, 30))
        run_workers()
    with time_machine.travel(MONDAY_16, tick=False):
        actions.remind_due()
        run_workers()
    assert _sms(sms_root) == []
    subjects = [m.subject for m in mail.outbox]
    assert any(s.startswith("Przypomnienie: wizyta jutro (wtorek, 10 marca) o 9:30") for s in subjects)


def test_reminder_in_quiet_hours_waits_until_eight(schedule: Schedule, seeker: Client, sms_root: Path) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        _book(schedule, seeker, warsaw(TUESDAY, 12, 0))
    late = warsaw(MONDAY_10.date(), 22, 0)  # the beat ran late
    with time_machine.travel(late, tick=False):
        assert actions.remind_due() == 1
        run_workers()
    queued = Notification.objects.get(event="appointment_reminder")
    assert queued.available_at == warsaw(TUESDAY, 8, 0)


def test_office_cancellation_tells_the_client(schedule: Schedule, seeker: Client, sms_root: Path) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        appointment = _book(schedule, seeker, warsaw(TUESDAY, 9, 30))
        actions.cancel(actor=STAFF, appointment=appointment, by_office=True, reason="awaria", now=MONDAY_10)
        run_workers()
    texts_sent = [m["text"] for m in _sms(sms_root)]
    assert any(t.startswith("Urząd odwołał wizytę jutro (wtorek, 10 marca) o 9:30") for t in texts_sent)
    with time_machine.travel(MONDAY_16, tick=False):
        assert actions.remind_due() == 0  # cancelled: no reminder


def test_client_cancellation_sends_no_notice(schedule: Schedule, seeker: Client, sms_root: Path) -> None:
    account = seeker_actions.account_for_client(seeker)
    with time_machine.travel(MONDAY_10, tick=False):
        appointment = _book(schedule, seeker, warsaw(TUESDAY, 12, 0))
        actions.cancel(actor=PORTAL, appointment=appointment, by_office=False, account=account, now=MONDAY_10)
        run_workers()
    assert not Notification.objects.filter(event="appointment_cancelled").exists()


# --- demo -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_schedules_and_visits(settings: Any, tmp_path: Path) -> None:
    import io

    from django.core.management import call_command

    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    with time_machine.travel(MONDAY_10, tick=False):
        call_command("demo", "--only", "accounts", "clients", "jobs_appointments", stdout=out)
        call_command("demo", "--only", "jobs_appointments", stdout=io.StringIO())  # idempotent
    assert Schedule.objects.count() == 14
    assert Schedule.objects.get(office__code="pup-bialystok").hours.first().desks == 5  # type: ignore[union-attr]
    visits = list(Appointment.objects.order_by("starts_at"))
    assert len(visits) == 2
    assert visits[0].client_id == visits[1].client_id
    assert visits[1].booked_by_account is not None
    assert "booked visits for client" in out.getvalue()
