"""May this member of staff see or handle this received e-mail? (one question per function)"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.channels.models import InboundMessage
from okienko.core import audit
from okienko.core.actors import Actor


def can_handle(user: Actor, message: InboundMessage) -> bool:
    """Triage (claim, link, open a case, spam, done): staff who record contacts in the mailbox's
    organisation and may see clients' data there."""
    return access.has_perm_in(user, Perm.INTERACTIONS_RECORD, message.organisation) and access.has_perm_in(
        user, Perm.CLIENTS_VIEW, message.organisation
    )


def can_download_raw(user: Actor, message: InboundMessage) -> bool:
    """The raw message (all headers, every part) is for the same staff as triage."""
    return can_handle(user, message)


def access_message(user: Actor, message_id: Any, *, purpose: str = "") -> InboundMessage:
    """The message if ``user`` may handle it (access logged); else 404 as if it did not exist,
    the refused attempt logged."""
    try:
        message = InboundMessage.objects.select_related("organisation", "mailbox", "client", "case").get(
            pk=int(message_id)
        )
    except (InboundMessage.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("message") from exc
    if not can_handle(user, message):
        audit.record_denied(user, message, organisation_id=message.organisation_id, purpose=purpose)
        raise Http404("message")
    audit.record_access(user, message, organisation_id=message.organisation_id, purpose=purpose)
    return message
