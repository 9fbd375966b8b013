"""Marks, one flush per batch of deliveries and the month tables (ADR 0067, addendum 3)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from okienko.cases import actions
from okienko.core import events
from okienko.interactions.actions import record_interaction
from okienko.reports import dashboard, rollups
from okienko.reports.models import (
    CaseDay,
    CaseMonth,
    ContactDay,
    ContactMonth,
    ContactMonthHour,
    ContactMonthStaff,
    RollupMark,
)
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db

MONDAY = "2026-11-23 09:00:00+00:00"  # 10:00 in Warsaw


def _months() -> dict[str, list[tuple[Any, ...]]]:
    def rows(model: Any, *fields: str) -> list[tuple[Any, ...]]:
        return sorted(model.objects.exclude(**dict.fromkeys(fields[-2:], 0)).values_list(*fields))

    return {
        "cases": rows(CaseMonth, "month", "organisation_id", "unit_id", "service_id", "channel", "opened", "resolved"),
        "contacts": rows(ContactMonth, "month", "organisation_id", "channel", "outcome", "contacts", "timed"),
        "staff": rows(ContactMonthStaff, "month", "organisation_id", "staff_id", "outcome", "contacts", "timed"),
        "hours": rows(ContactMonthHour, "month", "organisation_id", "weekday", "hour", "contacts", "timed"),
    }


def test_events_only_mark_days_and_the_batch_recomputes_each_day_once(city: City, monkeypatch: Any) -> None:
    with time_machine.travel(MONDAY, tick=False):
        for n in range(5):
            open_pothole(city, description=f"Dziura {n}")
    recomputed: list[tuple[int, dt.date]] = []
    real = rollups.recompute_case_days

    def spy(days: Any) -> None:
        days = list(days)
        recomputed.extend(days)
        real(days)

    monkeypatch.setattr(rollups, "recompute_case_days", spy)
    events.deliver_due()
    assert recomputed == [(city.city.pk, dt.date(2026, 11, 23))]  # five cases, one day, one recompute
    assert sum(CaseDay.objects.values_list("opened", flat=True)) == 5
    assert not RollupMark.objects.exists()
    assert sum(CaseMonth.objects.values_list("opened", flat=True)) == 5


def test_month_rows_follow_the_day_rows_and_equal_a_rebuild(city: City) -> None:
    with time_machine.travel(MONDAY, tick=False):
        first = open_pothole(city)
        open_pothole(city, description="Druga")
        record_interaction(actor=city.consultant, channel="phone", organisation=city.centre)
        first = actions.transition_case(actor=city.expert, case=first, to_status="in_progress")
    events.deliver_due()
    with time_machine.travel("2026-12-01 10:00:00+00:00", tick=False):  # resolved in the next month
        actions.resolve_case(actor=city.expert, case=first, message="Załatane.")
        record_interaction(actor=city.consultant, channel="email", organisation=city.centre, outcome="transferred")
    events.deliver_due()
    kept = _months()
    assert [row[-2:] for row in kept["cases"]] == [(2, 0), (0, 1)]
    assert sum(row[-2] for row in kept["contacts"]) == 2
    rollups.rebuild_months()
    assert _months() == kept
    rollups.recompute_case_days([(city.city.pk, dt.date(2026, 12, 1))] * 2)  # late duplicates change nothing
    assert _months() == kept


def test_a_flush_that_fails_leaves_its_marks_for_the_next(city: City, monkeypatch: Any, caplog: Any) -> None:
    with time_machine.travel(MONDAY, tick=False):
        open_pothole(city)

    def broken(days: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(rollups, "recompute_case_days", broken)
    with caplog.at_level(logging.ERROR, logger="okienko.core.events"):
        assert events.deliver_due() >= 1  # the deliveries themselves succeeded
    assert "after-deliveries hook" in caplog.text
    assert RollupMark.objects.filter(kind="cases").exists()
    monkeypatch.undo()
    assert rollups.flush() >= 1
    assert sum(CaseDay.objects.values_list("opened", flat=True)) == 1
    assert not RollupMark.objects.exists()


def test_a_flush_writes_only_the_rows_that_changed(city: City) -> None:
    with time_machine.travel(MONDAY, tick=False):
        for n in range(3):
            open_pothole(city, description=f"Dziura {n}")
    events.deliver_due()
    ids = set(CaseDay.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        rollups.recompute_case_days([(city.city.pk, dt.date(2026, 11, 23))])
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert writes == []
    assert set(CaseDay.objects.values_list("pk", flat=True)) == ids


def _day_totals(scope: dashboard.Scope, period: dashboard.Period) -> tuple[int, int]:
    cases = dashboard.case_rows(scope, period)
    contacts = dashboard.contact_rows(scope, period)
    return sum(cases.values_list("opened", flat=True)), sum(contacts.values_list("contacts", flat=True))


@settings(max_examples=25, deadline=None)
@given(start=st.integers(min_value=0, max_value=400), length=st.integers(min_value=1, max_value=400))
def test_a_period_read_from_months_and_ends_equals_the_day_rows(start: int, length: int) -> None:
    first = dt.date(2025, 1, 1) + dt.timedelta(days=start)
    period = dashboard.Period(first, first + dt.timedelta(days=length - 1))
    ends, months = dashboard.split(period)
    covered: set[dt.date] = set()
    for a, b in ends:
        covered |= {a + dt.timedelta(days=n) for n in range((b - a).days + 1)}
    if months is not None:
        assert months[0].day == 1
        assert months[1].day == 1
        day = months[0]
        while day < months[1]:
            assert day not in covered
            covered.add(day)
            day += dt.timedelta(days=1)
    assert covered == {period.since + dt.timedelta(days=n) for n in range(period.days)}


def test_dashboard_totals_over_months_equal_the_day_rows(city: City) -> None:
    keys = {"organisation_id": city.city.pk, "service_id": city.pothole.pk, "channel": "web"}
    for n in range(0, 120, 7):
        day = dt.date(2026, 6, 1) + dt.timedelta(days=n)
        CaseDay.objects.create(day=day, opened=n + 1, **keys)
        ContactDay.objects.create(
            day=day,
            organisation_id=city.city.pk,
            channel="phone",
            direction="in",
            outcome="answered",
            hour=9,
            contacts=n,
        )
    rollups.rebuild_months()
    scope = dashboard.Scope(frozenset({city.city.pk}))
    for since, until in (("2026-06-03", "2026-09-17"), ("2026-06-01", "2026-08-31"), ("2026-07-15", "2026-07-20")):
        period = dashboard.Period(dt.date.fromisoformat(since), dt.date.fromisoformat(until))
        opened, contacts = _day_totals(scope, period)
        assert dashboard.cases(scope, period)[0].opened == opened
        assert dashboard.contacts(scope, period)[0].contacts == contacts
        assert sum(line.contacts for line in dashboard.contacts(scope, period, "weekday")) == contacts
        assert sum(line.opened for line in dashboard.cases(scope, period, "month")) == opened


def test_month_rows_are_built_when_a_service_moved_to_another_category(city: City) -> None:
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    keys = {"organisation_id": city.city.pk, "service_id": city.pothole.pk, "channel": "web"}
    CaseDay.objects.create(day=dt.date(2026, 11, 2), category_id=1, opened=2, **keys)
    CaseDay.objects.create(day=dt.date(2026, 11, 3), category_id=2, opened=3, **keys)
    rollups.rebuild_months()
    assert list(CaseMonth.objects.values_list("opened", "category_id")) == [(5, 2)]
    CaseMonth.objects.all().delete()
    migration = importlib.import_module("okienko.reports.migrations.0007_month_rollups_and_marks")
    migration.fill_months(apps, SimpleNamespace(connection=connection))
    assert list(CaseMonth.objects.values_list("opened", "category_id")) == [(5, 2)]
