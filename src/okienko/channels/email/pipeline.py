"""One pipeline for every received e-mail, whichever transport brought it (ADR 0052).

``ingest(mailbox, raw)`` stores the message once (same ``Message-ID`` and the same bytes: the
earlier row is returned), reads it (``parse``), decides what it is and what becomes of it, in one
transaction with its audit entries and the ``email.received`` event:

1. larger than the mailbox allows → *rejected* (the headers are kept as the trace);
2. flagged as spam by the filter in front (``X-Spam-Flag``/``X-Spam-Status``) → *spam*;
3. a bounce or delivery status notification → the failed addresses are recorded on the clients'
   contact data, *done*;
4. more messages from the sender in the last hour than the mailbox allows → *quarantined*
   (two auto-responders answering each other stop here);
5. other automatic mail (RFC 3834 ``Auto-Submitted``, ``Precedence``, ``List-*``, no-reply
   senders) → *done*, linked to its case when it names one, never on the case as the client's word;
6. a reply naming a case (``threading``) of the mailbox's data controller, sent by that case's
   client or reporter → the message goes on the case (``cases.actions.add_client_message``) with
   its files, *threaded*; a case named by someone else → triage, flagged;
7. otherwise a contact awaiting triage (*triage*, or *linked* when the sender is a known client),
   or a case opened at once when the mailbox says so (*case_created*).

A message whose processing fails is kept as *quarantined* with the error; the caller's loop goes
on. Okienko sends nothing here: the ``email.received`` event says whether an automatic reply may
go out (``auto_reply``) and the notifications app sends it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from okienko.accounts.models import Organisation
from okienko.cases import actions as case_actions
from okienko.cases.models import Case, CaseParty
from okienko.catalogue.models import Service
from okienko.channels.email import parse as mime
from okienko.channels.email import sender, threading
from okienko.channels.models import InboundAttachment, InboundMessage, Mailbox
from okienko.clients.models import Client, ClientContact
from okienko.core import audit, clock, events, memo, uploads
from okienko.core.choices import Channel
from okienko.core.errors import DomainError
from okienko.interactions.actions import record_interaction
from okienko.interactions.models import Interaction

log = logging.getLogger(__name__)
logging.getLogger("flufl.bounce").setLevel(logging.WARNING)  # it logs every detector it runs

S = InboundMessage.Status
EVENT = "email.received"
# Statuses of messages still waiting for a person (the triage queue).
AWAITING = frozenset({S.TRIAGE, S.LINKED})
_AUTO_REPLY_STATUSES = frozenset({S.TRIAGE, S.LINKED, S.CASE_CREATED})
_FINISHED_CASE = frozenset({"cancelled", "duplicate", "split"})


@dataclass
class _Outcome:
    status: str
    reason: str = ""
    client: Client | None = None
    case: Case | None = None
    interaction: Interaction | None = None
    rate_limited: bool = False


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def header_block(raw: bytes, limit: int = 64 * 1024) -> bytes:
    """The header section of ``raw`` (what is kept of a message too large to accept)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        at = raw.find(separator, 0, limit)
        if at >= 0:
            return raw[: at + len(separator)]
    return raw[:limit]


def ingest(mailbox: Mailbox, raw: bytes, *, transport: str = "smtp", size: int | None = None) -> InboundMessage:
    """Store and process one message (see the module docstring); return its row.

    ``size``: the size the server announced when only the headers were fetched (IMAP does not
    download a message it knows to be too large)."""
    sha = digest(raw)
    too_large = max(len(raw), size or 0) > mailbox.max_message_bytes
    try:
        parsed = mime.parse(header_block(raw) if too_large else raw)
    except Exception as exc:
        log.exception("e-mail could not be parsed")
        parsed = mime.ParsedMessage(defects=[f"ParserFailed: {type(exc).__name__}"])
    # No look-up first: the unique (mailbox, Message-ID, digest) refuses a second copy and the
    # stored row is returned then (duplicates are rare; the look-up would cost every message).
    written: list[Any] = []
    try:
        with audit.batch(), events.batch():
            message = _store(mailbox, raw, sha, parsed, too_large, written)
            if size:
                message.size = max(size, len(raw))
                InboundMessage.objects.filter(pk=message.pk).update(size=message.size)
            outcome = _decide(mailbox, message, parsed, raw, too_large)
            _finish(message, parsed, outcome, transport)
        return message
    except IntegrityError as exc:
        _forget(written)
        existing = _stored(mailbox, parsed.message_id, sha)
        if existing is not None:  # delivered before, or stored meanwhile by another worker
            return existing
        return _quarantine(mailbox, raw, sha, parsed, f"{type(exc).__name__}: {exc}", transport)
    except Exception as exc:
        _forget(written)
        log.exception("e-mail processing failed; quarantined", extra={"mailbox": mailbox.pk})
        return _quarantine(mailbox, raw, sha, parsed, f"{type(exc).__name__}: {exc}", transport)


def _stored(mailbox: Mailbox, message_id: str, sha: str) -> InboundMessage | None:
    return InboundMessage.objects.filter(mailbox=mailbox, message_id=message_id, sha256=sha).first()


def _forget(files: list[Any]) -> None:
    """Remove the files written for a transaction that was rolled back."""
    for stored in files:
        try:
            stored.delete(save=False)
        except OSError:
            log.warning("could not remove an orphaned mail file")


def _new_message(
    mailbox: Mailbox, raw: bytes, sha: str, parsed: mime.ParsedMessage, keep: bytes, written: list[Any]
) -> InboundMessage:
    now = clock.now()
    message = InboundMessage(
        mailbox=mailbox,
        organisation_id=mailbox.organisation_id,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to=", ".join(parsed.to)[:5000],
        subject=parsed.subject,
        sent_at=parsed.sent_at,
        received_at=now,
        created_at=now,
        body=parsed.body,
        full_text=parsed.text,
        html_text=parsed.html_text,
        has_html=parsed.has_html,
        is_signed=parsed.signed,
        is_encrypted=parsed.encrypted,
        is_auto_submitted=parsed.automatic,
        is_spam=parsed.spam,
        language=parsed.language,
        defects=parsed.defects[:50],
        original_name="message.eml",
        content_type="message/rfc822",
        size=len(raw),
        sha256=sha,
    )
    message.file.save("message", ContentFile(keep), save=False)
    written.append(message.file)
    return message


def _store(
    mailbox: Mailbox, raw: bytes, sha: str, parsed: mime.ParsedMessage, too_large: bool, written: list[Any]
) -> InboundMessage:
    message = _new_message(mailbox, raw, sha, parsed, header_block(raw) if too_large else raw, written)
    message.save(force_insert=True)
    if not too_large:
        _store_attachments(message, parsed, written)
    return message


def _store_attachments(message: InboundMessage, parsed: mime.ParsedMessage, written: list[Any]) -> None:
    """Every attachment under the size limit, as it came (never unpacked); the virus scanner's
    refusals and the oversized ones are noted on the message instead."""
    limit = message.mailbox.max_message_bytes
    refused: list[str] = []
    rows = []
    for part in parsed.attachments:
        if not part.data:
            continue
        if len(part.data) > limit:
            refused.append(f"too-large:{part.filename[:80]}")
            continue
        verdict = uploads.scanner()(part.data)
        if not verdict.clean:
            refused.append(f"virus:{verdict.reason}")
            continue
        detected = uploads.sniff(part.data)
        row = InboundAttachment(
            message=message,
            declared_type=part.content_type[:200],
            content_id=part.content_id,
            is_inline=part.inline,
            created_at=message.received_at,
        )
        row.store(
            part.data,
            uploads.CheckedFile(detected, len(part.data), digest(part.data)),
            sent_name=part.filename,
            save=False,
        )
        written.append(row.file)
        rows.append(row)
    InboundAttachment.objects.bulk_create(rows)
    if refused:
        message.defects = [*message.defects, *(f"AttachmentRefused:{r}" for r in refused)][:60]
        InboundMessage.objects.filter(pk=message.pk).update(defects=message.defects)


# -- deciding ------------------------------------------------------------------------------


def _decide(
    mailbox: Mailbox, message: InboundMessage, parsed: mime.ParsedMessage, raw: bytes, too_large: bool
) -> _Outcome:
    if too_large:
        return _Outcome(
            S.REJECTED,
            _("The message is larger than this mailbox accepts (%(size)d bytes, limit %(limit)d).")
            % {"size": message.size, "limit": mailbox.max_message_bytes},
        )
    message.sender_check = sender.check(mailbox, raw, parsed)
    if parsed.spam:
        return _Outcome(S.SPAM, _("Marked as spam by the mail filter."))
    failed = _bounced_addresses(parsed)
    if failed is not None:
        message.is_bounce = True
        _record_bounces(mailbox, message, failed)
        _announce_bounce(mailbox, message, raw, failed)
        return _Outcome(S.DONE, _("Delivery failure report."))
    if _over_rate(mailbox, message):
        return _Outcome(
            S.QUARANTINED,
            _("More than %(limit)d messages from this sender within an hour.")
            % {"limit": mailbox.sender_limit_per_hour},
            rate_limited=True,
        )
    forged = message.sender_check == InboundMessage.SenderCheck.FAIL
    client = None if forged else find_client(mailbox, parsed.from_address)
    case = find_case(mailbox, parsed)
    if parsed.automatic:
        return _Outcome(S.DONE, _("Automatic message (out-of-office, list or robot): not answered."), client, case)
    if case is not None and not forged and sender_belongs_to(case, parsed.from_address, client):
        return _thread(message, parsed, case, client)
    if forged:
        reason = _("The sender could not be verified: the From address may be forged.")
    elif case is not None:
        reason = _("Names case %(number)s, but the sender is not its client or reporter.") % {"number": case.number}
        case = None
    else:
        reason = ""
    return _new_contact(mailbox, message, parsed, client, reason)


def _bounced_addresses(parsed: mime.ParsedMessage) -> set[str] | None:
    """The addresses a bounce or DSN reports as failed; None when the message is not one."""
    if parsed.message is None or not _may_be_bounce(parsed):
        return None
    try:
        from flufl.bounce import all_failures

        temporary, permanent = all_failures(parsed.message)
    except Exception:  # noqa: BLE001 - the detectors choke on some broken reports
        temporary, permanent = frozenset(), frozenset()
    addresses = {a.decode("utf-8", "replace").strip("<> ").lower() for a in {*temporary, *permanent}}
    addresses = {a for a in addresses if "@" in a}
    report_type = str(parsed.message.get_param("report-type", "") or "").lower() if parsed.report else ""
    if addresses or report_type == "delivery-status":
        return addresses
    return None


_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (?:status|failure|notification)|returned mail|failure notice|mail delivery|"
    r"niedostarcz|nie został[ao]? dostarcz|zwrócona wiadomość|non[- ]?delivery",
    re.IGNORECASE,
)


def _may_be_bounce(parsed: mime.ParsedMessage) -> bool:
    """Whether to run the bounce detectors at all (they read every line of every part): reports,
    automatic mail, mail from the mail system and subjects bounces have."""
    local = parsed.from_address.split("@", 1)[0]
    return (
        parsed.report
        or parsed.auto_submitted
        or local in {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
        or not parsed.from_address
        or bool(_BOUNCE_SUBJECT.search(parsed.subject))
    )


_OWN_ID = re.compile(rb"<[^<>@\s]{1,200}@[^<>\s]{1,200}>")


def _announce_bounce(mailbox: Mailbox, message: InboundMessage, raw: bytes, addresses: set[str]) -> None:
    """``email.bounced``: which of our messages (by the Message-IDs of our domain quoted in the
    report) did not reach which addresses — the notification service marks them bounced."""
    domain = threading.mail_domain().encode()
    ours = sorted(
        {
            found.decode("ascii", "replace")
            for found in _OWN_ID.findall(raw[: 512 * 1024])
            if found.endswith(b"@" + domain + b">")
        }
    )[:20]
    if not ours and not addresses:
        return
    events.emit(
        "email.bounced",
        obj=message,
        organisation_id=mailbox.organisation_id,
        payload={"inbound_id": message.pk, "addresses": sorted(addresses)[:20], "message_ids": ours},
    )


def _record_bounces(mailbox: Mailbox, message: InboundMessage, addresses: set[str]) -> None:
    if not addresses:
        return
    controller = mailbox.organisation.controller_path
    contacts = list(
        ClientContact.objects.filter(
            kind=ClientContact.Kind.EMAIL,
            normalized__in=sorted(addresses),
            client__home_office__path__startswith=controller,
        )
    )
    now = clock.now()
    for contact in contacts:
        contact.bounce_count += 1
        contact.bounced_at = now
        contact.bounce_reason = (message.subject or pgettext("bounce", "delivery failure"))[:200]
    ClientContact.objects.bulk_update(contacts, ["bounce_count", "bounced_at", "bounce_reason"])
    for contact in contacts:
        audit.record(
            "clients.contact_bounced",
            actor=None,
            obj=contact.client,
            organisation_id=mailbox.organisation_id,
            data={"contact": contact.pk, "inbound": message.pk, "bounces": contact.bounce_count},
        )


def _over_rate(mailbox: Mailbox, message: InboundMessage) -> bool:
    if not message.from_address or not mailbox.sender_limit_per_hour:
        return False
    since = message.received_at - dt.timedelta(hours=1)
    recent = (
        InboundMessage.objects.filter(mailbox=mailbox, from_address=message.from_address, received_at__gte=since)
        .exclude(pk=message.pk)
        .count()
    )
    return recent >= mailbox.sender_limit_per_hour


def find_client(mailbox: Mailbox, address: str) -> Client | None:
    """The one client of the mailbox's data controller with this e-mail address; None when there
    is none or more than one (then a person chooses, from ``suggest_clients``)."""
    matches = suggest_clients(mailbox.organisation.controller_path, address, limit=2)
    return matches[0] if len(matches) == 1 else None


def suggest_clients(controller_path: str, address: str, *, limit: int = 10) -> list[Client]:
    """Clients of one data controller having ``address`` among their e-mail contacts."""
    address = (address or "").strip().lower()
    if "@" not in address:
        return []
    # One indexed look-up of the address; the few contacts found are then checked (no join).
    client_ids = set(
        ClientContact.objects.filter(kind=ClientContact.Kind.EMAIL, normalized=address)
        .order_by()
        .values_list("client_id", flat=True)[:100]
    )
    if not client_ids:
        return []
    return list(
        Client.objects.filter(
            pk__in=client_ids, home_office__path__startswith=controller_path, merged_into__isnull=True
        ).select_related("home_office")[:limit]
    )


def find_case(mailbox: Mailbox, parsed: mime.ParsedMessage) -> Case | None:
    """The case the message answers: by Okienko's message id in ``In-Reply-To``/``References``,
    by an earlier received message it answers, by the number in its subject; only a case of the
    mailbox's data controller."""
    cases = Case.objects.filter(organisation__path__startswith=mailbox.organisation.controller_path)
    case_uuid = threading.case_uuid_from_references(parsed.in_reply_to, parsed.references)
    if case_uuid is not None:
        found = cases.filter(uuid=case_uuid).first()
        if found is not None:
            return found
    if parsed.in_reply_to:
        earlier = (
            InboundMessage.objects.filter(
                message_id=parsed.in_reply_to, case__isnull=False, organisation__path__startswith=_controller(mailbox)
            )
            .order_by("-received_at")
            .values_list("case_id", flat=True)
            .first()
        )
        if earlier is not None:
            found = cases.filter(pk=earlier).first()
            if found is not None:
                return found
    number = threading.case_number_from_subject(parsed.subject)
    if number:
        return cases.filter(number=number).first()
    return None


def _controller(mailbox: Mailbox) -> str:
    return mailbox.organisation.controller_path


def sender_belongs_to(case: Case, address: str, client: Client | None) -> bool:
    """Whether the message's sender is the case's client, reporter or one of its parties."""
    address = (address or "").lower()
    if not address:
        return False
    if client is not None and case.client_id == client.pk:
        return True
    if case.reporter_email and case.reporter_email.lower() == address:
        return True
    if (
        case.client_id
        and ClientContact.objects.filter(
            client_id=case.client_id, kind=ClientContact.Kind.EMAIL, normalized=address
        ).exists()
    ):
        return True
    return CaseParty.objects.filter(case=case).filter(Q(email__iexact=address)).exists()


def _thread(message: InboundMessage, parsed: mime.ParsedMessage, case: Case, client: Client | None) -> _Outcome:
    interaction = record_interaction(
        actor=None,
        channel=Channel.EMAIL,
        organisation=case.organisation,
        client=client if client is not None and not client.merged_into_id else None,
        direction=Interaction.Direction.IN,
        service=case.service,
        question=parsed.subject,
        outcome=Interaction.Outcome.OTHER,
        notes=parsed.body,
        started_at=message.received_at,
        ended_at=message.received_at,
        contact_name=parsed.from_name if client is None else "",
        contact_detail=parsed.from_address if client is None else "",
        case=case,
    )
    case_actions.add_client_message(
        case=case,
        body=parsed.body,
        channel=Channel.EMAIL,
        sender=parsed.from_address,
        interaction=interaction,
        data={"inbound": message.pk, "verified": message.sender_verified},
    )
    attach_to_case(message, case)
    return _Outcome(S.THREADED, "", client, case, interaction)


def attach_to_case(message: InboundMessage, case: Case) -> None:
    """The message's files that pass the case attachment checks go onto the case too."""
    for attachment in message.attachments.all():
        if attachment.is_inline:
            continue
        with attachment.file.open("rb") as handle:
            data = handle.read()
        try:
            stored = case_actions.add_attachment(
                actor=None, case=case, name=attachment.original_name, data=data, as_client=True
            )
        except DomainError as exc:
            log.info("e-mail attachment not added to the case: %s", exc)
            continue
        attachment.case_attachment = stored
        attachment.save(update_fields=["case_attachment"])


def _new_contact(
    mailbox: Mailbox, message: InboundMessage, parsed: mime.ParsedMessage, client: Client | None, reason: str
) -> _Outcome:
    interaction = record_interaction(
        actor=None,
        channel=Channel.EMAIL,
        organisation=mailbox.organisation,
        client=client,
        direction=Interaction.Direction.IN,
        question=parsed.subject,
        outcome=Interaction.Outcome.OTHER,
        notes=parsed.body,
        started_at=message.received_at,
        ended_at=message.received_at,
        contact_name=parsed.from_name if client is None else "",
        contact_detail=parsed.from_address if client is None else "",
    )
    status = S.LINKED if client is not None else S.TRIAGE
    service = mailbox.default_service if mailbox.create_case else None
    if reason or service is None:
        return _Outcome(status, reason, client, None, interaction)
    try:
        with transaction.atomic():
            case = case_actions.open_case(
                actor=None,
                organisation=jurisdiction(mailbox.organisation, service),
                service=service,
                description=_case_description(parsed),
                channel=Channel.EMAIL,
                client=client,
                reporter={"name": parsed.from_name, "email": parsed.from_address},
                interaction=interaction,
                as_client=True,
            )
    except (DomainError, PermissionDenied, ValueError) as exc:
        return _Outcome(status, _("No case could be opened: %(error)s") % {"error": exc}, client, None, interaction)
    attach_to_case(message, case)
    return _Outcome(S.CASE_CREATED, "", client, case, interaction)


def jurisdiction(office: Organisation, service: Service) -> Organisation:
    """Whose case it is: the service's owner when the mailbox's office lies within it (a contact
    centre of a city opens the city's cases), else the office itself."""
    owner = service.organisation
    return owner if office.is_within(owner) else office


def _case_description(parsed: mime.ParsedMessage) -> str:
    text = parsed.body or parsed.text or _("(no text)")
    return f"{parsed.subject}\n\n{text}".strip() if parsed.subject else text


# -- finishing -----------------------------------------------------------------------------


def may_auto_reply(mailbox: Mailbox, message: InboundMessage, parsed: mime.ParsedMessage, outcome: _Outcome) -> bool:
    """Whether a receipt may be sent: configured, a new matter from a person, never to automatic
    mail, bounces, spam, a forged or missing sender, a sender over the rate limit, or ourselves."""
    address = message.from_address
    return (
        mailbox.auto_reply
        and outcome.status in _AUTO_REPLY_STATUSES
        and not parsed.automatic
        and not message.is_bounce
        and not message.is_spam
        and message.sender_check != InboundMessage.SenderCheck.FAIL
        and "@" in address
        and address not in own_addresses()
    )


# Every mailbox address, known for a minute per process (a new mailbox answers its own mail
# automatically at worst for that minute; the notifications' hourly limit still holds).
_OWN = memo.Memo[frozenset[str]](ttl=60)


def own_addresses() -> frozenset[str]:
    return _OWN.get("all", lambda: frozenset(Mailbox.objects.values_list("address", flat=True)))


def _finish(message: InboundMessage, parsed: mime.ParsedMessage, outcome: _Outcome, transport: str) -> None:
    message.status = outcome.status
    message.status_reason = outcome.reason[:500]
    message.client = outcome.client
    message.case = outcome.case
    message.interaction = outcome.interaction
    message.save(
        update_fields=["status", "status_reason", "client", "case", "interaction", "sender_check", "is_bounce"]
    )
    mailbox = message.mailbox
    auto_reply = may_auto_reply(mailbox, message, parsed, outcome)
    audit.record(
        "email.received",
        actor=None,
        obj=message,
        organisation_id=message.organisation_id,
        data={
            "mailbox": mailbox.address,
            "status": message.status,
            "reason": message.status_reason,
            "transport": transport,
            "sender_check": message.sender_check,
            "case": outcome.case.number if outcome.case is not None else None,
            "client": outcome.client.number if outcome.client is not None else None,
            **mime.summary(parsed),
        },
    )
    events.emit(
        EVENT,
        obj=message,
        organisation_id=message.organisation_id,
        payload={
            "inbound_id": message.pk,
            "mailbox_id": mailbox.pk,
            "status": message.status,
            "case_id": outcome.case.pk if outcome.case is not None else None,
            "client_id": outcome.client.pk if outcome.client is not None else None,
            "interaction_id": outcome.interaction.pk if outcome.interaction is not None else None,
            "sender": message.from_address,
            "sender_name": message.from_name,
            "sender_verified": message.sender_verified,
            "subject": message.subject,
            "message_id": message.message_id,
            "references": message.references[-2000:],
            "auto_reply": auto_reply,
            "language": message.language or "pl",
        },
    )


def _quarantine(
    mailbox: Mailbox, raw: bytes, sha: str, parsed: mime.ParsedMessage, error: str, transport: str
) -> InboundMessage:
    """Keep a message whose processing failed, with the error, for a person to look at."""
    written: list[Any] = []
    try:
        with audit.batch():
            message = _new_message(mailbox, raw, sha, parsed, raw[: mailbox.max_message_bytes], written)
            message.status = S.QUARANTINED
            message.status_reason = _("Processing failed: %(error)s") % {"error": error[:400]}
            message.save(force_insert=True)
            audit.record(
                "email.quarantined",
                actor=None,
                obj=message,
                organisation_id=message.organisation_id,
                data={"mailbox": mailbox.address, "error": error[:1000], "transport": transport},
            )
        return message
    except IntegrityError:
        _forget(written)
        existing = _stored(mailbox, parsed.message_id, sha)
        if existing is None:
            raise
        return existing
    except Exception:
        _forget(written)
        if parsed.message is None and not parsed.subject:
            raise  # already the bare retry below: the database itself is failing
        log.exception("quarantining with what was read failed; keeping the raw message alone")
        bare = mime.ParsedMessage(defects=["UnstorableFields"])
        return _quarantine(mailbox, raw, sha, bare, error, transport)
