"""What comes in through the SMS gateway: messages from phones and delivery reports.

A message is matched to the office by the number it was sent to (the office's ``SmsSender``),
and to a client by the sender's number (one client of that office's data controller). Then:

- ``STOP`` or ``NIE`` (alone): the client's SMS consent is withdrawn; ``sms.opted_out`` lets the
  notification service confirm it with one last SMS;
- a case number alone, sent from the case's reporter's or client's number: ``sms.status_requested``
  (the status goes back by SMS); sent from any other number nothing is revealed;
- a case number with more text, from the case's own number: the text goes onto the case
  (``cases.actions.add_client_message``, which resumes a case waiting for the client);
- anything else: a contact on the client's history (or an anonymous one).

Every message is also an ``sms.received`` event; each delivery report is an ``sms.report`` event
(the notification service records it on the message). A flood from one number is cut off.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.db import transaction

from okienko.accounts.models import Organisation
from okienko.cases import actions as case_actions
from okienko.cases.models import Case
from okienko.cases.numbers import parse_case_number
from okienko.channels.models import SmsSender
from okienko.channels.sms.gateways import Incoming, Received, Report
from okienko.clients.actions import record_consent
from okienko.clients.models import Client, ClientConsent, ClientContact
from okienko.clients.search import normalize_phone
from okienko.core import audit, clock, events
from okienko.core.choices import Channel
from okienko.interactions.actions import record_interaction
from okienko.interactions.models import Interaction

log = logging.getLogger(__name__)

STOP_WORDS = {"stop", "nie", "koniec", "wypisz"}
FLOOD_PER_HOUR = 30


@dataclass(frozen=True)
class Outcome:
    what: str  # opted_out, status, case, contact, flood, unknown_office
    case: Case | None = None
    client: Client | None = None
    interaction: Interaction | None = None


def office_for(message: Incoming) -> Organisation | None:
    """The office whose number the message was sent to (or the only one with an SMS identity)."""
    senders = SmsSender.objects.filter(active=True).select_related("organisation")
    if message.to:
        found = senders.filter(number=message.to).first()
        if found is not None:
            return found.organisation
    only = list(senders[:2])
    return only[0].organisation if len(only) == 1 else None


def client_for(office: Organisation, number: str) -> Client | None:
    digits = normalize_phone(number)
    if not digits:
        return None
    client_ids = set(
        ClientContact.objects.filter(kind=ClientContact.Kind.PHONE, normalized=digits).values_list(
            "client_id", flat=True
        )[:10]
    )
    matches = list(
        Client.objects.filter(
            pk__in=client_ids, home_office__path__startswith=office.controller_path, merged_into__isnull=True
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None


def _case_of(office: Organisation, text: str) -> tuple[Case | None, bool]:
    """The case named in ``text`` (within the office's data controller) and whether the text is
    nothing but its number."""
    words = text.split()
    for word in words[:20]:
        number = parse_case_number(word.strip(".,;:!?()[]"))
        if number is None:
            continue
        case = (
            Case.objects.filter(number.q(), organisation__path__startswith=office.controller_path)
            .select_related("client", "organisation")
            .first()
        )
        if case is not None:
            return case, len(words) == 1
    return None, False


def _same_person(case: Case, number: str, client: Client | None) -> bool:
    digits = normalize_phone(number)
    if case.client_id is not None and client is not None and case.client_id == client.pk:
        return True
    return bool(digits) and normalize_phone(case.reporter_phone) == digits


def _flooding(number: str, now: dt.datetime) -> bool:
    return (
        Interaction.objects.filter(
            channel=Channel.SMS, contact_detail=number, started_at__gte=now - dt.timedelta(hours=1)
        ).count()
        + Interaction.objects.filter(
            channel=Channel.SMS,
            client__contacts__normalized=normalize_phone(number),
            started_at__gte=now - dt.timedelta(hours=1),
        ).count()
        >= FLOOD_PER_HOUR
    )


def handle(message: Incoming) -> Outcome:
    """Process one incoming SMS (one transaction; see the module docstring)."""
    office = office_for(message)
    if office is None:
        log.warning("SMS from %s to %r: no office receives at this number", message.sender, message.to)
        return Outcome("unknown_office")
    now = clock.now()
    if _flooding(message.sender, now):
        audit.record("sms.flood_dropped", actor=None, organisation_id=office.pk, data={"from": message.sender})
        return Outcome("flood")
    text = message.text.strip()
    with transaction.atomic():
        client = client_for(office, message.sender)
        outcome = _route(office, message, text, client)
        events.emit(
            "sms.received",
            organisation_id=office.pk,
            payload={
                "sender": message.sender,
                "what": outcome.what,
                "client_id": client.pk if client else None,
                "case_id": outcome.case.pk if outcome.case else None,
                "interaction_id": outcome.interaction.pk if outcome.interaction else None,
            },
        )
    return outcome


def _route(office: Organisation, message: Incoming, text: str, client: Client | None) -> Outcome:
    plain = re.sub(r"[^\w]", "", text).lower()
    if plain in STOP_WORDS:
        if client is not None:
            record_consent(
                actor=None,
                client=client,
                topic=ClientConsent.Topic.SMS,
                granted=False,
                source=ClientConsent.Source.OTHER,
            )
        interaction = _contact(office, message, client, text)
        events.emit(
            "sms.opted_out",
            organisation_id=office.pk,
            payload={"sender": message.sender, "client_id": client.pk if client else None},
        )
        return Outcome("opted_out", client=client, interaction=interaction)
    case, only_number = _case_of(office, text)
    if case is not None and _same_person(case, message.sender, client):
        if only_number:
            interaction = _contact(office, message, client, text, case=case)
            events.emit(
                "sms.status_requested",
                organisation_id=office.pk,
                payload={"sender": message.sender, "case_id": case.pk, "client_id": client.pk if client else None},
            )
            return Outcome("status", case=case, client=client, interaction=interaction)
        interaction = _contact(office, message, client, text, case=case)
        case_actions.add_client_message(
            case=case, body=text, channel=Channel.SMS, sender=message.sender, interaction=interaction
        )
        return Outcome("case", case=case, client=client, interaction=interaction)
    return Outcome("contact", client=client, interaction=_contact(office, message, client, text))


def _contact(
    office: Organisation, message: Incoming, client: Client | None, text: str, *, case: Case | None = None
) -> Interaction:
    return record_interaction(
        actor=None,
        channel=Channel.SMS,
        organisation=office,
        client=client,
        direction=Interaction.Direction.IN,
        question=text[:500],
        outcome=Interaction.Outcome.OTHER,
        notes=text if len(text) > 500 else "",
        started_at=message.received_at,
        ended_at=message.received_at,
        contact_detail=message.sender if client is None else "",
        case=case,
    )


def report(item: Report) -> None:
    events.emit(
        "sms.report",
        payload={
            "provider_id": item.provider_id,
            "status": item.status,
            "at": item.at.isoformat(),
            "detail": item.detail,
        },
    )


def process(received: Received) -> dict[str, int]:
    """Handle everything a gateway handed over; one bad message never stops the rest."""
    counts: dict[str, int] = {"reports": 0, "rejected": len(received.rejected)}
    for item in received.reports:
        with transaction.atomic():
            report(item)
        counts["reports"] += 1
    for message in received.messages:
        try:
            outcome = handle(message)
        except Exception:
            log.exception("SMS from %s could not be processed", message.sender)
            counts["failed"] = counts.get("failed", 0) + 1
            continue
        counts[outcome.what] = counts.get(outcome.what, 0) + 1
    for what, why in received.rejected:
        log.warning("SMS file %s rejected: %s", what, why)
        audit.record("sms.rejected", actor=None, data={"file": what, "reason": why[:300]})
    return counts
