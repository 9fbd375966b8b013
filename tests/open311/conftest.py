from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from okienko.accounts.models import Organisation
from okienko.api.actions import IssuedToken, issue_api_token
from okienko.catalogue.models import Service, ServiceCategory, ServiceQuestion, ServiceQuestionChoice

BASE = "/open311/v2/"


@pytest.fixture(autouse=True)
def _default_jurisdiction(settings: Any) -> None:
    settings.OPEN311_DEFAULT_JURISDICTION = "city"


@pytest.fixture
def city(region: Organisation) -> Organisation:
    """The city, a public Open311 jurisdiction (the labour offices of ``region`` are not)."""
    Organisation.objects.filter(code="city").update(open311_public=True)
    return Organisation.objects.get(code="city")


@pytest.fixture
def catalogue(city: Organisation) -> dict[str, Service]:
    """A pothole request with one question of every type, a batch inquiry (both published with
    redacted descriptions), and a service that is not public."""
    unit = Organisation.objects.get(code="city-unit")
    roads = ServiceCategory.objects.create(organisation=city, code="roads", name="Drogi")
    pothole = Service.objects.create(
        organisation=city,
        code="pothole",
        category=roads,
        kind=Service.Kind.REQUEST,
        public_name="Dziura w jezdni",
        public_description="Uszkodzona nawierzchnia",
        keywords="dziura,jezdnia",
        responsible_unit=unit,
        resolve_due=5,
        publication=Service.Publication.REDACTED,
    )
    questions = [
        ("size", "number", True),
        ("depth", "singlevaluelist", False),
        ("lanes", "multivaluelist", False),
        ("seen_at", "datetime", False),
        ("landmark", "string", False),
        ("details", "text", False),
        ("exact_point", "location", False),
        ("emergency", "notice", False),
    ]
    for order, (code, datatype, required) in enumerate(questions):
        q = ServiceQuestion.objects.create(
            service=pothole, code=code, label=f"Pytanie {code}", datatype=datatype, required=required, order=order
        )
        if q.is_list:
            ServiceQuestionChoice.objects.create(question=q, key="a", name="Pierwsza", order=0)
            ServiceQuestionChoice.objects.create(question=q, key="b", name="Druga", order=1)
    inquiry = Service.objects.create(
        organisation=city,
        code="question",
        category=roads,
        kind=Service.Kind.INQUIRY,
        public_name="Pytanie o drogi",
        responsible_unit=unit,
        publication=Service.Publication.REDACTED,
    )
    internal = Service.objects.create(
        organisation=city, code="internal", category=roads, public_name="Wewnętrzna", is_public=False
    )
    return {"pothole": pothole, "inquiry": inquiry, "internal": internal}


@pytest.fixture
def open311_key(city: Organisation) -> IssuedToken:
    return issue_api_token(actor=None, organisation=city, name="Open311 app", scopes=["open311:write"])


@pytest.fixture
def post_request(client: Client, open311_key: IssuedToken, catalogue: dict[str, Service]) -> Callable[..., Any]:
    def post(fmt: str = "json", *, language: str | None = "en", **fields: Any) -> Any:
        """``language``: the ``Accept-Language`` sent (``None``: no header at all)."""
        data = {
            "api_key": open311_key.secret,
            "service_code": "pothole",
            "description": "Głęboka dziura przy przystanku",
            "lat": "51.759",
            "long": "19.456",
            "attribute[size]": "40",
            **fields,
        }
        data = {k: v for k, v in data.items() if v is not None}
        headers = {"HTTP_ACCEPT_LANGUAGE": language} if language is not None else {}
        return client.post(f"{BASE}requests.{fmt}", data, **headers)

    return post
