"""Exports of cases for analysis (issue 20, item 5): CSV streamed and XLSX, the reader's scope
only, the case's facts without its people, validated filters, audited, fuzzed."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client as WebClient
from hypothesis import given

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core.models import AuditRecord
from tests.cases.conftest import City, open_pothole
from tests.portal.test_fuzzing import HOSTILE, SETTINGS

pytestmark = pytest.mark.django_db

PERIOD = {"since": "2026-11-01", "until": "2026-11-30"}


@pytest.fixture
def cases(city: City) -> list[Any]:
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        mine = [
            open_pothole(city, reporter={"name": "Jan Tajny", "phone": "600999888"}, description="=HYPERLINK(x)"),
            open_pothole(city, channel="email"),
        ]
    return mine


def _analyst(make_user: Callable[..., User], org: Organisation, name: str = "analityk") -> User:
    return make_user(name, roles=[(org, Role.ANALYST)])


def _csv(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_an_analyst_exports_the_scope_as_csv_without_people(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    response = http.get("/desk/reports/export/sprawy.csv", PERIOD)
    assert response.status_code == 200
    rows = _csv(response)
    assert sorted(r["numer sprawy"] for r in rows) == sorted(c.number for c in cases)
    text = str(rows)
    for secret in ("Jan Tajny", "600999888", "HYPERLINK"):
        assert secret not in text
    entry = AuditRecord.objects.get(action="reports.cases_exported")
    assert entry.data["format"] == "csv"


def test_filters_narrow_the_export(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    rows = _csv(http.get("/desk/reports/export/sprawy.csv", {**PERIOD, "channel": "email"}))
    assert [r["numer sprawy"] for r in rows] == [cases[1].number]
    assert _csv(http.get("/desk/reports/export/sprawy.csv", {**PERIOD, "status": "closed"})) == []
    assert _csv(http.get("/desk/reports/export/sprawy.csv", {**PERIOD, "service": "nothing"})) == []
    page = http.get("/desk/reports/export/", PERIOD)
    assert page.status_code == 200
    assert "2 sprawy" in page.content.decode()


def test_the_xlsx_export_opens_in_a_spreadsheet(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    response = http.get("/desk/reports/export/sprawy.xlsx", PERIOD)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as book:
        names = book.namelist()
        text = "".join(book.read(n).decode() for n in names if n.startswith("xl/") and n.endswith(".xml"))
    assert "xl/worksheets/sheet1.xml" in names
    assert "numer sprawy" in text
    assert all(c.number in text for c in cases)
    assert "Jan Tajny" not in text


def test_a_consultant_and_another_city_see_nothing(
    city: City, cases: list[Any], make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    consultant = staff_client(city.consultant)
    assert consultant.get("/desk/reports/export/", PERIOD).status_code == 403
    assert consultant.get("/desk/reports/export/sprawy.csv", PERIOD).status_code == 403
    other = staff_client(_analyst(make_user, city.other_city, "analityk-obcy"))
    numbers = [r["numer sprawy"] for r in _csv(other.get("/desk/reports/export/sprawy.csv", PERIOD))]
    assert not set(numbers) & {c.number for c in cases}
    assert WebClient().get("/desk/reports/export/sprawy.csv", PERIOD).status_code == 302


def test_bad_periods_and_formats_are_readable_errors(
    city: City, make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    for params in (
        {"since": "2026-12-01", "until": "2026-11-01"},
        {"since": "1990-01-01", "until": "2026-11-01"},
        {"since": "2000-01-01", "until": "2026-11-01"},
        {"since": "x", "until": ""},
        {"since": "2026-11-01", "until": "2026-11-30", "status": "maybe"},
    ):
        assert http.get("/desk/reports/export/", params).status_code == 400, params
        assert http.get("/desk/reports/export/sprawy.csv", params).status_code == 400, params
    assert http.get("/desk/reports/export/sprawy.pdf", PERIOD).status_code == 404


@pytest.mark.slow
def test_hostile_filters_never_fail(
    city: City, make_user: Callable[..., User], staff_client: Callable[[User], WebClient]
) -> None:
    http = staff_client(_analyst(make_user, city.city))
    http.raise_request_exception = False

    @SETTINGS
    @given(text=HOSTILE)
    def run(text: str) -> None:
        params = {"since": text, "until": "2026-11-30", "service": text, "status": text, "channel": text}
        assert http.get("/desk/reports/export/", params).status_code < 500
        assert http.get("/desk/reports/export/sprawy.csv", {**PERIOD, "service": text}).status_code < 500

    run()
