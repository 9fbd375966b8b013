"""GeoReport errors are worded in the client's language: English unless ``Accept-Language`` prefers
Polish (as the updates feed), with ``Content-Language`` set; status codes do not depend on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from okienko.catalogue.models import Service
from okienko.integrations.open311 import formats, queue, views
from okienko.integrations.open311.models import Open311Intake

from .conftest import BASE

pytestmark = pytest.mark.django_db

FORMATS = ["json", "xml"]


def _errors(response: Any, fmt: str) -> list[str]:
    root, data = formats.parse(response.content, fmt)
    assert root in ("errors", "list")
    return [e["description"] for e in data]


def _headers(language: str | None) -> dict[str, str]:
    return {"HTTP_ACCEPT_LANGUAGE": language} if language is not None else {}


@pytest.fixture
def post(post_request: Callable[..., Any]) -> Callable[..., Any]:
    """``POST requests`` with the ``Accept-Language`` given (``None``: no header at all)."""

    def send(fmt: str = "json", language: str | None = None, **fields: Any) -> Any:
        return post_request(fmt, language=language, **fields)

    return send


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("language", "expected", "content_language"),
    [
        ("pl", "jurisdiction_id 'atlantis' nie jest tu obsługiwany.", "pl"),
        ("pl-PL,pl;q=0.9,en;q=0.5", "jurisdiction_id 'atlantis' nie jest tu obsługiwany.", "pl"),
        (None, "jurisdiction_id 'atlantis' is not served here.", "en"),
        ("de", "jurisdiction_id 'atlantis' is not served here.", "en"),
        ("en;q=0.9,pl;q=0.5", "jurisdiction_id 'atlantis' is not served here.", "en"),
    ],
)
def test_errors_follow_accept_language(
    client: Client, fmt: str, language: str | None, expected: str, content_language: str
) -> None:
    response = client.get(f"{BASE}services.{fmt}", {"jurisdiction_id": "atlantis"}, **_headers(language))
    assert response.status_code == 404
    assert response["Content-Language"] == content_language
    assert "Accept-Language" in response["Vary"]
    assert _errors(response, fmt) == [expected]


@pytest.mark.parametrize("fmt", FORMATS)
def test_wire_format_errors_of_a_post_in_polish_and_english(post: Callable[..., Any], fmt: str) -> None:
    fields = {"service_code": None, "lat": "91", "long": "19", "description": "<b>x</b>", "phone": "call me"}
    polish = post(fmt, "pl", **fields)
    english = post(fmt, None, **fields)
    assert polish.status_code == english.status_code == 400
    assert _errors(polish, fmt) == [
        "service_code jest wymagany.",
        "description musi być zwykłym tekstem; HTML nie jest przyjmowany.",
        "lat musi mieścić się w przedziale od -90 do 90.",
        "Potrzebne jest miejsce: lat i long, address_string lub address_id.",
        "phone może zawierać tylko cyfry, spacje oraz znaki +, (, ) i - (od 3 do 40 znaków).",
    ]
    assert _errors(english, fmt) == [
        "service_code is required.",
        "description must be plain text; HTML is not accepted.",
        "lat must be between -90 and 90.",
        "A location is required: lat and long, address_string or address_id.",
        "phone may contain only digits, spaces, +, (, ) and - (3 to 40 characters).",
    ]
    assert (polish["Content-Language"], english["Content-Language"]) == ("pl", "en")


@pytest.mark.parametrize("fmt", FORMATS)
def test_answers_checked_by_the_cases_app_are_worded_in_the_clients_language(
    post: Callable[..., Any], fmt: str
) -> None:
    # Without Accept-Language the site's own default (Polish) must not leak into English errors.
    assert _errors(post(fmt, None, **{"attribute[size]": None}), fmt) == ["size: This answer is required."]
    assert _errors(post(fmt, "pl", **{"attribute[size]": None}), fmt) == ["size: Ta odpowiedź jest wymagana."]


@pytest.mark.parametrize("fmt", FORMATS)
def test_key_errors_in_polish_and_english(post: Callable[..., Any], fmt: str) -> None:
    assert _errors(post(fmt, None, api_key="okn_bad"), fmt)[0].startswith("Invalid api_key: The API token")
    refused = post(fmt, "pl", api_key="okn_bad")
    assert refused.status_code == 403
    assert _errors(refused, fmt)[0].startswith("Nieprawidłowy api_key: Klucz API")
    missing = post(fmt, "pl", api_key=None)
    assert missing.status_code == 403
    assert _errors(missing, fmt) == ["Do złożenia zgłoszenia potrzebny jest api_key."]


def test_unsupported_format_and_method_in_polish(client: Client) -> None:
    unsupported = client.get(f"{BASE}services.csv", HTTP_ACCEPT_LANGUAGE="pl")
    assert unsupported.status_code == 404
    assert _errors(unsupported, "xml") == ["Format .csv nie jest obsługiwany; użyj .xml lub .json."]
    wrong_method = client.delete(f"{BASE}requests.json", HTTP_ACCEPT_LANGUAGE="pl")
    assert wrong_method.status_code == 405
    assert _errors(wrong_method, "json") == ["Użyj tu metody GET, HEAD lub POST."]
    assert _errors(client.delete(f"{BASE}requests.json"), "json") == ["Use GET or HEAD or POST here."]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unexpected_failure_is_reported_in_the_clients_language(
    client: Client, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    def broken(_params: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(views, "jurisdiction_of", broken)
    response = client.get(f"{BASE}services.{fmt}", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 500
    assert _errors(response, fmt) == ["Błąd wewnętrzny; został zapisany w dzienniku."]
    assert _errors(client.get(f"{BASE}services.{fmt}"), fmt) == ["Internal error; it was logged."]


def test_accepted_requests_do_no_language_work(post: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The intake's success path (a benchmarked hot path) never negotiates a language."""

    def forbidden(_request: Any) -> str:
        raise AssertionError("language_of called on the success path")

    monkeypatch.setattr(views, "language_of", forbidden)
    assert post("json", "pl").status_code == 201


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_rejected_queued_request_is_reported_in_the_clients_language(
    settings: Any, post: Callable[..., Any], client: Client, catalogue: dict[str, Service], fmt: str
) -> None:
    settings.OPEN311_INTAKE = "queued"
    token = post("json", "pl").json()[0]["token"]
    Service.objects.filter(pk=catalogue["pothole"].pk).update(active=False)  # withdrawn meanwhile
    with translation.override("pl"):  # the worker's language (the site's default) is not what is stored
        assert queue.drain(seconds=10)["rejected"] == 1
    assert Open311Intake.objects.get().errors == {"service": "This service is no longer offered."}

    polish = client.get(f"{BASE}tokens/{token}.{fmt}", HTTP_ACCEPT_LANGUAGE="pl")
    english = client.get(f"{BASE}tokens/{token}.{fmt}")
    assert polish.status_code == english.status_code == 400
    assert _errors(polish, fmt) == [
        "Zgłoszenie z tym tokenem zostało odrzucone: service: Ta usługa nie jest już świadczona."
    ]
    assert _errors(english, fmt) == [
        "The request with this token was rejected: service: This service is no longer offered."
    ]


def test_a_request_given_up_is_reported_in_the_clients_language(
    settings: Any, post: Callable[..., Any], client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OPEN311_INTAKE = "queued"
    token = post("json", None).json()[0]["token"]

    def broken(**_kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr("okienko.integrations.open311.actions.submit_service_request", broken)
    for _round in range(queue.MAX_ATTEMPTS):
        queue.drain(seconds=10)
    assert _errors(client.get(f"{BASE}tokens/{token}.json", HTTP_ACCEPT_LANGUAGE="pl"), "json") == [
        "Zgłoszenie z tym tokenem zostało odrzucone: "
        "Nie udało się przetworzyć zgłoszenia; powiadomiono centrum kontaktu."
    ]
    assert _errors(client.get(f"{BASE}tokens/{token}.json"), "json") == [
        "The request with this token was rejected: The request could not be processed; the contact centre was notified."
    ]


@pytest.mark.parametrize("intake", ["immediate", "queued"])
def test_a_rejected_request_is_checked_once_and_worded_from_its_lazy_messages(
    settings: Any, post: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, intake: str
) -> None:
    """The cases app's messages are lazy (ADR 0047): the error path translates them, it does not
    run the key and answer checks a second time to get them in the client's language."""
    from okienko.cases import intake as case_intake

    settings.OPEN311_INTAKE = intake
    checked = case_intake.clean_answers
    calls: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return checked(*args, **kwargs)

    monkeypatch.setattr(case_intake, "clean_answers", counting)
    response = post("json", "en", **{"attribute[size]": None})
    assert _errors(response, "json") == ["size: This answer is required."]
    assert len(calls) == 1
