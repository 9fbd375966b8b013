from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml
from django.test import Client as WebClient
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation
from okienko.catalogue.models import Service, ServiceCategory, ServiceQuestion
from okienko.clients.models import Client
from okienko.core.models import AuditRecord
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription


@pytest.fixture
def pup(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def office(pup: Organisation, token_client: Callable[..., APIClient]) -> APIClient:
    scopes = ["clients:read", "clients:write", "interactions:read", "interactions:write", "catalogue:read"]
    return token_client(pup, scopes, role="supervisor")


def _register(api: APIClient, **extra: object) -> dict[str, object]:
    body = {"home_office": "pup-a", "first_name": "Anna", "last_name": "Nowak", "phones": ["600100200"], **extra}
    response = api.post("/api/v1/clients/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()  # type: ignore[no-any-return]


def test_client_is_registered_and_read_with_the_access_logged(office: APIClient) -> None:
    created = _register(office)
    assert created["number"] == Client.objects.get().number
    response = office.get(f"/api/v1/clients/{created['uuid']}/")
    assert response.status_code == 200
    assert response.json()["contacts"][0]["value"] == "600100200"
    assert AuditRecord.objects.filter(action="personal_data.viewed", object_type="clients.client").exists()


def test_client_list_hides_identifiers(office: APIClient) -> None:
    _register(office, pesel="")
    item = office.get("/api/v1/clients/").json()["results"][0]
    assert "pesel" not in item
    assert "contacts" not in item


def test_client_of_another_office_is_invisible(
    office: APIClient, region: Organisation, token_client: Callable[..., APIClient]
) -> None:
    created = _register(office)
    other = token_client(Organisation.objects.get(code="pup-b"), ["clients:read"], role="supervisor")
    assert other.get(f"/api/v1/clients/{created['uuid']}/").status_code == 404
    assert other.get("/api/v1/clients/").json()["results"] == []


def test_interaction_is_recorded_and_listed(office: APIClient) -> None:
    created = _register(office)
    response = office.post(
        "/api/v1/interactions/",
        {"organisation": "pup-a", "channel": "phone", "client": created["uuid"], "question": "Zasiłek?"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    listed = office.get("/api/v1/interactions/", {"client": created["uuid"]}).json()["results"]
    assert [i["question"] for i in listed] == ["Zasiłek?"]


def test_interaction_with_a_bad_channel_answers_400(office: APIClient) -> None:
    response = office.post("/api/v1/interactions/", {"organisation": "pup-a", "channel": "pigeon"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["channel"]


@pytest.mark.parametrize("started_at", ["0001-01-01T00:00:00Z", "1999-12-31T12:00:00Z"])
def test_interaction_before_2000_answers_400_on_its_field(office: APIClient, started_at: str) -> None:
    body = {"organisation": "pup-a", "channel": "phone", "question": "Zasiłek?", "started_at": started_at}
    response = office.post("/api/v1/interactions/", body, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == ["started_at"]


def test_catalogue_lists_services_with_questions(office: APIClient, region: Organisation) -> None:
    category = ServiceCategory.objects.create(organisation=region, code="benefits", name="Zasiłki")
    service = Service.objects.create(organisation=region, code="allowance", category=category, public_name="Zasiłek")
    ServiceQuestion.objects.create(service=service, code="since", label="Od kiedy?", datatype="datetime")
    body = office.get("/api/v1/catalogue/services/", {"organisation": "wup"}).json()
    assert [(s["code"], [q["code"] for q in s["questions"]]) for s in body["results"]] == [("allowance", ["since"])]
    assert office.get("/api/v1/catalogue/categories/").json()["results"][0]["code"] == "benefits"


def test_catalogue_shows_each_services_case_type_read_only(office: APIClient, region: Organisation) -> None:
    category = ServiceCategory.objects.create(organisation=region, code="admin", name="Sprawy ogólne")
    Service.objects.create(organisation=region, code="allowance", category=category, public_name="Zasiłek")
    complaint = Service.objects.create(
        organisation=region,
        code="complaint",
        category=category,
        public_name="Skarga",
        case_type=Service.CaseType.COMPLAINT,
    )
    body = office.get("/api/v1/catalogue/services/", {"organisation": "wup", "ordering": "code"}).json()
    assert [(s["code"], s["case_type"]) for s in body["results"]] == [
        ("allowance", "ordinary"),
        ("complaint", "complaint"),
    ]
    assert office.get(f"/api/v1/catalogue/services/{complaint.uuid}/").json()["case_type"] == "complaint"
    changed = office.patch(f"/api/v1/catalogue/services/{complaint.uuid}/", {"case_type": "ordinary"}, format="json")
    assert changed.status_code in {403, 405}  # the catalogue has no write scope, nor a write method
    complaint.refresh_from_db()
    assert complaint.case_type == Service.CaseType.COMPLAINT


def test_the_schema_documents_the_case_types(db: None, client: WebClient) -> None:
    served = client.get("/api/v1/schema/", {"lang": "en"})
    assert served.status_code == 200
    components = yaml.safe_load(served.content)["components"]["schemas"]
    case_type = components["Service"]["properties"]["case_type"]
    assert case_type["readOnly"] is True
    assert case_type["allOf"] == [{"$ref": "#/components/schemas/CaseTypeEnum"}]
    assert components["CaseTypeEnum"]["enum"] == list(Service.CaseType.values)
    assert "* `complaint` - complaint" in components["CaseTypeEnum"]["description"]
    assert "statutory deadlines" in case_type["description"]


def test_webhook_subscription_via_api_shows_the_secret_once(
    region: Organisation, token_client: Callable[..., APIClient]
) -> None:
    api = token_client(Organisation.objects.get(code="city"), ["webhooks:manage"], role="supervisor")
    created = api.post(
        "/api/v1/webhooks/subscriptions/",
        {"organisation": "city", "name": "EZD", "url": "https://ezd.example/hooks", "topics": ["case.*"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert len(created.json()["secret"]) == 64
    listed = api.get("/api/v1/webhooks/subscriptions/").json()["results"]
    assert [s["name"] for s in listed] == ["EZD"]
    assert "secret" not in listed[0]
    off = api.patch(f"/api/v1/webhooks/subscriptions/{listed[0]['uuid']}/", {"active": False}, format="json")
    assert off.json()["active"] is False


def test_webhook_subscription_for_another_organisation_is_refused(
    region: Organisation, token_client: Callable[..., APIClient]
) -> None:
    api = token_client(Organisation.objects.get(code="city"), ["webhooks:manage"], role="supervisor")
    response = api.post(
        "/api/v1/webhooks/subscriptions/",
        {"organisation": "wup", "name": "x", "url": "https://x.example/", "topics": ["*"]},
        format="json",
    )
    assert response.status_code == 403


def test_delivery_log_is_listed_and_replayable_via_api(
    region: Organisation, token_client: Callable[..., APIClient]
) -> None:
    city = Organisation.objects.get(code="city")
    api = token_client(city, ["webhooks:manage"], role="supervisor")
    uuid = api.post(
        "/api/v1/webhooks/subscriptions/",
        {"organisation": "city", "name": "EZD", "url": "http://127.0.0.1:9/", "topics": ["case.*"]},
        format="json",
    ).json()["uuid"]
    subscription = WebhookSubscription.objects.get(uuid=uuid)
    original = WebhookDelivery.objects.create(
        subscription=subscription,
        event_id="00000000-0000-0000-0000-000000000001",
        topic="case.created",
        payload={"id": "x"},
        status="dead",
        next_attempt_at="2026-03-02T10:00:00Z",
        created_at="2026-03-02T10:00:00Z",
    )
    listed = api.get("/api/v1/webhooks/deliveries/", {"status": "dead"}).json()["results"]
    assert [d["uuid"] for d in listed] == [str(original.uuid)]
    replay = api.post(f"/api/v1/webhooks/deliveries/{original.uuid}/replay/")
    assert replay.status_code == 201
    assert replay.json()["replay_of"] == str(original.uuid)


@pytest.mark.parametrize(
    "key", ["3f1c2b9e-8d4a-4c1e-9b7a-1a2b3c4d5e6f", "abc", "99999999999999999999999", "-1", "0", "1.5", "٣"]
)
def test_a_category_asked_by_an_id_that_is_not_one_answers_404(office: APIClient, key: str) -> None:
    response = office.get(f"/api/v1/catalogue/categories/{key}/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
