"""The ad hoc report builder on the desk (issue 20, item 5): a grouped report with its chart data
and table, the empty state, refusals with reasons (400), saved and shared reports always run in
the reader's scope, streamed exports of any size, background exports for the requester only,
audited, and every new address fuzzed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client as WebClient
from hypothesis import given
from hypothesis import strategies as st

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.cases.models import Case
from okienko.core.models import AuditRecord
from okienko.reports import adhoc_exports
from okienko.reports.adhoc_models import ExportJob, SavedReport
from tests.cases.conftest import City, open_pothole
from tests.portal.test_fuzzing import HOSTILE, SETTINGS

pytestmark = pytest.mark.django_db

BUILDER = "/desk/reports/builder/"
Q = {"run": "1", "source": "cases", "since": "2026-11-01", "until": "2026-11-30"}


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def staff_client(client: WebClient) -> Callable[[User], WebClient]:
    """Signed in, with English pages (the assertions compare the English source messages)."""
    from django.conf import settings

    def login(user: User) -> WebClient:
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture
def cases(city: City) -> list[Any]:
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        return [
            open_pothole(city, reporter={"name": "Jan Tajny", "phone": "600999888"}, description="=SECRET(x)"),
            open_pothole(city, channel="email"),
            open_pothole(city, service=city.tree, answers={}),
        ]


def _analyst(make_user: Callable[..., User], org: Organisation, name: str = "analityk") -> User:
    return make_user(name, roles=[(org, Role.ANALYST)])


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_an_analyst_sees_a_grouped_report_with_chart_data_and_table(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    response = http.get(BUILDER, {**Q, "group": ["service", "channel"], "measures": ["count", "open"]})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="builder-chart-data"' in page
    assert '<th scope="row">Pothole</th>' in page
    assert "Jan Tajny" not in page
    result = response.context["result"]
    assert result["count"] == 3
    assert result["lines"] == [["Fallen tree", "phone", 1, 1], ["Pothole", "e-mail", 1, 1], ["Pothole", "phone", 1, 1]]


def test_a_filter_that_matches_nothing_shows_the_empty_state(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    response = http.get(BUILDER, {**Q, "service": "nothing-like-this", "group": "service"})
    assert response.status_code == 200
    assert "Nothing matches these filters" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"group": "description"}, "free text"),
        ({"since": "2014-01-01", "until": "2026-01-01"}, "at most ten years"),
        ({"fields": "reporter_phone"}, "cannot be reported"),
        ({"since": "", "until": ""}, "Give the period"),
    ],
)
def test_bad_definitions_answer_400_with_the_reason(
    city: City,
    make_user: Callable[..., User],
    staff_client: Callable[[User], WebClient],
    query: dict[str, str],
    reason: str,
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    response = http.get(BUILDER, {**Q, **query})
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert http.get(BUILDER + "raport.csv", {**Q, **query}).status_code == 400


def test_staff_without_reports_are_refused(
    city: City, make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(city.consultant)
    assert http.get(BUILDER).status_code == 403
    assert http.post(BUILDER + "saved/", {**Q, "name": "x"}).status_code == 403


def _save(http: WebClient, **extra: Any) -> SavedReport:
    response = http.post(
        BUILDER + "saved/", {**Q, "group": "service", "measures": ["count"], "name": "Potholes", **extra}
    )
    assert response.status_code == 302
    return SavedReport.objects.latest("id")


def test_a_shared_report_runs_in_the_readers_scope_only(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    report = _save(http, shared="organisation")
    assert report.definition["group_by"] == ["service"]
    assert AuditRecord.objects.filter(action="reports.adhoc_saved").exists()
    # A unit head of another city knows the report's id: it is not theirs to load, and it grants nothing.
    stranger = make_user("kierownik.obcy", roles=[(city.other_city, Role.SUPERVISOR)])
    http.force_login(stranger)
    assert http.get(BUILDER, {"report": report.pk}).status_code == 404
    assert http.post(BUILDER + f"saved/{report.pk}/duplicate/").status_code == 404
    response = http.get(BUILDER, {**Q, "group": "service"})
    assert response.context["result"]["count"] == 0
    assert "Pothole" not in response.content.decode()
    # A unit head of the roads unit in the same city sees the shared report? Only if shared with
    # their organisation: it is shared with the city, which is not in a unit's scope.
    roads_head = make_user("kierownik.drogi", roles=[(city.roads, Role.SUPERVISOR)])
    http.force_login(roads_head)
    assert http.get(BUILDER, {"report": report.pk}).status_code == 404
    # A colleague at the city level loads it and sees their own scope.
    colleague = _analyst(make_user, city.city, "analityk2")
    http.force_login(colleague)
    response = http.get(BUILDER, {"report": report.pk})
    assert response.status_code == 200
    assert response.context["result"]["count"] == 3


def test_private_reports_are_the_owners_and_only_the_owner_edits_or_deletes(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    owner = _analyst(make_user, city.city)
    http = staff_client(owner)
    report = _save(http)
    colleague = _analyst(make_user, city.city, "analityk2")
    http.force_login(colleague)
    assert http.get(BUILDER, {"report": report.pk}).status_code == 404
    assert report.name not in http.get(BUILDER + "saved/").content.decode()
    http.force_login(owner)
    report.shared = SavedReport.Sharing.ORGANISATION
    report.save()
    http.force_login(colleague)
    assert http.post(BUILDER + f"saved/{report.pk}/", {"name": "Mine", "shared": "private"}).status_code == 404
    assert http.post(BUILDER + f"saved/{report.pk}/delete/").status_code == 404
    assert http.post(BUILDER + f"saved/{report.pk}/duplicate/").status_code == 302
    copy = SavedReport.objects.latest("id")
    assert (copy.owner, copy.shared, copy.name) == (colleague, "private", "Copy of Potholes")
    http.force_login(owner)
    assert http.post(BUILDER + f"saved/{report.pk}/", {"name": "Renamed", "shared": "private"}).status_code == 302
    report.refresh_from_db()
    assert report.name == "Renamed"
    assert http.post(BUILDER + f"saved/{report.pk}/delete/").status_code == 302
    assert not SavedReport.objects.filter(pk=report.pk).exists()
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"reports.adhoc_saved", "reports.adhoc_changed", "reports.adhoc_deleted"} <= actions


def test_a_saved_definition_is_checked_again_on_load(
    city: City, make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    owner = _analyst(make_user, city.city)
    http = staff_client(owner)
    report = _save(http)
    SavedReport.objects.filter(pk=report.pk).update(definition={**report.definition, "group_by": ["description"]})
    response = http.get(BUILDER, {"report": report.pk})
    assert response.status_code == 400
    assert "free text" in response.content.decode()
    assert http.post(BUILDER + "saved/", {**Q, "group": "address", "name": "x"}).status_code == 400


def test_exports_stream_rows_and_groups_without_people(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    rows = _csv(http.get(BUILDER + "raport.csv", {**Q, "fields": ["number", "channel"]}))
    assert rows[0] == ["case number", "channel"]
    assert sorted(r[0] for r in rows[1:]) == sorted(c.number for c in cases)
    assert "Jan Tajny" not in str(rows)
    groups = _csv(http.get(BUILDER + "raport.csv", {**Q, "group": "service", "rows": "groups"}))
    assert groups == [["service", "cases"], ["Fallen tree", "1"], ["Pothole", "2"]]
    xlsx = http.get(BUILDER + "raport.xlsx", {**Q, "group": "service", "rows": "groups"})
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert AuditRecord.objects.filter(action="reports.adhoc_exported").count() == 3


def test_a_big_streamed_export_has_every_row(
    city: City, make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    template = open_pothole(city)
    start = dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC)
    fields = {f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}
    copies = []
    for n in range(3000):
        values = {**fields, "number": f"T/{n}", "created_at": start + dt.timedelta(minutes=n)}
        values.pop("uuid")
        values.pop("external_token")
        copies.append(Case(**values))
    Case.objects.bulk_create(copies, batch_size=500)
    http = staff_client(_analyst(make_user, city.city))
    response = http.get(BUILDER + "raport.csv", {**Q, "fields": "number"})
    rows = chunks = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
        chunks += 1
    assert rows == 1 + 3000  # the header and the copies (the template was made today, outside November)
    assert chunks > 1000  # written row by row as read, never built whole in memory


def test_a_large_export_goes_to_the_background_for_the_requester_only(
    city: City,
    cases: list[Any],
    make_user: Callable[..., User],
    staff_client: Callable[[User], WebClient],
    settings: Any,
) -> None:
    settings.OKIENKO_REPORT_EXPORT_BACKGROUND_ROWS = 2
    requester = _analyst(make_user, city.city)
    http = staff_client(requester)
    page = http.get(BUILDER, Q).content.decode()
    assert "prepared in the background" in page
    response = http.post(BUILDER + "exports/", {**Q, "fmt": "csv"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == f"{BUILDER}exports/{job.uuid}/"
    progress = http.get(f"{BUILDER}exports/{job.uuid}/progress/").content.decode()
    assert "<progress" in progress
    assert 'hx-trigger="every 2s"' in progress
    assert http.get(f"{BUILDER}exports/{job.uuid}/download/").status_code == 404  # not ready
    adhoc_exports.drain()
    page = http.get(f"{BUILDER}exports/{job.uuid}/").content.decode()
    assert "Download" in page
    assert 'hx-trigger="every 2s"' not in page
    download = http.get(f"{BUILDER}exports/{job.uuid}/download/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert body.count("\n") == 4
    assert AuditRecord.objects.filter(action="reports.adhoc_export_downloaded").exists()
    # A colleague with the same scope cannot see or download it, nor cancel it.
    http.force_login(_analyst(make_user, city.city, "analityk2"))
    for suffix in ("", "progress/", "download/"):
        assert http.get(f"{BUILDER}exports/{job.uuid}/{suffix}").status_code == 404
    assert http.post(f"{BUILDER}exports/{job.uuid}/cancel/").status_code == 404
    # After it expires, the file is gone on access.
    http.force_login(requester)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert http.get(f"{BUILDER}exports/{job.uuid}/download/").status_code == 404
    job.refresh_from_db()
    assert job.status == ExportJob.State.EXPIRED


def test_cancelling_a_queued_export_from_the_page(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    http.post(BUILDER + "exports/", {**Q, "fmt": "xlsx"})
    job = ExportJob.objects.get()
    assert http.post(f"{BUILDER}exports/{job.uuid}/cancel/").status_code == 302
    job.refresh_from_db()
    assert job.status == ExportJob.State.CANCELLED
    assert "cancelled" in http.get(f"{BUILDER}exports/{job.uuid}/").content.decode()
    assert http.post(BUILDER + "exports/", {**Q, "fmt": "pdf"}).status_code == 400


FIELD_NAMES = st.sampled_from(
    [
        "source",
        "since",
        "until",
        "group",
        "fields",
        "measures",
        "service",
        "status",
        "channel",
        "report",
        "page",
        "rows",
    ]
)


@SETTINGS
@given(query=st.dictionaries(FIELD_NAMES, HOSTILE, max_size=6))
def test_fuzzed_builder_queries_never_fail(city: City, make_user: Callable[..., User], query: dict[str, str]) -> None:
    user = User.objects.filter(username="fuzz").first() or _analyst(make_user, city.city, "fuzz")
    http = WebClient()
    http.force_login(user)
    for address in (BUILDER, BUILDER + "raport.csv", BUILDER + "saved/", BUILDER + f"saved/{2**70}/"):
        response = http.get(address, query)
        assert response.status_code in (200, 400, 404), (address, query, response.status_code)
    for address in (BUILDER + "exports/", BUILDER + "saved/", BUILDER + "saved/999999/", BUILDER + f"saved/{2**70}/"):
        response = http.post(address, {**query, "name": query.get("source", "")})
        assert response.status_code in (302, 400, 404), (address, query, response.status_code)


# -- the API --------------------------------------------------------------------------------------


def _shared(owner: User, org: Organisation, **definition: Any) -> SavedReport:
    from okienko.core import clock

    now = clock.now()
    return SavedReport.objects.create(
        owner=owner,
        organisation=org,
        name="API",
        definition={"source": "cases", "since": "2026-11-01", "until": "2026-11-30", **definition},
        shared=SavedReport.Sharing.ORGANISATION,
        created_at=now,
        updated_at=now,
    )


def test_the_api_runs_a_shared_report_in_the_callers_scope(
    city: City, cases: list[Any], make_user: Callable[..., User], token_client: Callable[..., Any]
) -> None:
    report = _shared(_analyst(make_user, city.city), city.city, group_by=["service"], measures=["count"])
    client = token_client(city.city, ["reports:read"])
    body = client.get("/api/v1/reports/adhoc/", {"report": report.pk}).json()
    assert body["count"] == 2
    assert body["columns"] == ["service", "count"]
    assert body["results"] == [["Fallen tree", 1], ["Pothole", 2]]
    detail = _shared(_analyst(make_user, city.city, "a2"), city.city, fields=["number"])
    body = client.get("/api/v1/reports/adhoc/", {"report": detail.pk}).json()
    assert sorted(r[0] for r in body["results"]) == sorted(c.number for c in cases)
    # Another city's token knows the id: not found. A token without the scope: 403.
    other = token_client(city.other_city, ["reports:read"])
    assert other.get("/api/v1/reports/adhoc/", {"report": report.pk}).status_code == 404
    assert (
        token_client(city.city, ["cases:read"]).get("/api/v1/reports/adhoc/", {"report": report.pk}).status_code == 403
    )
    for bad in ({}, {"report": "x"}, {"report": report.pk, "page": "9"}):
        response = client.get("/api/v1/reports/adhoc/", bad)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/reports/adhoc/", {"report": str(2**70)}).status_code == 404
    SavedReport.objects.filter(pk=report.pk).update(definition={**report.definition, "group_by": ["description"]})
    refused = client.get("/api/v1/reports/adhoc/", {"report": report.pk})
    assert refused.status_code == 400
    assert "free text" in str(refused.json()["errors"])


def test_the_office_filters_offer_the_readers_offices_only(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    response = http.get(BUILDER, {**Q, "unit": "ldz-roads", "group": "service"})
    page = response.content.decode()
    assert '<option value="ldz-roads" selected>Roads</option>' in page
    assert 'value="other"' not in page
    assert response.context["result"]["count"] == 2  # the potholes assigned to the roads unit
