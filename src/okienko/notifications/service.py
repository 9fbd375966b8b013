"""Queueing notifications: who is told, on which channel, in which words — once per event.

:func:`notify` is the one way in. It works out each recipient's channel and language (the
client's preference, else e-mail, else nothing), respects a refused consent and "do not inform
me", renders the wording and stores a :class:`Notification` under a key made of the event, the
recipient and the channel, so a repeated delivery of the same event queues nothing new. What is
not sent is stored too (status *not sent*, with the reason), so the case shows why the client
heard nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from okienko.accounts.models import Organisation
from okienko.clients.models import Client, ClientConsent, ClientContact
from okienko.core import audit, clock
from okienko.notifications import queue, rendering, timeline, transports
from okienko.notifications.models import Channel, Notification, Preference

CONSENT_FOR_CHANNEL = {Channel.EMAIL: ClientConsent.Topic.CONTACT_EMAIL, Channel.SMS: ClientConsent.Topic.SMS}


@dataclass(frozen=True)
class Recipient:
    """Someone to tell: a client (whose preferences and consents apply) and/or an address."""

    email: str = ""
    phone: str = ""
    name: str = ""
    client: Client | None = None
    language: str = ""
    # Staff (article owners): no client preferences; e-mail only.
    staff: bool = False


@dataclass
class Plan:
    channel: str
    address: str
    language: str
    suppressed: str = ""  # why nothing is sent


@dataclass(frozen=True)
class Message:
    """What to tell, for :func:`notify`."""

    event: str
    organisation: Organisation
    context: Mapping[str, str]
    key: str  # the event's identity, e.g. the outbox event id
    case: Any = None
    in_reply_to: str = ""
    attachments: Sequence[Any] = field(default_factory=tuple)
    # The case's thread: replies to this message come back onto the case.
    thread_case_uuid: Any = None


def latest_consent(client: Client, topic: str) -> bool | None:
    consent = client.consents.filter(topic=topic).order_by("-given_at", "-id").first()
    return None if consent is None else consent.granted


def primary_contact(client: Client, kind: str) -> str:
    contact = client.contacts.filter(kind=kind).order_by("-is_primary", "id").first()
    return contact.value if contact is not None else ""


LAST_CHANNEL_WINDOW = dt.timedelta(days=30)


def last_channel(client: Client) -> list[str]:
    """The channel the client last wrote to us on, when it is one we can answer on (within 30
    days): with no preference stated, the answer goes back the way the question came."""
    from okienko.interactions.models import Interaction

    last = (
        Interaction.objects.filter(
            client=client,
            direction=Interaction.Direction.IN,
            channel__in=[Channel.EMAIL, Channel.SMS],
            started_at__gte=clock.now() - LAST_CHANNEL_WINDOW,
        )
        .order_by("-started_at")
        .values_list("channel", flat=True)
        .first()
    )
    return [last] if last else []


def plan_for(recipient: Recipient, *, without: frozenset[str] = frozenset()) -> Plan:
    """The channel, address and language for ``recipient``, or why they get nothing.

    Someone without a client record (a reporter, a member of staff) is told by e-mail only: a
    phone number given with a report is for questions, and an SMS costs the office money. A client
    is told on the channel they chose; without a choice, on the one they last wrote to us on (SMS
    included), else by e-mail; SMS also when they consented to it. ``without`` leaves channels out
    (one that has no wording for the event)."""
    client = recipient.client
    if client is None or recipient.staff:
        language = recipient.language or "pl"
        if recipient.email and Channel.EMAIL not in without:
            return Plan(Channel.EMAIL, recipient.email, language)
        return Plan(Channel.EMAIL, "", language, _("no e-mail address"))
    preference = Preference.objects.filter(client=client).first()
    language = (preference.language if preference else "") or recipient.language or "pl"
    if preference is not None and preference.channel == Preference.Choice.NONE:
        return Plan(Channel.EMAIL, recipient.email, language, _("the client asked not to be informed"))
    wanted = [preference.channel] if preference is not None else last_channel(client)
    sms_welcome = Channel.SMS in wanted or latest_consent(client, CONSENT_FOR_CHANNEL[Channel.SMS]) is True
    order = [*wanted, *[c for c in (Channel.EMAIL, Channel.SMS) if c not in wanted]]
    refused: list[str] = []
    for channel in order:
        if channel not in transports.channels() or channel in without:
            continue
        if channel == Channel.SMS and not sms_welcome:
            continue
        kind = ClientContact.Kind.EMAIL if channel == Channel.EMAIL else ClientContact.Kind.PHONE
        address = primary_contact(client, kind) or (recipient.email if channel == Channel.EMAIL else recipient.phone)
        if not address:
            continue
        if latest_consent(client, CONSENT_FOR_CHANNEL[Channel(channel)]) is False:
            refused.append(channel)
            continue
        return Plan(channel, address, language)
    if refused:
        return Plan(refused[0], "", language, _("the client refused contact on this channel"))
    return Plan(Channel.EMAIL, "", language, _("no e-mail address"))


def sms_number(number: str) -> str:
    """The number in E.164 (``+48601234567``), so that replies and limits match it; as typed when
    it is not a valid number (the transport then fails it with the reason)."""
    from okienko.channels.sms.gateways import InvalidNumber, e164

    try:
        return e164(number)
    except InvalidNumber:
        return number


def _key(message: Message, plan: Plan) -> str:
    raw = f"{message.key}:{message.event}:{plan.channel}:{plan.address.strip().lower()}"
    return raw if len(raw) <= 200 else hashlib.sha256(raw.encode()).hexdigest()


def message_id(message: Message) -> str:
    domain = getattr(settings, "OKIENKO_MAIL_DOMAIN", "") or "okienko.localhost"
    if message.thread_case_uuid is not None:
        from okienko.channels.email.threading import message_id_for_case

        return message_id_for_case(message.thread_case_uuid, domain)
    return make_msgid(domain=domain)


def notify(message: Message, recipients: Iterable[Recipient]) -> list[Notification]:
    """Queue ``message`` for each recipient (once per recipient and channel; repeated calls with
    the same key change nothing). Returns the notifications created now."""
    created: list[Notification] = []
    seen: set[str] = set()
    now = clock.now()
    for recipient in recipients:
        plan = plan_for(recipient)
        if not plan.address and not plan.suppressed:
            continue
        key = _key(message, plan)
        if key in seen:
            continue
        seen.add(key)
        if Notification.objects.filter(key=key).exists():
            continue
        wording = rendering.wording(message.organisation, message.event, plan.channel, plan.language)
        if wording is None and plan.channel != Channel.EMAIL:  # no SMS wording for this event: e-mail
            plan = plan_for(recipient, without=frozenset({plan.channel}))
            if not plan.address and not plan.suppressed:
                continue
            key = _key(message, plan)
            if key in seen or Notification.objects.filter(key=key).exists():
                continue
            seen.add(key)
            wording = rendering.wording(message.organisation, message.event, plan.channel, plan.language)
        if wording is None:
            continue
        context = {**message.context, "name": recipient.name or message.context.get("name", "")}
        try:
            rendered = rendering.render(
                wording.subject, wording.body, context, language=plan.language, html=plan.channel == Channel.EMAIL
            )
        except rendering.TemplateError as exc:
            # An office's broken wording must not silence the message: fall back to the shipped one.
            shipped = rendering.wording(None, message.event, plan.channel, plan.language)
            if shipped is None or shipped.template is not None:
                raise
            audit.record(
                "notification.template_failed",
                actor=None,
                obj=wording.template,
                organisation_id=message.organisation.pk,
                data={"error": str(exc)},
            )
            rendered = rendering.render(
                shipped.subject, shipped.body, context, language=plan.language, html=plan.channel == Channel.EMAIL
            )
        if plan.channel == Channel.SMS and plan.address:
            plan.address = sms_number(plan.address)
        status = Notification.Status.SUPPRESSED if plan.suppressed else Notification.Status.QUEUED
        notification = Notification(
            key=key,
            organisation=message.organisation,
            event=message.event,
            channel=plan.channel,
            recipient=plan.address or "—",
            recipient_name=recipient.name[:200],
            client=recipient.client,
            case=message.case,
            language=plan.language,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            message_id=message_id(message) if plan.channel == Channel.EMAIL else "",
            in_reply_to=message.in_reply_to[:998],
            status=status,
            status_reason=plan.suppressed[:300],
            available_at=now,
            created_at=now,
        )
        try:
            with transaction.atomic():
                notification.save()
                if message.attachments and status == Notification.Status.QUEUED:
                    notification.attachments.set(list(message.attachments))
        except IntegrityError:  # queued meanwhile by a parallel delivery of the same event
            continue
        audit.record(
            "notification.queued" if status == Notification.Status.QUEUED else "notification.suppressed",
            actor=None,
            obj=notification,
            organisation_id=message.organisation.pk,
            data={
                "event": message.event,
                "channel": plan.channel,
                "case": getattr(message.case, "pk", None),
                "client": getattr(recipient.client, "pk", None),
                "reason": plan.suppressed,
            },
        )
        created.append(notification)
    timeline.note(created)
    if any(n.status == Notification.Status.QUEUED for n in created):
        transaction.on_commit(queue.kick)
    return created


def direct(
    event: str,
    organisation: Organisation,
    phone: str,
    context: Mapping[str, str],
    *,
    key: str,
    client: Client | None = None,
    case: Any = None,
) -> Notification | None:
    """An SMS answering the person who just wrote from ``phone`` (an opt-out confirmation, a
    status asked for): no preference or consent decides, the person asked for exactly this."""
    wording = rendering.wording(organisation, event, Channel.SMS, "pl")
    if wording is None or Channel.SMS not in transports.channels():
        return None
    phone = sms_number(phone)
    full_key = _key(
        Message(event=event, organisation=organisation, context=context, key=key), Plan(Channel.SMS, phone, "pl")
    )
    if Notification.objects.filter(key=full_key).exists():
        return None
    rendered = rendering.render(wording.subject, wording.body, context, language="pl", html=False)
    now = clock.now()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=full_key,
                organisation=organisation,
                event=event,
                channel=Channel.SMS,
                recipient=phone,
                client=client,
                case=case,
                language="pl",
                body_text=rendered.text,
                available_at=now,
                created_at=now,
            )
    except IntegrityError:
        return None
    audit.record(
        "notification.queued",
        actor=None,
        obj=notification,
        organisation_id=organisation.pk,
        data={"event": event, "channel": Channel.SMS, "direct": True},
    )
    timeline.note([notification])
    transaction.on_commit(queue.kick)
    return notification
