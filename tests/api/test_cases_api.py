from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation
from okienko.cases.models import Case
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core.models import AuditRecord

CASES = "/api/v1/cases/"


@pytest.fixture
def city(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="city")


@pytest.fixture
def service(city: Organisation) -> Service:
    category = ServiceCategory.objects.create(organisation=city, code="roads", name="Drogi")
    return Service.objects.create(
        organisation=city,
        code="pothole",
        category=category,
        public_name="Dziura",
        responsible_unit=Organisation.objects.get(code="city-unit"),
        resolve_due=5,
    )


@pytest.fixture
def system(city: Organisation, token_client: Callable[..., APIClient], service: Service) -> APIClient:
    return token_client(city, ["cases:read", "cases:write"], role="supervisor")


def _new_case(api: APIClient, **extra: Any) -> Any:
    body = {"organisation": "city", "service": "pothole", "description": "Dziura", "channel": "phone"}
    return api.post(CASES, {**body, **extra}, format="json", **extra.pop("headers", {}))


def test_open_case_returns_201_with_etag_and_location(system: APIClient) -> None:
    response = _new_case(system)
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get()
    assert body["number"] == case.number
    assert body["status"] == case.status
    assert response["ETag"] == f'"v{case.version}"'
    assert response["Location"] == f"/api/v1/cases/{case.uuid}/"


def test_retried_post_with_the_same_idempotency_key_creates_one_case(system: APIClient) -> None:
    body = {"organisation": "city", "service": "pothole", "description": "Dziura", "channel": "phone"}
    first = system.post(CASES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = system.post(CASES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_same_idempotency_key_with_another_body_answers_422(system: APIClient) -> None:
    body = {"organisation": "city", "service": "pothole", "description": "Dziura", "channel": "phone"}
    system.post(CASES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = system.post(CASES, {**body, "description": "Inna"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert response.json()["type"].endswith("/idempotency-key-reused")
    assert Case.objects.count() == 1


def test_failed_post_does_not_burn_the_idempotency_key(system: APIClient) -> None:
    body = {"organisation": "city", "service": "pothole", "description": "", "channel": "phone"}
    assert system.post(CASES, body, format="json", HTTP_IDEMPOTENCY_KEY="k-3").status_code == 400
    fixed = system.post(CASES, {**body, "description": "ok"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert fixed.status_code == 201


def test_invalid_case_answers_400_problem_with_field_errors(system: APIClient) -> None:
    response = _new_case(system, channel="pigeon", service="nope")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()["errors"]) == {"channel"}


def test_unknown_service_answers_400(system: APIClient) -> None:
    response = _new_case(system, service="nope")
    assert response.json()["errors"] == {"service": ["Unknown service."]}


def test_token_cannot_open_cases_of_another_jurisdiction(system: APIClient) -> None:
    response = _new_case(system, organisation="wup")
    assert response.status_code == 400
    assert response.json()["errors"] == {"organisation": ["Unknown organisation."]}


def test_read_only_token_cannot_open_cases(city: Organisation, token_client: Callable[..., APIClient]) -> None:
    reader = token_client(city, ["cases:read"], role="supervisor")
    assert _new_case(reader).status_code == 403


def test_read_answers_304_for_the_current_etag_and_logs_access(system: APIClient) -> None:
    uuid = _new_case(system).json()["uuid"]
    first = system.get(f"{CASES}{uuid}/")
    assert first.status_code == 200
    assert system.get(f"{CASES}{uuid}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert AuditRecord.objects.filter(action="personal_data.viewed", object_type="cases.case").count() == 2


def test_transition_with_a_stale_if_match_answers_412_with_the_version(system: APIClient) -> None:
    created = _new_case(system)
    uuid, etag = created.json()["uuid"], created["ETag"]
    moved = system.post(f"{CASES}{uuid}/transition/", {"to_status": "in_progress"}, format="json", HTTP_IF_MATCH=etag)
    assert moved.status_code == 200
    assert moved.json()["status"] == "in_progress"
    stale = system.post(
        f"{CASES}{uuid}/transition/", {"to_status": "resolved", "note": "x"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert stale.json()["version"] == moved.json()["version"]
    assert Case.objects.get().status == "in_progress"


def test_transition_not_in_the_workflow_answers_409(system: APIClient) -> None:
    uuid = _new_case(system).json()["uuid"]
    response = system.post(f"{CASES}{uuid}/transition/", {"to_status": "closed"}, format="json")
    assert response.status_code == 409
    assert response.json()["type"].endswith("/transition-not-allowed")


@pytest.mark.parametrize("start", ["assigned", "in_progress"])
def test_no_transition_goes_back_to_registered(system: APIClient, start: str) -> None:
    """Issue 12, item 7: a case leaves triage only forwards, through the API too."""
    uuid = _new_case(system).json()["uuid"]
    if start != "assigned":
        system.post(f"{CASES}{uuid}/transition/", {"to_status": start}, format="json")
    response = system.post(f"{CASES}{uuid}/transition/", {"to_status": "registered", "note": "back"}, format="json")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/transition-not-allowed")
    case = Case.objects.get()
    assert case.status == start
    assert not case.notes.filter(body="back").exists()


def test_notes_are_added_and_listed(system: APIClient) -> None:
    uuid = _new_case(system).json()["uuid"]
    added = system.post(f"{CASES}{uuid}/notes/", {"body": "Ekipa w drodze", "public": True}, format="json")
    assert added.status_code == 201
    assert added.json()["visibility"] == "public"
    assert [n["body"] for n in system.get(f"{CASES}{uuid}/notes/").json()] == ["Ekipa w drodze"]


def test_assign_to_a_unit(system: APIClient) -> None:
    uuid = _new_case(system).json()["uuid"]
    response = system.post(f"{CASES}{uuid}/assign/", {"unit": "city"}, format="json")
    assert response.status_code == 200
    assert response.json()["assigned_unit"] == "city"


def test_list_filters_by_status_and_is_limited_to_the_token(
    system: APIClient, region: Organisation, token_client: Callable[..., APIClient]
) -> None:
    _new_case(system)
    assert (
        len(system.get(CASES, {"status": "assigned"}).json()["results"])
        == Case.objects.filter(status="assigned").count()
    )
    wup = token_client(region, ["cases:read"], role="supervisor")
    assert wup.get(CASES).json()["results"] == []
    uuid = Case.objects.get().uuid
    assert wup.get(f"{CASES}{uuid}/").status_code == 404
