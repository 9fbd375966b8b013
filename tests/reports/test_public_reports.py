"""Reports, first slice (issue 20): rollups kept from the outbox and rebuilt from the cases, the
public statistics page and the daily open-data files (no personal data, only published services,
rounded places), the replica router."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client as WebClient
from hypothesis import given

from okienko.cases import actions
from okienko.catalogue.models import Service
from okienko.core import events
from okienko.reports import rollups
from okienko.reports.models import CaseDay
from okienko.reports.routers import REPLICA, ReplicaRouter, read_alias
from tests.cases.conftest import City, open_pothole
from tests.portal.test_fuzzing import HOSTILE, SETTINGS

pytestmark = pytest.mark.django_db

MONDAY = "2026-11-23 09:00:00+00:00"  # 10:00 in Warsaw


def _totals() -> dict[str, int]:
    rows = CaseDay.objects.all()
    return {
        "opened": sum(r.opened for r in rows),
        "resolved": sum(r.resolved for r in rows),
        "in_time": sum(r.resolved_in_time for r in rows),
    }


def _two_cases(city: City, *, published: bool = True) -> tuple[Any, Any]:
    if published:
        Service.objects.filter(pk=city.pothole.pk).update(publication=Service.Publication.LISTED)
    with time_machine.travel(MONDAY, tick=False):
        first = open_pothole(city, reporter={"name": "Jan Tajny", "phone": "600999888", "email": "jan@tajny.pl"})
        second = open_pothole(city, description="Another hole")
        first = actions.transition_case(actor=city.expert, case=first, to_status="in_progress")
    with time_machine.travel("2026-11-24 11:00:00+00:00", tick=False):
        first = actions.resolve_case(actor=city.expert, case=first, message="Załatane.")
    return first, second


def test_the_outbox_keeps_the_rollups_and_a_repeated_event_counts_once(city: City) -> None:
    first, _second = _two_cases(city)
    events.deliver_due()
    assert _totals() == {"opened": 2, "resolved": 1, "in_time": 1}
    monday = CaseDay.objects.get(day=dt.date(2026, 11, 23))
    assert (monday.opened, monday.resolved) == (2, 0)
    tuesday = CaseDay.objects.get(day=dt.date(2026, 11, 24))
    assert (tuesday.opened, tuesday.resolved, tuesday.resolution_seconds) == (0, 1, 26 * 3600)
    rollups.recompute(rollups.buckets_of(first))  # a late duplicate delivery changes nothing
    assert _totals() == {"opened": 2, "resolved": 1, "in_time": 1}


def test_rebuild_gives_what_the_events_gave(city: City) -> None:
    _two_cases(city)
    events.deliver_due()
    before = sorted(
        CaseDay.objects.values_list("day", "organisation_id", "service_id", "opened", "resolved", "resolution_seconds")
    )
    CaseDay.objects.all().delete()
    out = io.StringIO()
    call_command("reports_rebuild", stdout=out)
    after = sorted(
        CaseDay.objects.values_list("day", "organisation_id", "service_id", "opened", "resolved", "resolution_seconds")
    )
    assert after == before
    assert "rollup rows" in out.getvalue()
    call_command("reports_rebuild", "--since", "2026-11-24", stdout=io.StringIO())
    assert sorted(CaseDay.objects.values_list("day", "opened")) == [
        (dt.date(2026, 11, 23), 2),
        (dt.date(2026, 11, 24), 0),
    ]


def test_the_rebuild_command_refuses_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("reports_rebuild", "--since", "23.11.2026")


def test_a_day_is_the_local_day(city: City) -> None:
    with time_machine.travel("2026-11-23 23:30:00+00:00", tick=False):  # 00:30 on the 24th in Warsaw
        open_pothole(city)
    events.deliver_due()
    assert list(CaseDay.objects.values_list("day", flat=True)) == [dt.date(2026, 11, 24)]


def test_the_public_statistics_page_counts_without_naming_unpublished_services(city: City, client: WebClient) -> None:
    _two_cases(city)
    with time_machine.travel(MONDAY, tick=False):
        secret = Service.objects.create(
            organisation=city.city,
            category=city.pothole.category,
            code="tajne",
            public_name="Przemoc w rodzinie — zgłoszenie",
            is_public=False,
        )
        open_pothole(city, service=secret, description="x", answers={})
    events.deliver_due()
    with time_machine.travel("2026-11-30 12:00:00+00:00", tick=False):
        page = client.get("/statystyki/?miesiac=2026-11")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Przemoc w rodzinie" not in body
    assert city.pothole.public_name in body
    assert "Jan Tajny" not in body
    assert "listopad 2026" in body
    assert "<table" in body  # every chart has its table
    # Days as Poles write them (30.11.2026), never 2026-11-30, in the table and the bars' titles.
    assert re.search(r'<th scope="row">\d\d\.11\.2026</th>', body)
    assert not re.search(r">2026-11-\d\d", body)


def test_a_month_without_statistics_is_a_readable_404(client: WebClient) -> None:
    for wanted in ("1999-01", "2026-13", "abc", "2026-11-01", "9" * 30):
        page = client.get("/statystyki/", {"miesiac": wanted})
        assert page.status_code == 404, wanted
        assert 'role="alert"' in page.content.decode()


def test_the_open_data_file_lists_published_cases_without_personal_data(city: City, client: WebClient) -> None:
    first, second = _two_cases(city)
    with time_machine.travel("2026-11-30 12:00:00+00:00", tick=False):
        response = client.get("/dane-otwarte/zgloszenia-2026-11-23.csv")
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        json_response = client.get("/dane-otwarte/zgloszenia-2026-11-23.json")
        data = json.loads(b"".join(json_response.streaming_content))
        page = client.get("/dane-otwarte/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["service_request_id"] for r in rows} == {first.number.replace("/", "-"), second.number.replace("/", "-")}
    statuses = {r["service_request_id"]: r["status"] for r in rows}
    assert statuses[first.number.replace("/", "-")] == "closed"
    for secret in ("Jan Tajny", "600999888", "jan@tajny.pl", "Deep pothole", "Another hole"):
        assert secret not in body
        assert secret not in json.dumps(data, ensure_ascii=False)
    for row in rows:
        if row["lat"]:
            assert len(row["lat"].split(".")[1]) <= 3
    assert data["licence"]
    assert len(data["service_requests"]) == 2
    assert page.status_code == 200
    assert "service_request_id" in page.content.decode()


def test_an_unpublished_service_is_not_in_the_open_data(city: City, client: WebClient) -> None:
    _two_cases(city, published=False)
    with time_machine.travel("2026-11-30 12:00:00+00:00", tick=False):
        body = b"".join(client.get("/dane-otwarte/zgloszenia-2026-11-23.csv").streaming_content).decode("utf-8-sig")
    assert body.strip().count("\n") == 0  # the header only


def test_days_not_over_or_impossible_have_no_file(client: WebClient) -> None:
    with time_machine.travel("2026-11-30 12:00:00+00:00", tick=False):
        assert client.get("/dane-otwarte/zgloszenia-2026-11-30.csv").status_code == 404
        assert client.get("/dane-otwarte/zgloszenia-2027-01-01.json").status_code == 404
        assert client.get("/dane-otwarte/zgloszenia-2026-02-30.csv").status_code == 404
        assert client.get("/dane-otwarte/zgloszenia-1999-12-31.csv").status_code == 404
        assert client.get("/dane-otwarte/zgloszenia-2026-11-29.xml").status_code == 404
        assert client.post("/dane-otwarte/zgloszenia-2026-11-29.csv").status_code == 405


@SETTINGS
@given(text=HOSTILE)
def test_hostile_query_strings_never_fail(client: WebClient, text: str) -> None:
    client.raise_request_exception = False
    assert client.get("/statystyki/", {"miesiac": text}).status_code < 500
    assert client.get("/dane-otwarte/", {"x": text}).status_code < 500


def test_the_router_reads_reports_from_the_replica_and_writes_to_the_primary(settings: Any) -> None:
    router = ReplicaRouter()
    assert read_alias() == "default"
    settings.DATABASES = {**settings.DATABASES, REPLICA: dict(settings.DATABASES["default"])}
    assert read_alias() == REPLICA
    row = CaseDay(day=dt.date(2026, 1, 1), organisation_id=1, service_id=1, channel="phone")
    row._state.db = REPLICA
    assert router.db_for_write(CaseDay, instance=row) == "default"
    assert router.db_for_write(CaseDay) is None
    assert router.allow_migrate(REPLICA, "reports") is False
    assert router.allow_migrate("default", "reports") is True
