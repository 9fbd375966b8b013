"""Interoperability with a real Open311 client from PyPI (``georeport``) against a live server.

``georeport`` reads (services, definitions, requests) but has no POST call, so the request is
posted with ``requests`` exactly as the specification describes (form-encoded). The older
``open311`` package on PyPI is Python 2 only (implicit relative imports) and cannot be imported.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from georeport import GeoReport

from okienko.api.actions import IssuedToken
from okienko.catalogue.models import Service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_lists_defines_posts_and_reads_back(
    live_server: Any, catalogue: dict[str, Service], open311_key: IssuedToken, fmt: str
) -> None:
    root = f"{live_server.url}/open311/v2"
    client = GeoReport(root, jurisdiction="city", api_key=open311_key.secret, output_format=fmt)

    services = client.get_service_list()
    assert [s["service_code"] for s in services] == ["pothole", "question"]

    definition = client.get_service_definition("pothole")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert [a["code"] for a in attributes][:3] == ["size", "depth", "lanes"]

    posted = requests.post(
        f"{root}/requests.{fmt}",
        data={
            "jurisdiction_id": "city",
            "api_key": client.api_key,
            "service_code": "pothole",
            "lat": "51.7592",
            "long": "19.4560",
            "description": "Zapadnięta studzienka",
            "attribute[size]": "30",
            "attribute[lanes][]": ["a", "b"],
        },
        timeout=10,
    )
    assert posted.status_code == 201
    request_id = (
        posted.json()[0]["service_request_id"]
        if fmt == "json"
        else posted.text.split("<service_request_id>")[1].split("<")[0]
    )

    one = client.get_service_request(request_id)
    assert one["service_request_id"] == request_id
    assert one["status"] == "open"
    assert one["description"] == "Zapadnięta studzienka"

    listed = client.get_service_requests(service_code="pothole", status="open")
    listed = [listed] if isinstance(listed, dict) else listed  # xmltodict gives a dict for one item
    assert [r["service_request_id"] for r in listed] == [request_id]
