"""Malformed and hostile requests to the REST API answer 4xx problem details, never 500
(issue 10, defects 5 and 10)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation
from okienko.api.parsers import ContentTooLarge, JSONParser
from okienko.cases.models import Case

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def city_client(region: Organisation, token_client: Callable[..., APIClient]) -> APIClient:
    client = token_client(Organisation.objects.get(code="city"), ["cases:read", "cases:write", "clients:read"])
    client.raise_request_exception = False
    return client


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    return body


def test_json_nested_five_thousand_deep_is_a_400_problem(city_client: APIClient) -> None:
    body = "[" * 5000 + "]" * 5000
    response = city_client.post("/api/v1/cases/", body, content_type="application/json")
    problem = _problem(response, 400)
    assert "nested too deeply" in problem["detail"]


def test_two_thousand_form_fields_are_a_400_problem(city_client: APIClient) -> None:
    body = "&".join(f"f{i}=1" for i in range(2000))
    response = city_client.post("/api/v1/cases/", body, content_type="application/x-www-form-urlencoded")
    assert "too many fields" in _problem(response, 400)["detail"]


def test_a_json_body_over_one_mebibyte_is_a_413_problem(city_client: APIClient) -> None:
    body = json.dumps({"description": "a" * (1024 * 1024)})
    response = city_client.post("/api/v1/cases/", body, content_type="application/json")
    problem = _problem(response, 413)
    assert problem["type"].endswith("/content-too-large")
    assert Case.objects.count() == 0


def test_the_json_limit_is_a_setting(city_client: APIClient, settings: Any) -> None:
    settings.API_MAX_JSON_BYTES = 100
    response = city_client.post(
        "/api/v1/cases/", json.dumps({"description": "a" * 100}), content_type="application/json"
    )
    _problem(response, 413)


def test_the_parser_stops_reading_at_the_limit_whatever_length_was_declared(settings: Any) -> None:
    """A body without a usable Content-Length (chunked) is cut at the limit, not read whole."""
    settings.API_MAX_JSON_BYTES = 100
    stream = io.BytesIO(json.dumps({"description": "a" * 10_000}).encode())
    with pytest.raises(ContentTooLarge):
        JSONParser().parse(stream, "application/json", {})
    assert stream.tell() == 101


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x0b"])
def test_control_characters_in_a_json_body_are_a_400_problem(city_client: APIClient, char: str) -> None:
    response = city_client.post(
        "/api/v1/cases/", {"description": f"Dziura{char}w jezdni", "answers": {"a": "b"}}, format="json"
    )
    assert "control characters" in _problem(response, 400)["detail"]
    assert Case.objects.count() == 0


def test_control_characters_in_json_keys_and_nested_values_are_refused(city_client: APIClient) -> None:
    for document in ({"answers": {"x\x00": "1"}}, {"answers": {"list": ["ok", ["deep\x1b"]]}}):
        response = city_client.post("/api/v1/cases/", document, format="json")
        _problem(response, 400)


def test_a_lone_surrogate_escaped_in_json_is_refused(city_client: APIClient) -> None:
    response = city_client.post("/api/v1/cases/", '{"description": "\\ud800"}', content_type="application/json")
    _problem(response, 400)


def test_tab_and_newlines_stay_acceptable(city_client: APIClient) -> None:
    response = city_client.post("/api/v1/cases/", {"description": "linia\r\ndruga\tkolumna"}, format="json")
    problem = _problem(response, 400)  # organisation and service are missing, the description is fine
    assert "description" not in problem["errors"]
    assert set(problem["errors"]) >= {"organisation", "service"}


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x0b"])
def test_control_characters_in_query_parameters_are_a_400_problem(city_client: APIClient, char: str) -> None:
    response = city_client.get("/api/v1/clients/", {"q": f"Nowak{char}"})
    assert "control characters" in _problem(response, 400)["detail"]


def test_control_characters_in_a_form_body_are_a_400_problem(city_client: APIClient) -> None:
    response = city_client.post("/api/v1/cases/", "description=a%00b", content_type="application/x-www-form-urlencoded")
    _problem(response, 400)


@pytest.mark.parametrize("header", ["\xff\xfe \xfe", "Bearer \xff\xfe", "\xffearer okn_x_y", "Bearer ą"])
def test_non_utf8_bytes_in_the_authorization_header_are_a_401(api: APIClient, header: str) -> None:
    """WSGI hands header bytes over as ISO-8859-1 text; none of them may cause a 500."""
    api.raise_request_exception = False
    response = api.get("/api/v1/cases/", HTTP_AUTHORIZATION=header)
    _problem(response, 401)


EDGES = ["0001-01-01", "0001-01-01T00:00:00+05:00", "9999-12-31T23:30:00-05:00", "9999-12-31T23:59:59Z"]


@pytest.mark.parametrize("moment", EDGES)
@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/v1/cases/", ("created_after", "created_before")),
        ("/api/v1/interactions/", ("started_after", "started_before")),
    ],
)
def test_moments_at_the_ends_of_the_calendar_filter_without_failing(
    region: Organisation, token_client: Callable[..., APIClient], path: str, names: tuple[str, str], moment: str
) -> None:
    client = token_client(Organisation.objects.get(code="city"), ["cases:read", "interactions:read"])
    client.raise_request_exception = False
    for name in names:
        response = client.get(path, {name: moment})
        assert response.status_code == 200, (name, response.content[:300])


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_public_events_from_the_first_or_last_day_do_not_fail(api: APIClient, day: str) -> None:
    api.raise_request_exception = False
    assert api.get("/api/v1/jobs/events/", {"from": day}).status_code == 200
    assert api.get("/api/v1/jobs/trainings/", {"from": day}).status_code == 200


def _cursor(position: bytes) -> str:
    import base64

    return base64.b64encode(position).decode()


@pytest.mark.parametrize(
    "position", [b"p=" + b"x" * 5000, b"r=1&p=\x00", b"p=2026-01-01"], ids=["long", "nul", "a-day-for-an-id"]
)
@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/clients/"])
def test_a_made_up_cursor_is_an_invalid_cursor_not_a_500(city_client: APIClient, path: str, position: bytes) -> None:
    problem = _problem(city_client.get(path, {"cursor": _cursor(position)}), 404)
    assert problem["detail"] == "Invalid cursor"


@pytest.mark.parametrize(
    "position",
    [
        b"p=9999-12-31T23:59:59-05:00",
        b"p=0001-01-01T00:00:00%2B05:00",
        b"p=0001-01-01T00:00:00",
        b"p=2026-02-30T10:00:00%2B00:00",
        b"p=" + b"x" * 5000,
    ],
    ids=["after-9999", "before-0001", "naive-0001", "30-february", "long"],
)
def test_a_cursor_beyond_the_calendar_is_an_invalid_cursor(city_client: APIClient, position: bytes) -> None:
    response = city_client.get("/api/v1/cases/", {"cursor": _cursor(position), "ordering": "-created_at"})
    assert _problem(response, 404)["detail"] == "Invalid cursor"
