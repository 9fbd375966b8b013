"""Ad hoc reports (issue 20, item 5): definitions checked against the whitelist (a bad field, a
grouping by free text, eleven years — each refused with a reason), the reader's scope, grouped
measures over cases, contacts and calls, and the background export with progress and cancel."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from okienko.accounts.models import User
from okienko.accounts.roles import Role
from okienko.core.models import AuditRecord
from okienko.reports import adhoc, adhoc_exports
from okienko.reports.adhoc_models import ExportJob
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


NOVEMBER = {"source": "cases", "since": "2026-11-01", "until": "2026-11-30"}


@pytest.fixture
def cases(city: City) -> list[Any]:
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        made = [
            open_pothole(city),
            open_pothole(city, channel="email"),
            open_pothole(city, service=city.tree, answers={}),
        ]
    with time_machine.travel("2026-11-24 09:00:00+00:00", tick=False):
        made.append(open_pothole(city, description="Second day"))
    return made


def _scope(city: City) -> list[int]:
    return [city.city.pk, city.centre.pk, city.roads.pk, city.green.pk]


def _reasons(data: dict[str, Any]) -> list[str]:
    with pytest.raises(adhoc.DefinitionError) as refused:
        adhoc.parse(data)
    return refused.value.reasons


def test_a_field_outside_the_whitelist_is_refused_with_a_reason() -> None:
    reasons = _reasons({**NOVEMBER, "fields": ["number", "reporter_phone"]})
    assert reasons == ["The field “reporter_phone” cannot be reported."]


def test_grouping_by_free_text_is_refused_with_a_reason() -> None:
    (reason,) = _reasons({**NOVEMBER, "group_by": ["description"]})
    assert "free text" in reason
    (reason,) = _reasons({**NOVEMBER, "group_by": ["bogus"]})
    assert "not a dimension" in reason


def test_eleven_years_are_refused_and_ten_are_not() -> None:
    (reason,) = _reasons({**NOVEMBER, "since": "2015-01-01", "until": "2026-01-01"})
    assert "at most ten years" in reason
    assert adhoc.parse({**NOVEMBER, "since": "2016-01-02", "until": "2026-01-01"}).source == "cases"


def test_other_bad_definitions_each_say_why() -> None:
    assert _reasons("not a dict")  # type: ignore[arg-type]
    assert "Unknown source" in _reasons({**NOVEMBER, "source": "clients"})[0]
    assert "period" in _reasons({"source": "cases"})[0]
    assert "three" not in " ".join(_reasons({**NOVEMBER, "group_by": ["service", "channel", "day"]}))
    assert "at most two" in _reasons({**NOVEMBER, "group_by": ["service", "channel", "day"]})[0]
    assert "does not apply" in _reasons({**NOVEMBER, "source": "calls", "filters": {"status": "open"}})[0]
    assert "Unknown status" in _reasons({**NOVEMBER, "filters": {"status": "nonsense"}})[0]
    assert "lists of names" in _reasons({**NOVEMBER, "fields": {"a": 1}})[0]
    assert "not known" in _reasons({**NOVEMBER, "measures": ["sum_salary"]})[0]


def test_a_definition_round_trips_through_json() -> None:
    definition = adhoc.parse({**NOVEMBER, "group_by": ["service", "day"], "measures": ["count", "open"]})
    assert adhoc.parse(definition.as_json()) == definition


def test_grouped_cases_per_service_and_day(city: City, cases: list[Any]) -> None:
    definition = adhoc.parse(
        {**NOVEMBER, "group_by": ["service", "day"], "measures": ["count", "open", "closed", "past_deadline"]}
    )
    rows = adhoc.finish(definition, _scope(city), list(adhoc.grouped(definition, _scope(city))))
    got = [
        (adhoc.dimension_text("service", r["g_service"]), adhoc.dimension_text("day", r["g_day"]), r["count"])
        for r in rows
    ]
    assert got == [("Fallen tree", "2026-11-23", 1), ("Pothole", "2026-11-23", 2), ("Pothole", "2026-11-24", 1)]
    assert all(r["open"] == r["count"] and r["closed"] == 0 for r in rows)
    assert adhoc.totals(definition, _scope(city))["count"] == 4


def test_resolution_hours_mean_and_median(city: City, cases: list[Any]) -> None:
    from okienko.cases.models import Case

    start = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    for case, hours in zip(cases[:3], (2, 4, 12), strict=True):
        Case.objects.filter(pk=case.pk).update(created_at=start, resolved_at=start + dt.timedelta(hours=hours))
    definition = adhoc.parse({**NOVEMBER, "measures": ["count", "mean_hours", "median_hours"]})
    total = adhoc.totals(definition, _scope(city))
    assert total["mean_hours"] == 6.0
    assert total["median_hours"] == 4.0


def test_grouped_median_has_a_footer_over_all_rows(city: City, cases: list[Any]) -> None:
    """The footer of a grouped table has no group keys: its median is over every matching case
    (it once looked the group keys up in the footer row and failed with a 500)."""
    from okienko.cases.models import Case

    start = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    for case, hours in zip(cases[:3], (2, 4, 12), strict=True):
        Case.objects.filter(pk=case.pk).update(created_at=start, resolved_at=start + dt.timedelta(hours=hours))
    definition = adhoc.parse({**NOVEMBER, "group_by": ["service"], "measures": ["count", "median_hours"]})
    rows = adhoc.finish(definition, _scope(city), list(adhoc.grouped(definition, _scope(city))))
    medians = {adhoc.dimension_text("service", r["g_service"]): r["median_hours"] for r in rows}
    assert medians == {"Fallen tree": 12.0, "Pothole": 3.0}
    assert adhoc.totals(definition, _scope(city))["median_hours"] == 4.0


def test_the_scope_is_the_readers_only(city: City, cases: list[Any]) -> None:
    definition = adhoc.parse({**NOVEMBER, "measures": ["count"]})
    assert adhoc.count(definition, [city.other_city.pk]) == 0
    assert adhoc.count(definition, [city.roads.pk]) == 3  # the unit's assigned potholes, not the tree
    narrowed = adhoc.parse({**NOVEMBER, "filters": {"organisation": "other"}})
    assert adhoc.count(narrowed, _scope(city)) == 0  # a filter never widens the scope


def test_a_filter_that_matches_nothing_counts_zero(city: City, cases: list[Any]) -> None:
    definition = adhoc.parse({**NOVEMBER, "filters": {"service": "no-such-service"}, "group_by": ["service"]})
    assert adhoc.count(definition, _scope(city)) == 0
    assert list(adhoc.grouped(definition, _scope(city))) == []


def test_contacts_and_calls_group(city: City) -> None:
    from okienko.interactions.models import Interaction
    from okienko.telephony.models import CallEventRecord, PhoneQueue

    at = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    for channel in ("phone", "phone", "email"):
        Interaction.objects.create(
            organisation=city.centre, channel=channel, started_at=at, ended_at=at + dt.timedelta(minutes=6)
        )
    contacts = adhoc.parse(
        {**NOVEMBER, "source": "contacts", "group_by": ["channel"], "measures": ["count", "mean_minutes"]}
    )
    rows = adhoc.finish(contacts, _scope(city), list(adhoc.grouped(contacts, _scope(city))))
    assert [(r["g_channel"], r["count"], r["mean_minutes"]) for r in rows] == [("email", 1, 6.0), ("phone", 2, 6.0)]
    assert adhoc.count(contacts, [city.other_city.pk]) == 0

    PhoneQueue.objects.create(organisation=city.centre, code="ldz-info", name="Info")
    PhoneQueue.objects.create(organisation=city.other_city, code="other-info", name="Other")
    events = [
        ("queue.enter", "ldz-info", {}),
        ("queue.enter", "ldz-info", {}),
        ("connect", "ldz-info", {"waited": 10}),
        ("abandon", "ldz-info", {"waited": 30}),
        ("queue.enter", "other-info", {}),
    ]
    for n, (kind, queue, data) in enumerate(events):
        CallEventRecord.objects.create(at=at, seconds=n, kind=kind, call=f"c{n}", queue=queue, data=data)
    calls = adhoc.parse(
        {
            **NOVEMBER,
            "source": "calls",
            "group_by": ["organisation"],
            "measures": ["offered", "answered", "abandoned", "mean_wait"],
        }
    )
    (row,) = adhoc.finish(calls, _scope(city), list(adhoc.grouped(calls, _scope(city))))
    assert (row["g_organisation"], row["offered"], row["answered"], row["abandoned"], row["mean_wait"]) == (
        "Contact centre",
        2,
        1,
        1,
        10.0,
    )


# -- background export -------------------------------------------------------------------------


def _analyst(make_user: Callable[..., User], city: City) -> User:
    return make_user("analityk", roles=[(city.city, Role.ANALYST)])


def test_a_background_export_reports_progress_and_writes_every_row(
    city: City, cases: list[Any], make_user: Callable[..., User], monkeypatch: Any
) -> None:
    monkeypatch.setattr(adhoc_exports, "PROGRESS_EVERY", 1)
    seen: list[int] = []
    real = adhoc_exports._progress
    monkeypatch.setattr(adhoc_exports, "_progress", lambda job: (seen.append(job.rows_done), real(job)))
    user = _analyst(make_user, city)
    definition = adhoc.parse({**NOVEMBER, "fields": ["number", "service", "created_at"]})
    job = adhoc_exports.start(user=user, definition=definition, detail=True, fmt="csv", estimate=4)
    assert adhoc_exports.drain() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.State.DONE
    assert (job.rows_done, job.percent, seen) == (4, 100, [1, 2, 3, 4])
    with job.file.open("rb") as stored:
        rows = list(csv.reader(io.StringIO(stored.read().decode("utf-8-sig"))))
    assert len(rows) == 5
    assert sorted(r[0] for r in rows[1:]) == sorted(c.number for c in cases)
    assert job.size > 0
    assert len(job.sha256) == 64
    assert AuditRecord.objects.get(action="reports.adhoc_exported").data["rows"] == 4
    job.file.delete(save=False)


def test_a_cancelled_export_stops_and_leaves_no_file(
    city: City, cases: list[Any], make_user: Callable[..., User], monkeypatch: Any
) -> None:
    from django.core.files.storage import default_storage

    monkeypatch.setattr(adhoc_exports, "PROGRESS_EVERY", 2)
    user = _analyst(make_user, city)
    definition = adhoc.parse({**NOVEMBER})
    job = adhoc_exports.start(user=user, definition=definition, detail=True, fmt="csv", estimate=4)
    real = adhoc_exports._progress
    paths: list[str] = []

    def cancel_half_way(current: ExportJob) -> None:
        paths.append(current.file.name)
        assert default_storage.exists(current.file.name)  # the partial file is being written
        adhoc_exports.cancel(ExportJob.objects.get(pk=current.pk), user=user)
        real(current)

    monkeypatch.setattr(adhoc_exports, "_progress", cancel_half_way)
    adhoc_exports.drain()
    job.refresh_from_db()
    assert job.status == ExportJob.State.CANCELLED
    assert job.rows_done == 0 or job.rows_done < 4
    assert not default_storage.exists(paths[0])
    assert not job.file.name
    assert AuditRecord.objects.filter(action="reports.adhoc_export_cancelled").exists()


def test_a_job_cancelled_before_a_worker_took_it_never_runs(
    city: City, cases: list[Any], make_user: Callable[..., User]
) -> None:
    user = _analyst(make_user, city)
    job = adhoc_exports.start(user=user, definition=adhoc.parse(NOVEMBER), detail=True, fmt="csv", estimate=4)
    assert adhoc_exports.cancel(job, user=user)
    assert adhoc_exports.drain() == 0
    job.refresh_from_db()
    assert job.status == ExportJob.State.CANCELLED


def test_an_xlsx_export_in_the_background_and_its_expiry(
    city: City, cases: list[Any], make_user: Callable[..., User]
) -> None:
    user = _analyst(make_user, city)
    definition = adhoc.parse({**NOVEMBER, "group_by": ["service"], "measures": ["count", "open"]})
    job = adhoc_exports.start(user=user, definition=definition, detail=False, fmt="xlsx", estimate=2)
    adhoc_exports.drain()
    job.refresh_from_db()
    assert job.status == ExportJob.State.DONE
    assert job.rows_done == 2
    with job.file.open("rb") as stored:
        assert stored.read(2) == b"PK"
    name = job.file.name
    with time_machine.travel(job.expires_at + dt.timedelta(seconds=1)):
        assert adhoc_exports.purge_expired() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.State.EXPIRED
    from django.core.files.storage import default_storage

    assert not default_storage.exists(name)


def test_the_worker_uses_the_requesters_scope_now(city: City, cases: list[Any], make_user: Callable[..., User]) -> None:
    from okienko.accounts.models import Membership

    user = _analyst(make_user, city)
    job = adhoc_exports.start(user=user, definition=adhoc.parse(NOVEMBER), detail=True, fmt="csv", estimate=4)
    Membership.objects.filter(user=user).delete()  # the role was taken away before the worker ran
    adhoc_exports.drain()
    job.refresh_from_db()
    assert job.rows_done == 0
    job.file.delete(save=False)


def test_the_exports_queue_is_registered_for_health_and_the_admin() -> None:
    from okienko.core import workqueue

    metrics = workqueue.get("report_exports").metrics()
    assert (metrics.depth, metrics.dead) == (0, 0)


def test_the_demo_saves_one_shared_report_for_the_analyst(city: City, make_user: Callable[..., User]) -> None:
    from okienko.reports import demo
    from okienko.reports.adhoc_models import SavedReport

    make_user("analityk", roles=[(city.city, Role.ANALYST)])
    demo._saved_report(io.StringIO())
    demo._saved_report(io.StringIO())
    (report,) = SavedReport.objects.all()
    assert adhoc.parse(report.definition).group_by == ("service", "month")
    assert (report.organisation, report.shared) == (city.city, "organisation")


def test_control_characters_never_reach_the_database() -> None:
    definition = adhoc.parse({**NOVEMBER, "filters": {"service": "pot\x00hole\n"}})
    assert definition.filters == {"service": "pothole"}
