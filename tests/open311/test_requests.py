from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from okienko.accounts.models import Organisation, User
from okienko.api.actions import IssuedToken, issue_api_token, revoke_api_token
from okienko.cases.actions import add_note
from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.integrations.open311 import formats, queue

BASE = "/open311/v2/"
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_post_creates_a_case_and_returns_its_id(post_request: Callable[..., Any]) -> None:
    response = post_request(
        email="jan@example.pl",
        first_name="Jan",
        last_name="Kowalski",
        phone="+48 600 100 200",
        device_id="dev-1",
        account_id="acc-7",
        media_url="https://example.pl/foto.jpg",
        **{"attribute[depth]": "a", "attribute[lanes][]": ["a", "b"]},
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert response.json() == [
        {"service_request_id": case.number.replace("/", "-"), "service_notice": "", "account_id": "acc-7"}
    ]
    assert case.channel == "web"
    assert case.description == "Głęboka dziura przy przystanku"
    assert (case.reporter_name, case.reporter_email, case.reporter_phone) == (
        "Jan Kowalski",
        "jan@example.pl",
        "+48 600 100 200",
    )
    assert case.answers == {"size": "40", "depth": "a", "lanes": ["a", "b"]}
    assert case.media_url == "https://example.pl/foto.jpg"
    assert case.open311_submission.device_id == "dev-1"  # type: ignore[attr-defined]


def test_post_xml_answers_in_xml(post_request: Callable[..., Any]) -> None:
    response = post_request("xml")
    assert response.status_code == 201
    root, data = formats.parse(response.content, "xml")
    assert root == "service_requests"
    assert data[0]["service_request_id"] == Case.objects.get().number.replace("/", "-")


def test_batch_service_answers_a_token_that_resolves_to_the_id(
    post_request: Callable[..., Any], client: Client
) -> None:
    response = post_request(service_code="question", **{"attribute[size]": None})
    assert response.status_code == 201
    token = response.json()[0]["token"]
    assert not Case.objects.exists()  # a batch service's request is queued (ADR 0040)
    assert client.get(f"{BASE}tokens/{token}.json").json() == [{"token": token}]
    queue.drain(seconds=10)
    case = Case.objects.get()
    assert str(case.external_token) == token
    resolved = client.get(f"{BASE}tokens/{token}.json").json()
    assert resolved == [{"service_request_id": case.number.replace("/", "-"), "token": token}]


def test_address_string_alone_is_a_location(post_request: Callable[..., Any]) -> None:
    response = post_request(lat=None, long=None, address_string="ul. Piotrkowska 104, Łódź")
    assert response.status_code == 201
    assert Case.objects.get().address == "ul. Piotrkowska 104, Łódź"


def test_address_id_alone_is_a_location_and_is_returned(post_request: Callable[..., Any], client: Client) -> None:
    response = post_request(lat=None, long=None, address_id="BLD-42")
    assert response.status_code == 201
    item = client.get(f"{BASE}requests/{response.json()[0]['service_request_id']}.json").json()[0]
    assert item["address_id"] == "BLD-42"


def test_read_back_one_request_in_both_formats(post_request: Callable[..., Any], client: Client) -> None:
    request_id = post_request().json()[0]["service_request_id"]
    item = client.get(f"{BASE}requests/{request_id}.json").json()[0]
    assert item["service_request_id"] == request_id
    assert item["status"] == "open"
    assert item["service_code"] == "pothole"
    assert item["service_name"] == "Dziura w jezdni"
    assert item["agency_responsible"] == "Unit"
    assert item["requested_datetime"] == "2026-03-02T10:30:00+01:00"
    assert item["expected_datetime"] is not None
    assert (item["lat"], item["long"]) == (51.759, 19.456)
    root, xml = formats.parse(client.get(f"{BASE}requests/{request_id}.xml").content, "xml")
    assert root == "service_requests"
    assert xml[0]["service_request_id"] == request_id
    assert xml[0]["lat"] == "51.759"


def test_status_notes_are_the_latest_public_note(
    post_request: Callable[..., Any], client: Client, make_user: Callable[..., User], city: Organisation
) -> None:
    request_id = post_request().json()[0]["service_request_id"]
    case = Case.objects.get()
    expert = make_user("ekspert", roles=[(city, "supervisor")])
    add_note(actor=expert, case=case, body="Ekipa wyjechała", public=True)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        add_note(actor=expert, case=Case.objects.get(), body="tajne", public=False)
    assert client.get(f"{BASE}requests/{request_id}.json").json()[0]["status_notes"] == "Ekipa wyjechała"


def test_personal_data_is_not_published(post_request: Callable[..., Any], client: Client) -> None:
    post_request(email="jan@example.pl", first_name="Jan", phone="600100200")
    body = client.get(f"{BASE}requests.json").content.decode()
    assert "jan@example.pl" not in body
    assert "600100200" not in body
    assert "Jan" not in body


def test_list_defaults_to_the_last_90_days(post_request: Callable[..., Any], client: Client) -> None:
    with time_machine.travel(NOW - dt.timedelta(days=91), tick=False):
        post_request(description="stara")
    post_request(description="nowa")
    assert [r["description"] for r in client.get(f"{BASE}requests.json").json()] == ["nowa"]


def test_list_filters_by_ids_service_status_and_dates(post_request: Callable[..., Any], client: Client) -> None:
    first = post_request(description="pierwsza").json()[0]["service_request_id"]
    second = post_request(description="druga").json()[0]["service_request_id"]
    by_ids = client.get(f"{BASE}requests.json", {"service_request_id": f"{first},{second}"}).json()
    assert {r["service_request_id"] for r in by_ids} == {first, second}
    assert client.get(f"{BASE}requests.json", {"service_code": "question"}).json() == []
    assert len(client.get(f"{BASE}requests.json", {"status": "open"}).json()) == 2
    assert client.get(f"{BASE}requests.json", {"status": "closed"}).json() == []
    window = {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-03-03T00:00:00Z"}
    assert len(client.get(f"{BASE}requests.json", window).json()) == 2
    earlier = {"start_date": "2026-02-01T00:00:00+01:00", "end_date": "2026-02-02T00:00:00+01:00"}
    assert client.get(f"{BASE}requests.json", earlier).json() == []


def test_list_is_limited_to_the_jurisdiction(post_request: Callable[..., Any], client: Client) -> None:
    post_request()
    Organisation.objects.filter(code="wup").update(open311_public=True)
    assert client.get(f"{BASE}requests.json", {"jurisdiction_id": "wup"}).json() == []


# --- bad input -------------------------------------------------------------------------------
def _errors(response: Any, fmt: str = "json") -> list[str]:
    root, data = formats.parse(response.content, fmt)
    assert root in ("errors", "list")
    return [e["description"] for e in data]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"service_code": None}, "service_code is required."),
        ({"service_code": "unknown"}, "service_code 'unknown' does not exist in this jurisdiction."),
        ({"service_code": "internal"}, "service_code 'internal' does not exist in this jurisdiction."),
        ({"lat": "north", "long": "19.4"}, "lat must be a decimal number of degrees, not 'north'."),
        ({"lat": "91", "long": "19.4"}, "lat must be between -90 and 90."),
        ({"lat": "51", "long": "-181"}, "long must be between -180 and 180."),
        ({"lat": "nan", "long": "19"}, "lat must be between -90 and 90."),
        ({"lat": "51.7", "long": None}, "Give both lat and long."),
        ({"lat": None, "long": None}, "A location is required: lat and long, address_string or address_id."),
        ({"description": "x" * 4001}, "description may have at most 4000 characters."),
        ({"description": "<script>alert(1)</script>"}, "description must be plain text; HTML is not accepted."),
        ({"email": "not-an-email"}, "email is not a valid e-mail address."),
        ({"phone": "call me"}, "phone may contain only digits, spaces, +, (, ) and - (3 to 40 characters)."),
        ({"media_url": "javascript:alert(1)"}, "media_url must be an http(s) URL."),
        ({"first_name": "J" * 101}, "first_name may have at most 100 characters."),
        ({"attribute[size]": "big"}, "size: Enter a number."),
        ({"attribute[size]": None}, "size: This answer is required."),
        ({"attribute[depth]": "z"}, "depth: Choose one of the listed values."),
        ({"attribute[lanes][]": ["a", "q"]}, "lanes: Choose only listed values."),
        ({"attribute[nope]": "1"}, "nope: This question is not asked for this service."),
        ({"attribute[seen_at]": "yesterday"}, "seen_at: Enter a date and time (YYYY-MM-DD HH:MM)."),
        ({"attribute": "x"}, "'attribute' is not a valid attribute; use attribute[code]=value."),
        ({"description": ""}, "description: Describe the matter."),
    ],
)
def test_bad_post_answers_400_with_a_useful_message(
    post_request: Callable[..., Any], fields: dict[str, Any], message: str
) -> None:
    for fmt in ("json", "xml"):
        response = post_request(fmt, **fields)
        assert response.status_code == 400
        assert message in _errors(response, fmt)
    assert Case.objects.count() == 0


def test_missing_api_key_answers_403(post_request: Callable[..., Any]) -> None:
    response = post_request("xml", api_key=None)
    assert response.status_code == 403
    assert _errors(response, "xml") == ["api_key is required to submit a service request."]


def test_wrong_api_key_answers_403(post_request: Callable[..., Any]) -> None:
    response = post_request(api_key="okn_dead_beef")
    assert response.status_code == 403
    assert _errors(response) == ["Invalid api_key: The API token is not valid."]


def test_revoked_api_key_answers_403(post_request: Callable[..., Any], open311_key: IssuedToken) -> None:
    revoke_api_token(actor=None, token=open311_key.token)
    assert _errors(post_request()) == ["Invalid api_key: The API token has been revoked."]


def test_expired_api_key_answers_403(post_request: Callable[..., Any], open311_key: IssuedToken) -> None:
    open311_key.token.expires_at = NOW - dt.timedelta(seconds=1)
    open311_key.token.save()
    assert _errors(post_request()) == ["Invalid api_key: The API token has expired."]


def test_key_without_open311_scope_answers_403(post_request: Callable[..., Any], city: Organisation) -> None:
    other = issue_api_token(actor=None, organisation=city, name="reader", scopes=["cases:read"])
    assert _errors(post_request(api_key=other.secret)) == ["This api_key may not submit Open311 service requests."]


def test_key_of_another_jurisdiction_answers_403(post_request: Callable[..., Any]) -> None:
    wup_key = issue_api_token(
        actor=None, organisation=Organisation.objects.get(code="wup"), name="wup", scopes=["open311:write"]
    )
    response = post_request(api_key=wup_key.secret)
    assert response.status_code == 403
    assert _errors(response) == ["This api_key belongs to another jurisdiction."]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "last week"}, "start_date must be a W3C date and time, e.g. 2026-03-02T00:00:00Z."),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date must be a W3C date and time, e.g. 2026-03-02T00:00:00Z."),
        (
            {"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"},
            "start_date and end_date may be at most 90 days apart.",
        ),
        ({"start_date": "2026-03-02T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"}, "end_date is before start_date."),
        ({"status": "pending"}, "status may be open, closed or both (comma separated)."),
    ],
)
def test_bad_list_query_answers_400(
    client: Client, catalogue: dict[str, Service], params: dict[str, str], message: str
) -> None:
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}requests.{fmt}", params)
        assert response.status_code == 400
        assert _errors(response, fmt) == [message]


def test_unknown_request_and_token_answer_404(client: Client, catalogue: dict[str, Service]) -> None:
    assert client.get(f"{BASE}requests/CITY-2026-999999.xml").status_code == 404
    assert client.get(f"{BASE}tokens/not-a-uuid.json").status_code == 404
    assert client.get(f"{BASE}tokens/00000000-0000-0000-0000-000000000000.json").status_code == 404


def test_another_jurisdictions_request_is_not_found(post_request: Callable[..., Any], client: Client) -> None:
    request_id = post_request().json()[0]["service_request_id"]
    assert client.get(f"{BASE}requests/{request_id}.json", {"jurisdiction_id": "wup"}).status_code == 404
