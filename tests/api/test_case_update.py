"""PATCH /api/v1/cases/{uuid}/: correcting a case's description, priority and place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation
from okienko.cases.models import Case, CaseEvent
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core import events
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.integrations.webhooks.actions import subscribe_webhook
from okienko.integrations.webhooks.models import WebhookDelivery

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


@pytest.fixture
def opened(system: APIClient) -> Any:
    body = {
        "organisation": "city",
        "service": "pothole",
        "description": "Dziura",
        "channel": "phone",
        "location": {"address": "Piotrkowska 1"},
    }
    response = system.post(CASES, body, format="json")
    assert response.status_code == 201
    return response


def _patch(api: APIClient, uuid: str, body: dict[str, Any], **headers: Any) -> Any:
    return api.patch(f"{CASES}{uuid}/", body, format="json", **headers)


def test_patch_changes_the_fields_and_answers_the_new_etag(system: APIClient, opened: Any) -> None:
    uuid = opened.json()["uuid"]
    response = _patch(
        system,
        uuid,
        {"description": "Głęboka dziura", "priority": "high", "location": {"latitude": 51.75, "longitude": 19.45}},
        HTTP_IF_MATCH=opened["ETag"],
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["description"], body["priority"], body["address"]) == ("Głęboka dziura", "high", "Piotrkowska 1")
    assert (body["latitude"], body["longitude"]) == ("51.750000", "19.450000")
    assert body["version"] == opened.json()["version"] + 1
    assert response["ETag"] == f'"v{body["version"]}"'


def test_patch_audits_old_and_new_values(system: APIClient, opened: Any) -> None:
    uuid = opened.json()["uuid"]
    _patch(system, uuid, {"description": "Głęboka dziura", "priority": "high"})
    entry = AuditRecord.objects.get(action="case.updated")
    version = opened.json()["version"]
    assert entry.changes == {
        "description": ["Dziura", "Głęboka dziura"],
        "priority": ["normal", "high"],
        "version": [version, version + 1],
    }


def test_patch_adds_a_timeline_event_and_emits_case_updated(system: APIClient, opened: Any, city: Organisation) -> None:
    url = "http://127.0.0.1:9/hooks"
    subscribe_webhook(actor=None, organisation=city, name="EZD", url=url, topics=["case.updated"])
    uuid = opened.json()["uuid"]
    _patch(system, uuid, {"location": {"address": "Piotrkowska 2"}})
    event = CaseEvent.objects.get(case__uuid=uuid, kind="updated")
    assert (event.data, event.is_public) == ({"fields": ["address"]}, False)
    outbox = OutboxEvent.objects.get(topic="case.updated")
    assert (outbox.payload["change"], outbox.payload["fields"]) == ("details", ["address"])
    events.deliver_due()
    assert list(WebhookDelivery.objects.values_list("topic", flat=True)) == ["case.updated"]


def test_patch_that_changes_nothing_keeps_the_version(system: APIClient, opened: Any) -> None:
    uuid = opened.json()["uuid"]
    response = _patch(system, uuid, {"description": "Dziura"})
    assert response.status_code == 200
    assert response.json()["version"] == opened.json()["version"]
    assert not AuditRecord.objects.filter(action="case.updated").exists()


def test_stale_if_match_answers_412_and_changes_nothing(system: APIClient, opened: Any) -> None:
    uuid, etag = opened.json()["uuid"], opened["ETag"]
    assert _patch(system, uuid, {"priority": "low"}, HTTP_IF_MATCH=etag).status_code == 200
    stale = _patch(system, uuid, {"description": "Inny opis"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["version"] == opened.json()["version"] + 1
    assert Case.objects.get().description == "Dziura"


def test_stale_version_in_the_body_answers_412(system: APIClient, opened: Any) -> None:
    uuid = opened.json()["uuid"]
    _patch(system, uuid, {"priority": "low"})
    assert _patch(system, uuid, {"priority": "high", "version": opened.json()["version"]}).status_code == 412


def test_invalid_values_answer_400_problem_with_field_errors(system: APIClient, opened: Any) -> None:
    uuid = opened.json()["uuid"]
    response = _patch(system, uuid, {"description": "  ", "priority": "urgent!", "status": "closed"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"].endswith("/validation-error")
    assert set(problem["errors"]) == {"description", "priority", "status"}


def test_fields_that_have_their_own_endpoints_are_refused(system: APIClient, opened: Any) -> None:
    uuid = opened.json()["uuid"]
    response = _patch(system, uuid, {"status": "closed", "assigned_unit": "city"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "assigned_unit"}


def test_half_a_point_is_refused(system: APIClient, opened: Any) -> None:
    uuid = opened.json()["uuid"]
    response = _patch(system, uuid, {"location": {"latitude": 51.7}})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"location"}


def test_expert_may_correct_the_description_but_not_the_priority(
    city: Organisation, token_client: Callable[..., APIClient], opened: Any
) -> None:
    expert = token_client(city, ["cases:read", "cases:write"], role="expert")
    uuid = opened.json()["uuid"]
    assert _patch(expert, uuid, {"description": "Poprawiony opis"}).status_code == 200
    refused = _patch(expert, uuid, {"priority": "high"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only a supervisor may change the priority."
    assert Case.objects.get().priority == "normal"


def test_consultant_may_not_correct_a_case(
    city: Organisation, token_client: Callable[..., APIClient], opened: Any
) -> None:
    consultant = token_client(city, ["cases:read", "cases:write"], role="consultant")
    response = _patch(consultant, opened.json()["uuid"], {"description": "Nowy opis"})
    assert response.status_code == 403


def test_read_only_token_may_not_patch(city: Organisation, token_client: Callable[..., APIClient], opened: Any) -> None:
    reader = token_client(city, ["cases:read"], role="supervisor")
    assert _patch(reader, opened.json()["uuid"], {"description": "Nowy opis"}).status_code == 403


def test_finished_case_answers_409(system: APIClient, opened: Any) -> None:
    uuid = opened.json()["uuid"]
    system.post(f"{CASES}{uuid}/transition/", {"to_status": "cancelled", "note": "x"}, format="json")
    assert Case.objects.get().is_finished
    response = _patch(system, uuid, {"description": "Nowy opis"})
    assert response.status_code == 409
    assert response.json()["type"].endswith("/case-finished")


def test_put_is_not_offered(system: APIClient, opened: Any) -> None:
    response = system.put(f"{CASES}{opened.json()['uuid']}/", {"description": "x"}, format="json")
    assert response.status_code == 405


def test_assigning_a_finished_case_answers_409_not_500(system: APIClient, opened: Any) -> None:
    """The domain error reaches the client through the one problem mapping (before: a 500)."""
    uuid = opened.json()["uuid"]
    system.post(f"{CASES}{uuid}/transition/", {"to_status": "cancelled", "note": "x"}, format="json")
    response = system.post(f"{CASES}{uuid}/assign/", {"unit": "city"}, format="json")
    assert response.status_code == 409
    assert response.json()["type"].endswith("/case-finished")
