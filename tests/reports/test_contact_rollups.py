"""Contact rollups (issue 20, item 2): kept from the outbox, idempotent, equal to a rebuild."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import time_machine
from django.core.management import call_command

from okienko.core import events
from okienko.interactions.actions import record_interaction
from okienko.reports import rollups
from okienko.reports.models import ContactDay
from tests.cases.conftest import City, open_pothole

MONDAY = "2026-11-23 09:00:00+00:00"  # 10:00 in Warsaw


def _rows() -> list[tuple[Any, ...]]:
    return sorted(
        ContactDay.objects.values_list(
            "day", "hour", "organisation_id", "channel", "outcome", "staff_id", "contacts", "timed", "duration_seconds"
        )
    )


def contacts(city: City) -> None:
    with time_machine.travel(MONDAY, tick=False):
        now = dt.datetime.fromisoformat(MONDAY)
        record_interaction(
            actor=city.consultant, channel="phone", organisation=city.centre, ended_at=now + dt.timedelta(minutes=5)
        )
        record_interaction(actor=city.consultant, channel="phone", organisation=city.centre)
        record_interaction(actor=city.consultant, channel="email", organisation=city.centre, outcome="transferred")
    with time_machine.travel("2026-11-23 23:30:00+00:00", tick=False):  # 00:30 on the 24th in Warsaw
        record_interaction(actor=city.consultant, channel="counter", organisation=city.centre)


def test_the_outbox_keeps_contact_rows_and_a_repeat_changes_nothing(city: City) -> None:
    contacts(city)
    events.deliver_due()
    rows = _rows()
    assert sum(r[6] for r in rows) == 4
    phone = ContactDay.objects.get(channel="phone")
    assert (phone.day, phone.hour, phone.contacts, phone.timed, phone.duration_seconds) == (
        dt.date(2026, 11, 23),
        10,
        2,
        2,  # a contact recorded without an end ends when it starts
        300,
    )
    assert phone.staff_id == city.consultant.pk
    visit = ContactDay.objects.get(channel="counter")
    assert (visit.day, visit.hour) == (dt.date(2026, 11, 24), 0)
    rollups.recompute_contacts([(city.centre.pk, dt.date(2026, 11, 23))] * 2)  # a late duplicate
    assert _rows() == rows


def test_rebuild_gives_what_the_events_gave(city: City) -> None:
    contacts(city)
    events.deliver_due()
    before = _rows()
    ContactDay.objects.all().delete()
    call_command("reports_rebuild", stdout=io.StringIO())
    assert _rows() == before
    call_command("reports_rebuild", "--since", "2026-11-24", stdout=io.StringIO())
    assert _rows() == before


def test_a_case_opened_from_a_contact_changes_its_outcome(city: City) -> None:
    with time_machine.travel(MONDAY, tick=False):
        contact = record_interaction(actor=city.consultant, channel="phone", organisation=city.centre)
        events.deliver_due()
        assert ContactDay.objects.get().outcome == "answered"
        open_pothole(city, interaction=contact)
    events.deliver_due()
    assert list(ContactDay.objects.values_list("outcome", flat=True)) == ["case_opened"]
