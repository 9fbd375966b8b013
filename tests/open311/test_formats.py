"""The GeoReport wire format: our renderer, and the same parser on real cities' responses."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from okienko.integrations.open311 import formats

FIXTURES = Path(settings.DATA_DIR) / "open311-fixtures"


def test_xml_round_trips_nested_lists() -> None:
    data = {"service_code": "x", "attributes": [{"code": "a", "values": [{"key": "1", "name": "Jeden"}]}]}
    root, parsed = formats.parse(formats.render(data, "xml", "service_definition"), "xml")
    assert root == "service_definition"
    assert parsed == {"service_code": "x", "attributes": [{"code": "a", "values": [{"key": "1", "name": "Jeden"}]}]}


def test_xml_is_utf8_with_declaration() -> None:
    body = formats.render([{"service_name": "Zażółć gęślą jaźń"}], "xml", "services")
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?><services><service>')
    assert "Zażółć gęślą jaźń".encode() in body


def test_json_keeps_polish_letters_unescaped() -> None:
    assert formats.render([{"n": "łódź"}], "json", "services") == '[{"n":"łódź"}]'.encode()


def test_parser_refuses_entities() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><services>&a;</services>'
    with pytest.raises(formats.ParseError):
        formats.parse(evil, "xml")


def test_real_toronto_requests_xml_parses() -> None:
    root, requests = formats.parse((FIXTURES / "toronto_requests.xml").read_bytes(), "xml")
    assert root == "service_requests"
    assert len(requests) == 2
    assert {"service_request_id", "status", "requested_datetime", "expected_datetime", "address_id"} <= set(requests[0])
    assert requests[0]["status"] in ("open", "closed")


def test_real_giessen_services_xml_parses() -> None:
    root, services = formats.parse((FIXTURES / "giessen_de_services.xml").read_bytes(), "xml")
    assert root == "services"
    assert len(services) > 3
    assert all({"service_code", "service_name"} <= set(s) for s in services)


def test_real_chicago_requests_json_parses() -> None:
    _root, requests = formats.parse((FIXTURES / "chicago_requests.json").read_bytes(), "json")
    assert [r["service_request_id"] for r in requests] == ["14-01100669", requests[1]["service_request_id"]]
    assert requests[0]["agency_responsible"] == "Division of Electrical Operations CDOT"


def test_our_request_has_every_field_real_cities_send() -> None:
    _root, chicago = formats.parse((FIXTURES / "chicago_requests.json").read_bytes(), "json")
    _root, toronto = formats.parse((FIXTURES / "toronto_requests.xml").read_bytes(), "xml")
    ours = {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url",
    }  # fmt: skip
    assert (set(chicago[0]) | set(toronto[0])) - ours <= {"token"}
