"""Callbacks attach only to contacts the user may see (issue 10, defects 9 and 10)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core.models import AuditRecord
from okienko.interactions import actions
from okienko.interactions.models import Callback
from tests.clients.helpers import offices

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]


@pytest.fixture
def foreign_contact(region: Organisation, make_user: MakeUser) -> object:
    """An anonymous caller's contact recorded by the other county office."""
    other = make_user("konsultant.b", roles=[(offices()[1], Role.CONSULTANT)])
    return actions.record_interaction(
        actor=other, channel="phone", organisation=offices()[1], contact_name="Anna", contact_detail="601234567"
    )


@pytest.fixture
def desk(region: Organisation, make_user: MakeUser, client: HttpClient) -> HttpClient:
    client.force_login(make_user("konsultant.a", roles=[(offices()[0], Role.CONSULTANT)]))
    return client


def test_callback_form_for_another_offices_contact_is_404_and_audited(
    desk: HttpClient, foreign_contact: object
) -> None:
    url = f"/desk/contacts/callbacks/new/?interaction={foreign_contact.uuid}"  # type: ignore[attr-defined]
    assert desk.get(url).status_code == 404
    response = desk.post(
        "/desk/contacts/callbacks/new/",
        {"interaction": str(foreign_contact.uuid), "reason": "x", "due_at": "2030-01-01T10:00", "phone": "601234567"},  # type: ignore[attr-defined]
    )
    assert response.status_code == 404
    assert not Callback.objects.exists()
    denied = AuditRecord.objects.filter(action="interactions.access_denied", kind=AuditRecord.Kind.SECURITY)
    assert denied.count() == 2


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/desk/contacts/callbacks/new/?interaction=abc"),
        ("get", "/desk/contacts/callbacks/new/?interaction=" + "9" * 5000),
        ("post", "/desk/contacts/callbacks/abc/close/"),
    ],
)
def test_malformed_ids_answer_404(desk: HttpClient, method: str, url: str) -> None:
    assert getattr(desk, method)(url).status_code == 404
