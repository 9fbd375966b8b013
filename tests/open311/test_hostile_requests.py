"""Malformed and hostile requests to Open311 answer a GeoReport error document (4xx), never 500,
and the XML feed stays well-formed whatever was stored (issue 10, defects 5 and 10)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from django.db import connection
from django.test import Client

from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.conf.wsgi import application
from okienko.integrations.open311 import formats
from okienko.integrations.open311.formats import render

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def client(client: Client) -> Client:
    client.raise_request_exception = False
    return client


def _errors(response: Any, fmt: str = "json") -> list[tuple[int, str]]:
    root, data = formats.parse(response.content, fmt)
    assert root in ("errors", "list")
    return [(int(e["code"]), e["description"]) for e in data]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_post_over_ten_megabytes_is_a_413_error_document(
    client: Client, catalogue: dict[str, Service], fmt: str
) -> None:
    body = b"description=" + b"a" * (10 * 1024 * 1024 + 1)
    response = client.post(f"{BASE}requests.{fmt}", body, content_type=FORM)
    assert response.status_code == 413
    assert _errors(response, fmt) == [(413, "The request is too large.")]


def test_a_form_post_in_iso_8859_2_is_a_400_error_document(client: Client, catalogue: dict[str, Service]) -> None:
    body = "description=Dziura na ulicy Łąkowej"  # the test client encodes it in the declared charset
    response = client.post(f"{BASE}requests.json", body, content_type=f"{FORM}; charset=iso-8859-2")
    assert response.status_code == 400
    assert _errors(response) == [(400, "The request body could not be read; send form data encoded in UTF-8.")]


def test_a_post_with_over_a_thousand_fields_is_a_400_error_document(
    client: Client, catalogue: dict[str, Service]
) -> None:
    body = "&".join(f"attribute[f{i}]=1" for i in range(1001))
    response = client.post(f"{BASE}requests.xml", body, content_type=FORM)
    assert response.status_code == 400
    assert _errors(response, "xml") == [(400, "The request has too many fields.")]


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x0b"])
def test_control_characters_in_a_post_are_refused(post_request: Callable[..., Any], char: str) -> None:
    for fmt in ("json", "xml"):
        response = post_request(fmt, description=f"Dziura{char}w jezdni")
        assert response.status_code == 400
        assert _errors(response, fmt) == [
            (400, "The text contains control characters (such as NUL or ESC), which are not accepted.")
        ]
    assert Case.objects.count() == 0


def test_control_characters_in_any_field_name_or_value_are_refused(post_request: Callable[..., Any]) -> None:
    for fields in ({"first_name": "Jan\x00"}, {"attribute[landmark\x1b]": "x"}, {"device_id": "\x0b"}):
        assert post_request(**fields).status_code == 400
    assert Case.objects.count() == 0


def test_tab_and_newlines_stay_acceptable(post_request: Callable[..., Any]) -> None:
    assert post_request(description="Dziura\tw jezdni\r\nprzy przystanku").status_code == 201


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x0b"])
def test_control_characters_in_query_parameters_are_refused(
    client: Client, catalogue: dict[str, Service], char: str
) -> None:
    response = client.get(f"{BASE}requests.xml", {"jurisdiction_id": f"city{char}"})
    assert response.status_code == 400
    assert _errors(response, "xml")[0][0] == 400


def test_the_xml_feed_stays_well_formed_with_control_characters_stored_earlier(
    post_request: Callable[..., Any], client: Client
) -> None:
    """Rows stored before the input rule (or by a path around it) cannot break the document."""
    post_request(description="przed regułą")
    nul = "NUL\x00 " if connection.vendor == "sqlite" else ""  # PostgreSQL cannot store NUL at all
    Case.objects.update(description=f"{nul}ESC\x1b VT\x0b FF\x0c koniec\ttab")
    response = client.get(f"{BASE}requests.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    description = root.find("request/description")
    assert description is not None
    assert description.text == nul.replace("\x00", "\ufffd") + "ESC\ufffd VT\ufffd FF\ufffd koniec\ttab"
    assert client.get(f"{BASE}requests.json").json()[0]["description"] == f"{nul}ESC\x1b VT\x0b FF\x0c koniec\ttab"


def test_the_xml_writer_never_emits_a_character_xml_forbids() -> None:
    data = [{"code": 400, "description": "".join(chr(c) for c in range(32)) + "\ufffe\uffff"}]
    ET.fromstring(render(data, "xml", "errors"))  # noqa: S314 - our own output


def _wsgi(method: str, path: str, body: bytes = b"", **environ: str) -> tuple[str, bytes]:
    """Through the production entry point (the lean middleware chain), not the test client."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        **environ,
    }
    setup_testing_defaults(env)
    seen: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"] = status

    content = b"".join(application(env, start_response))
    return seen["status"], content


def test_the_lean_chain_refuses_control_characters_too(catalogue: dict[str, Service], settings: Any) -> None:
    status, content = _wsgi(
        "POST",
        f"{BASE}requests.json",
        urlencode({"service_code": "pothole", "description": "a\x00b"}).encode(),
        CONTENT_TYPE=FORM,
    )
    assert status.startswith("400")
    assert b"control characters" in content
    status, _content = _wsgi("GET", f"{BASE}requests.xml", QUERY_STRING="jurisdiction_id=%1b")
    assert status.startswith("400")


@pytest.mark.parametrize(
    "window",
    [
        {"start_date": "0001-01-01T00:00:00+05:00"},
        {"end_date": "9999-12-31T23:59:59-05:00"},
        {"start_date": "0001-01-01T00:00:00+05:00", "end_date": "0001-01-02T00:00:00Z"},
        {"start_date": "9999-12-30T00:00:00-05:00", "end_date": "9999-12-31T23:59:59-05:00"},
    ],
)
def test_dates_at_the_ends_of_the_calendar_list_nothing(
    client: Client, catalogue: dict[str, Service], window: dict[str, str]
) -> None:
    response = client.get(f"{BASE}requests.json", window)
    assert response.status_code == 200, response.content[:300]
    assert response.json() == []
