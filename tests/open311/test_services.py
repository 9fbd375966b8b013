from __future__ import annotations

from typing import Any

from django.test import Client

from okienko.accounts.models import Organisation
from okienko.catalogue.models import Service
from okienko.integrations.open311 import formats

BASE = "/open311/v2/"


def test_services_json_lists_public_services_of_the_jurisdiction(client: Client, catalogue: dict[str, Service]) -> None:
    response = client.get(BASE + "services.json", {"jurisdiction_id": "city"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == [
        {
            "service_code": "pothole",
            "service_name": "Dziura w jezdni",
            "description": "Uszkodzona nawierzchnia",
            "metadata": True,
            "type": "realtime",
            "keywords": "dziura,jezdnia",
            "group": "Drogi",
        },
        {
            "service_code": "question",
            "service_name": "Pytanie o drogi",
            "description": "",
            "metadata": False,
            "type": "batch",
            "keywords": "",
            "group": "Drogi",
        },
    ]


def test_services_xml_has_the_same_content(client: Client, catalogue: dict[str, Service]) -> None:
    response = client.get(BASE + "services.xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root, data = formats.parse(response.content, "xml")
    assert root == "services"
    assert [(s["service_code"], s["metadata"], s["type"]) for s in data] == [
        ("pothole", "true", "realtime"),
        ("question", "false", "batch"),
    ]


def test_default_jurisdiction_is_used_when_none_is_given(client: Client, catalogue: dict[str, Service]) -> None:
    assert len(client.get(BASE + "services.json").json()) == 2


def test_unknown_jurisdiction_answers_404_in_xml(client: Client, catalogue: dict[str, Service]) -> None:
    response = client.get(BASE + "services.xml", {"jurisdiction_id": "atlantis"})
    assert response.status_code == 404
    root, errors = formats.parse(response.content, "xml")
    assert root == "errors"
    assert errors == [{"code": "404", "description": "jurisdiction_id 'atlantis' is not served here."}]


def test_other_jurisdiction_has_its_own_services(client: Client, catalogue: dict[str, Service]) -> None:
    Organisation.objects.filter(code="wup").update(open311_public=True)
    assert client.get(BASE + "services.json", {"jurisdiction_id": "wup"}).json() == []


def test_definition_lists_every_datatype_with_values(client: Client, catalogue: dict[str, Service]) -> None:
    response = client.get(BASE + "services/pothole.json")
    assert response.status_code == 200
    body = response.json()
    assert body["service_code"] == "pothole"
    summary = [(a["code"], a["datatype"], a["variable"], a["required"], a["order"]) for a in body["attributes"]]
    assert summary == [
        ("size", "number", True, True, 0),
        ("depth", "singlevaluelist", True, False, 1),
        ("lanes", "multivaluelist", True, False, 2),
        ("seen_at", "datetime", True, False, 3),
        ("landmark", "string", True, False, 4),
        ("details", "text", True, False, 5),
        ("exact_point", "string", True, False, 6),
        ("emergency", "string", False, False, 7),
    ]
    assert body["attributes"][1]["values"] == [{"key": "a", "name": "Pierwsza"}, {"key": "b", "name": "Druga"}]
    assert body["attributes"][6]["datatype_description"].startswith("latitude,longitude")


def test_definition_xml_nests_attributes_and_values(client: Client, catalogue: dict[str, Service]) -> None:
    response = client.get(BASE + "services/pothole.xml")
    root, body = formats.parse(response.content, "xml")
    assert root == "service_definition"
    assert body["attributes"][2]["values"] == [{"key": "a", "name": "Pierwsza"}, {"key": "b", "name": "Druga"}]
    assert body["attributes"][0]["values"] == []


def test_unknown_service_code_answers_404(client: Client, catalogue: dict[str, Service]) -> None:
    response = client.get(BASE + "services/nope.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "service_code 'nope' does not exist in this jurisdiction."}]


def test_private_service_is_not_exposed(client: Client, catalogue: dict[str, Service]) -> None:
    assert client.get(BASE + "services/internal.json").status_code == 404


def test_unsupported_format_answers_404_in_xml(client: Client, catalogue: dict[str, Service]) -> None:
    response = client.get(BASE + "services.csv")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<description>Format .csv is not supported; use .xml or .json.</description>" in response.content


def test_unknown_resource_answers_404_in_json(client: Client, db: Any) -> None:
    response = client.get(BASE + "whatever.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


def test_wrong_method_answers_405(client: Client, catalogue: dict[str, Service]) -> None:
    assert client.post(BASE + "services.json").status_code == 405


def test_discovery_names_the_endpoint_and_formats(client: Client, db: Any) -> None:
    body = client.get(BASE + "discovery.json").json()
    assert body["endpoints"][0]["url"] == "http://testserver/open311/v2/"
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    root, xml = formats.parse(client.get(BASE + "discovery.xml").content, "xml")
    assert root == "discovery"
    assert xml["endpoints"][0]["formats"] == ["text/xml", "application/json"]
