"""API probes for other offices' clients, cases and contacts leave the same trace as on the desk
(issue 10, defect 8)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.cases import actions as case_actions
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core.models import AuditRecord
from okienko.interactions import actions as interaction_actions
from tests.clients.helpers import offices, person

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]
SCOPES = ["cases:read", "cases:write", "clients:read", "interactions:read"]


@pytest.fixture
def foreign(region: Organisation, make_user: MakeUser) -> dict[str, str]:
    """A client, a case and a contact of county office B."""
    pup_b = offices()[1]
    staff = make_user("konsultant.b", roles=[(pup_b, Role.CONSULTANT)])
    category = ServiceCategory.objects.create(organisation=region, code="c", name="c")
    service = Service.objects.create(organisation=region, code="cert", category=category, public_name="Zaświadczenie")
    client = person(pup_b, "Nowak")
    case = case_actions.open_case(
        actor=staff, organisation=pup_b, service=service, description="x", channel="phone", client=client
    )
    contact = interaction_actions.record_interaction(actor=staff, channel="phone", organisation=pup_b, client=client)
    return {
        "client": f"/api/v1/clients/{client.uuid}/",
        "case": f"/api/v1/cases/{case.uuid}/",
        "notes": f"/api/v1/cases/{case.uuid}/notes/",
        "interaction": f"/api/v1/interactions/{contact.uuid}/",
    }


def denials() -> list[str]:
    return list(
        AuditRecord.objects.filter(kind=AuditRecord.Kind.SECURITY, action__endswith="access_denied")
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize(
    ("target", "action"),
    [
        ("client", "clients.access_denied"),
        ("case", "cases.access_denied"),
        ("notes", "cases.access_denied"),
        ("interaction", "interactions.access_denied"),
    ],
)
def test_token_probe_of_another_office_is_404_and_audited(
    foreign: dict[str, str], token_client: Callable[..., APIClient], target: str, action: str
) -> None:
    api = token_client(offices()[0], SCOPES, Role.SUPERVISOR)
    response = api.get(foreign[target])
    assert response.status_code == 404
    assert denials() == [action]
    entry = AuditRecord.objects.get(action=action)
    assert entry.actor_id is not None
    assert entry.organisation_id == offices()[1].pk


def test_session_probe_of_another_office_is_404_and_audited(
    foreign: dict[str, str], make_user: MakeUser, api: APIClient
) -> None:
    api.force_login(make_user("konsultant.a", roles=[(offices()[0], Role.CONSULTANT)]))
    assert api.get(foreign["client"]).status_code == 404
    assert api.get(foreign["case"]).status_code == 404
    assert denials() == ["clients.access_denied", "cases.access_denied"]


def test_missing_or_malformed_ids_are_404_and_log_nothing(
    token_client: Callable[..., APIClient], region: Organisation
) -> None:
    api = token_client(offices()[0], SCOPES, Role.SUPERVISOR)
    for url in (
        "/api/v1/clients/00000000-0000-0000-0000-000000000000/",
        "/api/v1/cases/not-a-uuid/",
        "/api/v1/interactions/abc/",
    ):
        assert api.get(url).status_code == 404
    assert denials() == []


def test_a_403_in_the_api_is_a_security_event(token_client: Callable[..., APIClient], region: Organisation) -> None:
    api = token_client(offices()[0], ["catalogue:read"], Role.SUPERVISOR)
    assert api.get("/api/v1/cases/").status_code == 403
    assert AuditRecord.objects.filter(action="security.permission_denied", kind=AuditRecord.Kind.SECURITY).count() == 1
