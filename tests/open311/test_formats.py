"""The GeoReport wire format: our renderer, and the same parser on real cities' responses."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from okienko.integrations.open311 import formats

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "open311"  # small real captures, see SOURCE.md


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


def _elementtree_xml(data: list[dict[str, Any]] | dict[str, Any], root: str) -> bytes:
    """The reference: the same document built with ElementTree (the renderer writes text directly)."""

    def append(parent: ET.Element, name: str, value: Any) -> None:
        element = ET.SubElement(parent, name)
        if isinstance(value, list):
            for entry in value:
                append(element, formats.ITEMS.get(name, "item"), entry)
        elif isinstance(value, dict):
            for key, inner in value.items():
                append(element, key, inner)
        else:
            element.text = formats._text(value)

    top = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            append(top, formats.ITEMS.get(root, "item"), entry)
    else:
        for key, value in data.items():
            append(top, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode").encode()


WARSAW_TIME = dt.datetime(2026, 3, 2, 8, 30, 15, 123456, tzinfo=dt.UTC).astimezone(ZoneInfo("Europe/Warsaw"))
SAMPLES: list[tuple[str, Any]] = [
    ("services", []),
    ("service_requests", [{"description": "a < b && c > d \"q\" 'x'", "lat": 51.7592, "long": None, "n": 3}]),
    ("service_requests", [{"requested_datetime": WARSAW_TIME, "status_notes": "", "media_url": "Łódź ąę"}]),
    ("service_definition", {"service_code": "x", "attributes": [], "more": {}, "flag": True, "off": False}),
    ("discovery", {"endpoints": [{"formats": ["text/xml", "application/json"], "url": "https://x/?a=1&b=2"}]}),
]


@pytest.mark.parametrize(("root", "data"), SAMPLES)
def test_xml_renderer_writes_what_elementtree_writes(root: str, data: Any) -> None:
    assert formats.render(data, "xml", root) == _elementtree_xml(data, root)


@pytest.mark.parametrize(("root", "data"), SAMPLES)
def test_json_renderer_matches_the_standard_library(root: str, data: Any) -> None:
    expected = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=formats._text)
    assert json.loads(formats.render(data, "json", root)) == json.loads(expected)


def test_datetimes_are_written_to_the_second_with_their_offset() -> None:
    assert b"2026-03-02T09:30:15+01:00" in formats.render([{"t": WARSAW_TIME}], "json", "x")
    assert b"<t>2026-03-02T09:30:15+01:00</t>" in formats.render([{"t": WARSAW_TIME}], "xml", "x")
    assert formats.render([{"d": Decimal("51.7592")}], "json", "x") == b'[{"d":51.7592}]'
