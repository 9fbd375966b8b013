"""Which jurisdictions, services and descriptions Open311 publishes, and that the portal's status
page shows the same description (issue 10, defects 3 and 4; ADR 0042)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from okienko.accounts.models import Organisation, User
from okienko.api.actions import issue_api_token
from okienko.cases import publication
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core.models import AuditRecord
from okienko.integrations.open311 import formats

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
PERSONAL = "Dziura przed domem Pana Jana Kowalskiego, PESEL 85010112345, tel. 600 100 200, jan@example.pl"
REDACTED = "Dziura przed domem Pana […], PESEL […], tel. […], […]"


@pytest.fixture
def labour_case(region: Organisation) -> Case:
    """A county office's case of the regional office's service, as the probe found it (defect 3)."""
    wup = Organisation.objects.get(code="wup")
    category = ServiceCategory.objects.create(organisation=wup, code="docs", name="Zaświadczenia")
    service = Service.objects.create(
        organisation=wup,
        code="zaswiadczenie",
        category=category,
        public_name="Zaświadczenie o statusie",
        publication=Service.Publication.REDACTED,  # even a published service of a non-public office
    )
    return _open(service, Organisation.objects.get(code="pup-a"), "Proszę o zaświadczenie do emerytury")


def _open(service: Service, organisation: Organisation, description: str) -> Case:
    from okienko.cases.actions import open_case

    return open_case(
        actor=None,
        organisation=organisation,
        service=service,
        description=description,
        channel="web",
        answers={"size": "40"} if service.code == "pothole" else {},
        as_client=True,
    )


def _listed(client: Client, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"{BASE}requests.json", params)
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()
    return items


@pytest.mark.parametrize("code", ["pup-a", "wup", "pup-a-dept", "atlantis"])
def test_an_office_that_is_no_public_jurisdiction_serves_nothing(
    client: Client, catalogue: dict[str, Service], labour_case: Case, code: str
) -> None:
    """``requests.json?jurisdiction_id=pup-bialystok`` listed a county office's cases (defect 3)."""
    request_id = labour_case.number.replace("/", "-")
    for path in (
        "requests.json",
        "requests.xml",
        "services.json",
        f"requests/{request_id}.json",
        f"requests/{request_id}/updates.json",
        f"tokens/{labour_case.external_token}.json",
    ):
        response = client.get(f"{BASE}{path}", {"jurisdiction_id": code})
        assert response.status_code == 404, path
        fmt = "xml" if path.endswith(".xml") else "json"
        assert formats.parse(response.content, fmt)[1] == [
            {"code": 404 if fmt == "json" else "404", "description": f"jurisdiction_id '{code}' is not served here."}
        ]
        assert b"emerytury" not in response.content


def test_posting_to_an_office_that_is_no_public_jurisdiction_is_refused(
    client: Client, catalogue: dict[str, Service], labour_case: Case
) -> None:
    key = issue_api_token(
        actor=None, organisation=Organisation.objects.get(code="pup-a"), name="pup", scopes=["open311:write"]
    )
    response = client.post(
        f"{BASE}requests.json",
        {"api_key": key.secret, "jurisdiction_id": "pup-a", "service_code": "zaswiadczenie", "address_string": "x"},
    )
    assert response.status_code == 404
    assert Case.objects.count() == 1


def test_a_public_jurisdiction_lists_only_published_services_and_their_cases(
    client: Client, catalogue: dict[str, Service], city: Organisation
) -> None:
    private = Service.objects.create(
        organisation=city, code="personal", category=catalogue["pothole"].category, public_name="Meldunek"
    )
    _open(private, city, "Mój meldunek")
    _open(catalogue["pothole"], city, "Dziura")
    assert [s["service_code"] for s in client.get(f"{BASE}services.json").json()] == ["pothole", "question"]
    assert client.get(f"{BASE}services/personal.json").status_code == 404
    assert [r["description"] for r in _listed(client)] == ["Dziura"]
    hidden = Case.objects.get(service=private).number.replace("/", "-")
    assert client.get(f"{BASE}requests/{hidden}.json").status_code == 404
    assert client.get(f"{BASE}requests/{hidden}/updates.json").status_code == 404


def test_posting_a_service_that_is_not_published_is_refused(
    post_request: Callable[..., Any], catalogue: dict[str, Service]
) -> None:
    Service.objects.filter(code="pothole").update(publication=Service.Publication.PRIVATE)
    response = post_request(service_code="pothole")
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_listed_services_publish_the_request_without_its_description(
    client: Client, catalogue: dict[str, Service], city: Organisation
) -> None:
    Service.objects.filter(code="pothole").update(publication=Service.Publication.LISTED)
    case = _open(catalogue["pothole"], city, PERSONAL)
    [item] = _listed(client)
    assert item["service_request_id"] == case.number.replace("/", "-")
    assert item["description"] == ""


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_redacted_services_publish_the_description_without_personal_data(
    client: Client, catalogue: dict[str, Service], city: Organisation, fmt: str
) -> None:
    case = _open(catalogue["pothole"], city, PERSONAL)
    request_id = case.number.replace("/", "-")
    for path in ("requests", f"requests/{request_id}"):
        _root, items = formats.parse(client.get(f"{BASE}{path}.{fmt}").content, fmt)
        assert items[0]["description"] == REDACTED


def test_moderated_descriptions_wait_for_a_moderator(
    client: Client, catalogue: dict[str, Service], city: Organisation, make_user: Callable[..., User]
) -> None:
    Service.objects.filter(code="pothole").update(publication=Service.Publication.MODERATED)
    case = _open(Service.objects.get(code="pothole"), city, PERSONAL)
    assert _listed(client)[0]["description"] == ""
    moderator = make_user("moderator", roles=[(city, "supervisor")])
    publication.moderate_description(actor=moderator, case=case, text="Dziura przed domem, tel. 600100200")
    assert _listed(client)[0]["description"] == "Dziura przed domem, tel. […]"
    publication.moderate_description(actor=moderator, case=case, text=None)
    assert _listed(client)[0]["description"] == ""
    entries = AuditRecord.objects.filter(action="case.description_moderated").order_by("id")
    assert [e.data["published"] for e in entries] == [True, False]


def test_only_staff_working_on_the_case_may_moderate(
    catalogue: dict[str, Service], city: Organisation, make_user: Callable[..., User], region: Organisation
) -> None:
    from django.core.exceptions import PermissionDenied

    Service.objects.filter(code="pothole").update(publication=Service.Publication.MODERATED)
    case = _open(Service.objects.get(code="pothole"), city, "Dziura")
    stranger = make_user("obcy", roles=[(Organisation.objects.get(code="pup-a"), "supervisor")])
    with pytest.raises(PermissionDenied):
        publication.moderate_description(actor=stranger, case=case, text="Dziura")


def test_descriptions_of_services_that_are_not_moderated_cannot_be_moderated(
    catalogue: dict[str, Service], city: Organisation, make_user: Callable[..., User]
) -> None:
    case = _open(catalogue["pothole"], city, "Dziura")
    with pytest.raises(CaseInputError):
        publication.moderate_description(actor=make_user("m", roles=[(city, "supervisor")]), case=case, text="x")


def _status_page_description(client: Client, case: Case) -> str:
    html = client.get(f"/sprawy/{case.uuid}/").content.decode()
    found = re.search(r'<dd class="public-description">(.*?)</dd>', html, re.S)
    return found.group(1).replace("&amp;", "&") if found else ""


@pytest.mark.parametrize("policy", list(Service.Publication))
def test_open311_and_the_status_page_show_the_same_description(
    client: Client, catalogue: dict[str, Service], city: Organisation, make_user: Callable[..., User], policy: str
) -> None:
    """One rule for every public surface (defect 4): Open311 used to publish what the page hid."""
    Service.objects.filter(code="pothole").update(publication=policy)
    case = _open(Service.objects.get(code="pothole"), city, PERSONAL)
    request_id = case.number.replace("/", "-")
    detail = client.get(f"{BASE}requests/{request_id}.json")
    open311 = detail.json()[0]["description"] if detail.status_code == 200 else ""
    assert open311 == _status_page_description(client, case)
    assert open311 == (REDACTED if policy == Service.Publication.REDACTED else "")
    if policy == Service.Publication.MODERATED:
        publication.moderate_description(actor=make_user("m", roles=[(city, "supervisor")]), case=case, text=PERSONAL)
        assert client.get(f"{BASE}requests/{request_id}.json").json()[0]["description"] == REDACTED
        assert _status_page_description(client, case) == REDACTED
