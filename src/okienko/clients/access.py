"""May this member of staff see this client? Every fetch of a client's data goes through here."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.clients.models import Client
from okienko.core import audit
from okienko.core.actors import Actor


def can_edit(user: Actor, client: Client) -> bool:
    return access.has_perm_in(user, Perm.CLIENTS_EDIT, client.home_office)


def access_client(user: Actor, client_id: uuid.UUID | str | int, *, purpose: str = "") -> Client:
    """Return the client if ``user`` may see their data, logging the access.

    A client outside the user's scope is reported as missing (404), so numbers of other offices'
    clients cannot be probed; the refused attempt is logged.
    """
    lookup: dict[str, Any] = {"pk": client_id} if isinstance(client_id, int) else {"uuid": client_id}
    try:
        client = Client.objects.select_related("home_office", "gmina", "merged_into").get(**lookup)
    except (Client.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("client") from exc
    if not access.has_perm_in(user, Perm.CLIENTS_VIEW, client.home_office):
        audit.record_denied(user, client, organisation_id=client.home_office_id, purpose=purpose)
        raise Http404("client")
    audit.record_access(user, client, organisation_id=client.home_office_id, purpose=purpose)
    return client
