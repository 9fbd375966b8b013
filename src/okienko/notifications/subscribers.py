"""What the notification service does with other apps' events (outbox subscribers).

Each handler is idempotent: the notification's key is the event's id (or, where two events may
say the same thing, the fact itself), so a redelivered event queues nothing new.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

from okienko.accounts.models import Organisation
from okienko.cases.models import Case, CaseEvent, CaseNote
from okienko.cases.workflow import Status, public_status
from okienko.core import clock, events, formatting
from okienko.core.models import OutboxEvent
from okienko.notifications import links, timeline
from okienko.notifications.models import Event, Notification, SurveyResponse
from okienko.notifications.service import Message, Recipient, direct, notify, sms_number

ACK_INTERVAL = dt.timedelta(hours=1)

# Status changes that are told in their own words; the rest get the general "status changed".
_OWN_WORDING = {
    Status.WAITING_CLIENT: Event.INFO_REQUESTED,
    Status.RESOLVED: Event.CASE_RESOLVED,
    Status.REOPENED: Event.CASE_REOPENED,
}
# Changes the client does not need a message about: internal steps, their own answer, the closing
# of a case they were told was resolved.
_SILENT = {
    (None, Status.REGISTERED),
    (None, Status.ASSIGNED),  # the assignment has its own message
    (Status.WAITING_CLIENT, Status.IN_PROGRESS),
    (Status.RESOLVED, Status.CLOSED),
    (Status.REOPENED, Status.IN_PROGRESS),
}


def _case(event: OutboxEvent) -> Case | None:
    case_id = event.payload.get("case_id")
    if not case_id:
        return None
    return (
        Case.objects.select_related("organisation", "organisation__parent", "service", "client", "assigned_unit")
        .filter(pk=case_id)
        .first()
    )


def case_recipients(case: Case) -> list[Recipient]:
    """The reporter (client or the e-mail/phone they gave) and the parties to be kept informed."""
    found: list[Recipient] = []
    if case.client is not None:
        found.append(
            Recipient(
                client=case.client,
                email=case.reporter_email,
                phone=case.reporter_phone,
                name=case.client.display_name or case.reporter_name,
            )
        )
    elif case.reporter_email or case.reporter_phone:
        found.append(Recipient(email=case.reporter_email, phone=case.reporter_phone, name=case.reporter_name))
    for party in case.parties.filter(notify=True).select_related("client"):
        if party.client_id is None and not (party.email or party.phone):
            continue
        name = party.name or (party.client.display_name if party.client is not None else "")
        found.append(Recipient(client=party.client, email=party.email, phone=party.phone, name=name))
    return found


def case_context(case: Case, **extra: str) -> dict[str, str]:
    office: Organisation = case.organisation
    with override("pl"):
        deadline = formatting.long_day(case.resolve_due)
    return {
        "case_number": case.number,
        "service": case.service.public_name if case.service_id else "",
        "status": public_status(case.status),
        "link": links.case_link(case),
        "deadline": deadline,
        "office": office.name,
        "office_phone": office.phone,
        "office_email": office.email,
        "message": "",
        **extra,
    }


def _latest_public_note(case: Case) -> str:
    note = case.notes.filter(visibility=CaseNote.Visibility.PUBLIC).order_by("-created_at", "-id").first()
    return note.body if note is not None else ""


def _tell(event: OutboxEvent, case: Case, kind: str, *, key: str | None = None, **extra: str) -> None:
    notify(
        Message(
            event=kind,
            organisation=case.organisation,
            context=case_context(case, **extra),
            key=key or str(event.id),
            case=case,
            thread_case_uuid=case.uuid,
        ),
        case_recipients(case),
    )


@events.subscriber("case.created", name="notifications.case_created")
def on_case_created(event: OutboxEvent) -> None:
    case = _case(event)
    if case is None or case.status in (Status.DUPLICATE, Status.CANCELLED):
        return
    _tell(event, case, Event.CASE_REGISTERED, key=f"case:{case.pk}:registered")


@events.subscriber("case.assigned", name="notifications.case_assigned")
def on_case_assigned(event: OutboxEvent) -> None:
    case = _case(event)
    if case is None or case.assigned_unit_id is None:
        return
    # Routed at intake: the registration message already says where it went.
    routed_at_intake = OutboxEvent.objects.filter(
        topic="case.created", aggregate_id=str(case.pk), payload__assigned_unit_id=case.assigned_unit_id
    ).exists()
    if routed_at_intake:
        return
    # A new person in the same unit is an internal matter: one message per unit.
    _tell(event, case, Event.CASE_ASSIGNED, key=f"case:{case.pk}:unit:{case.assigned_unit_id}")


@events.subscriber("case.status_changed", name="notifications.case_status_changed")
def on_status_changed(event: OutboxEvent) -> None:
    case = _case(event)
    if case is None:
        return
    before, after = event.payload.get("from_status"), event.payload.get("to_status")
    if (before, after) in _SILENT or (None, after) in _SILENT:
        return
    kind = _OWN_WORDING.get(after, Event.STATUS_CHANGED)
    extra: dict[str, str] = {"message": _latest_public_note(case), "status": public_status(str(after))}
    if kind == Event.INFO_REQUESTED:
        extra["answer_link"] = links.answer_link(case)
    if kind == Event.CASE_RESOLVED and not SurveyResponse.objects.filter(case=case).exists():
        extra["survey_link"] = links.survey_link(case)
    _tell(event, case, kind, **extra)


@events.subscriber("case.note_added", name="notifications.case_message")
def on_note_added(event: OutboxEvent) -> None:
    """A public note written by staff reaches the client, unless it is the message of a status
    change (told with the status) or the client's own words."""
    if not event.payload.get("public"):
        return
    case = _case(event)
    note = CaseNote.objects.filter(pk=event.payload.get("note_id")).first()
    if case is None or note is None or note.author_id is None:
        return
    entry = CaseEvent.objects.filter(case=case, kind="note", data__note_id=note.pk).order_by("id").first()
    if entry is not None:
        previous = CaseEvent.objects.filter(case=case, id__lt=entry.pk).order_by("-id").first()
        if previous is not None and previous.kind == "status" and previous.actor_id == entry.actor_id:
            return
    _tell(event, case, Event.CASE_MESSAGE, message=note.body)


@events.subscriber("callback.created", name="notifications.callback_scheduled")
def on_callback_created(event: OutboxEvent) -> None:
    from okienko.interactions.models import Callback

    callback = (
        Callback.objects.select_related("client", "organisation", "interaction__service")
        .filter(pk=event.payload.get("callback"))
        .first()
    )
    if callback is None or callback.client is None:
        return
    with override("pl"):
        due = formatting.long_when(callback.due_at)
    service = callback.interaction.service if callback.interaction_id and callback.interaction else None
    notify(
        Message(
            event=Event.CALLBACK_SCHEDULED,
            organisation=callback.organisation,
            context={
                "callback_at": due,
                "service": service.public_name if service is not None else "",
                "office": callback.organisation.name,
                "office_phone": callback.organisation.phone,
                "office_email": callback.organisation.email,
            },
            key=str(event.id),
        ),
        [Recipient(client=callback.client, phone=callback.phone, name=callback.client.display_name)],
    )


@events.subscriber("callback.closed", name="notifications.callback_closed")
def on_callback_closed(event: OutboxEvent) -> None:
    """The office called back (or could not reach the client): the client hears how it ended —
    a callback from the IVR or a voicemail message is thus closed in the client's eyes too."""
    from okienko.interactions.models import Callback

    callback = (
        Callback.objects.select_related("client", "organisation").filter(pk=event.payload.get("callback")).first()
    )
    if callback is None or callback.client is None or callback.status == Callback.Status.CREATED:
        return
    notify(
        Message(
            event=Event.CALLBACK_CLOSED,
            organisation=callback.organisation,
            context={
                "reached": "1" if callback.status == Callback.Status.DONE else "",
                "office": callback.organisation.name,
                "office_phone": callback.organisation.phone,
                "office_email": callback.organisation.email,
            },
            key=str(event.id),
        ),
        [Recipient(client=callback.client, phone=callback.phone, name=callback.client.display_name)],
    )


@events.subscriber("contracting.message.sent", name="notifications.contract_message")
def on_contract_message(event: OutboxEvent) -> None:
    """A labour office or an agency wrote in a contract's thread: the other institution's staff
    who work on its contracts get an e-mail with a link — never the message itself, which may
    name participants."""
    from okienko.accounts.models import Membership
    from okienko.accounts.roles import ROLE_PERMISSIONS, Perm
    from okienko.contracting.models import ContractMessage

    message = (
        ContractMessage.objects.select_related("contract", "sender", "recipient")
        .filter(message_id=event.payload.get("id"))
        .first()
    )
    if message is None:
        return
    contract = message.contract
    perm = Perm.CONTRACTING_AGENCY if message.recipient_id == contract.agency_id else Perm.CONTRACTING_OFFICE
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if perm in granted]
    staff = {
        membership.user
        for membership in Membership.objects.filter(organisation=message.recipient, role__in=roles).select_related(
            "user"
        )
        if membership.user.is_active and (membership.user.email or "").strip()
    }
    if not staff:
        return
    link = str(settings.SITE_URL).rstrip("/") + reverse("desk:contracting_messages", args=[contract.uuid])
    if message.participant_ref:
        link += f"?participant={message.participant_ref}"
    notify(
        Message(
            event=Event.CONTRACT_MESSAGE,
            organisation=message.recipient,
            context={
                "contract_number": contract.number,
                "sender": message.sender.name,
                "link": link,
                "office": message.recipient.name,
            },
            key=f"contract-message:{message.message_id}",
        ),
        [
            Recipient(email=user.email.strip(), name=user.get_full_name() or user.get_username(), staff=True)
            for user in sorted(staff, key=lambda user: user.pk)
        ],
    )


@events.subscriber("knowledge.review_due", name="notifications.review_due")
def on_review_due(event: OutboxEvent) -> None:
    from okienko.knowledge.models import Article

    article: Any = (
        Article.objects.select_related("owner", "organisation").filter(pk=event.payload.get("article")).first()
    )
    if article is None or article.owner is None or not (article.owner.email or "").strip():
        return
    owner = article.owner
    with override("pl"):
        review_date = formatting.long_day(article.review_by)
    link = str(settings.SITE_URL).rstrip("/") + reverse("knowledge:editor_edit", args=[article.uuid])
    notify(
        Message(
            event=Event.REVIEW_DUE,
            organisation=article.organisation,
            context={
                "article_title": article.title,
                "article_link": link,
                "review_date": review_date,
                "office": article.organisation.name,
            },
            key=f"article:{article.pk}:review:{article.review_by}",
        ),
        [Recipient(email=owner.email.strip(), name=owner.get_full_name() or owner.get_username(), staff=True)],
    )


@events.subscriber("email.received", name="notifications.message_received")
def on_email_received(event: OutboxEvent) -> None:
    """The acknowledgement of an e-mail, where the mailbox asks for one and the message may be
    answered automatically (RFC 3834: never to automatic mail, bounces or lists)."""
    payload = event.payload
    sender = str(payload.get("sender") or "").strip()
    if not payload.get("auto_reply") or not sender or not event.organisation_id:
        return
    organisation = Organisation.objects.filter(pk=event.organisation_id).first()
    if organisation is None:
        return
    # At most one acknowledgement per sender an hour (RFC 3834 §2: never a storm of replies).
    recent = Notification.objects.filter(
        event=Event.MESSAGE_RECEIVED, recipient__iexact=sender, created_at__gte=clock.now() - ACK_INTERVAL
    )
    if recent.exists():
        return
    case = Case.objects.filter(pk=payload.get("case_id")).first() if payload.get("case_id") else None
    message_id = str(payload.get("message_id") or "").strip()
    references = " ".join(str(payload.get("references") or "").split()[-10:])
    language = "en" if payload.get("language") == "en" else "pl"
    notify(
        Message(
            event=Event.MESSAGE_RECEIVED,
            organisation=organisation,
            context={
                "case_number": case.number if case is not None else "",
                "subject": str(payload.get("subject") or "")[:150],
                "office": organisation.name,
                "office_phone": organisation.phone,
                "office_email": organisation.email,
            },
            key=f"inbound:{payload.get('inbound_id')}",
            case=case,
            in_reply_to=" ".join(part for part in (message_id, references) if part),
            thread_case_uuid=case.uuid if case is not None else None,
        ),
        [Recipient(email=sender, language=language)],
    )


# -- SMS -------------------------------------------------------------------------------------

_REPORTED = {
    "delivered": Notification.Status.DELIVERED,
    "failed": Notification.Status.FAILED,
    "expired": Notification.Status.EXPIRED,
}


@events.subscriber("sms.report", name="notifications.sms_report")
def on_sms_report(event: OutboxEvent) -> None:
    """An operator's delivery report: recorded on the message it is about (and its case)."""
    provider_id = str(event.payload.get("provider_id") or "")
    status = _REPORTED.get(str(event.payload.get("status") or ""))
    if not provider_id or status is None:
        return
    for notification in Notification.objects.filter(channel="sms", provider_id__contains=provider_id)[:5]:
        if provider_id not in notification.provider_id.split():
            continue
        changes: dict[str, Any] = {"status": status}
        if status == Notification.Status.DELIVERED:
            changes["delivered_at"] = clock.now()
        else:
            changes["status_reason"] = str(event.payload.get("detail") or status)[:300]
        updated = Notification.objects.filter(pk=notification.pk).exclude(status=status).update(**changes)
        if updated:
            notification.status = status
            notification.status_reason = changes.get("status_reason", notification.status_reason)
            timeline.note([notification])


def _sms_recipient(event: OutboxEvent) -> Recipient | None:
    from okienko.clients.models import Client

    sender = str(event.payload.get("sender") or "")
    if not sender:
        return None
    client = (
        Client.objects.filter(pk=event.payload.get("client_id")).first() if event.payload.get("client_id") else None
    )
    return Recipient(phone=sender, client=client)


@events.subscriber("sms.opted_out", name="notifications.sms_opted_out")
def on_sms_opted_out(event: OutboxEvent) -> None:
    """One last SMS confirms the opt-out (sent whatever the consent now says: it was asked for)."""
    recipient = _sms_recipient(event)
    office = Organisation.objects.filter(pk=event.organisation_id or 0).first()
    if recipient is None or office is None:
        return
    direct(
        Event.SMS_OPTED_OUT,
        office,
        recipient.phone,
        {"office": office.name},
        key=str(event.id),
        client=recipient.client,
    )


@events.subscriber("sms.status_requested", name="notifications.sms_status")
def on_sms_status_requested(event: OutboxEvent) -> None:
    """The public status of a case, to the number that asked (the inbound side checked it is the
    case's own number)."""
    recipient = _sms_recipient(event)
    case = _case(event)
    if recipient is None or case is None:
        return
    direct(Event.SMS_STATUS, case.organisation, recipient.phone, case_context(case), key=str(event.id), case=case)


REPLY_WINDOW = dt.timedelta(days=14)


@events.subscriber("sms.received", name="notifications.sms_reply")
def on_sms_received(event: OutboxEvent) -> None:
    """An SMS that named no case, from a number we recently sent an SMS about an open case: it is
    the answer to that message, so it goes onto the case (and resumes it if it waited)."""
    from okienko.cases import actions as case_actions
    from okienko.cases.workflow import OPEN_STATUSES
    from okienko.core.choices import Channel as ContactChannel
    from okienko.interactions.models import Interaction

    if event.payload.get("what") != "contact" or not event.payload.get("interaction_id"):
        return
    sender = str(event.payload.get("sender") or "")
    last = (
        Notification.objects.filter(
            channel="sms",
            recipient=sms_number(sender),  # SMS recipients are kept in E.164
            case__isnull=False,
            created_at__gte=clock.now() - REPLY_WINDOW,
        )
        .select_related("case")
        .order_by("-created_at")
        .first()
    )
    interaction = Interaction.objects.filter(pk=event.payload["interaction_id"], case__isnull=True).first()
    if last is None or last.case is None or interaction is None or last.case.status not in OPEN_STATUSES:
        return
    Interaction.objects.filter(pk=interaction.pk).update(case=last.case)
    case_actions.add_client_message(
        case=last.case,
        body="\n".join(part for part in (interaction.question, interaction.notes) if part),
        channel=ContactChannel.SMS,
        sender=sender,
        interaction=interaction,
        data={"reply_to": str(last.uuid)},
    )


@events.subscriber("email.bounced", name="notifications.email_bounced")
def on_email_bounced(event: OutboxEvent) -> None:
    """A delivery failure report about our e-mail: the message it names (by Message-ID), else the
    latest message sent to a failed address in the last week, is marked bounced."""
    ids = [str(i) for i in event.payload.get("message_ids") or []][:20]
    addresses = [str(a).lower() for a in event.payload.get("addresses") or []][:20]
    sent = Notification.objects.filter(channel="email", status__in=[Notification.Status.SENT])
    found = list(sent.filter(message_id__in=ids)) if ids else []
    if not found and addresses:
        week = clock.now() - dt.timedelta(days=7)
        for address in addresses:
            latest = sent.filter(recipient__iexact=address, sent_at__gte=week).order_by("-sent_at").first()
            if latest is not None:
                found.append(latest)
    reason = ", ".join(addresses)[:250] or "delivery failure report"
    for notification in found:
        if Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENT).update(
            status=Notification.Status.BOUNCED, status_reason=f"bounced: {reason}"[:300]
        ):
            notification.status, notification.status_reason = Notification.Status.BOUNCED, f"bounced: {reason}"
            timeline.note([notification])


from okienko.notifications import appointments as _appointments  # noqa: E402,F401  (registers its subscribers)
from okienko.notifications import hotspots as _hotspots  # noqa: E402,F401  (registers its subscriber)
from okienko.notifications import job_alerts as _job_alerts  # noqa: E402,F401  (registers its subscriber)
from okienko.notifications import job_announcements as _job_announcements  # noqa: E402,F401  (registers its subscriber)
from okienko.notifications import job_applications as _job_applications  # noqa: E402,F401  (registers its subscriber)
from okienko.notifications import job_promotions as _job_promotions  # noqa: E402,F401  (registers its subscriber)
