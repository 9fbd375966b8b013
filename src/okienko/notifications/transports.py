"""How a notification leaves Okienko: one transport per channel behind one interface.

A transport sends a batch of notifications over one connection and says, for each, whether it
went, must be tried again later (the server is down or said "try later") or can never go (the
address was refused for good). E-mail is here; the SMS issue registers its gateway the same way
(:func:`register`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any, Protocol

import dkim
from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from okienko.accounts.models import Organisation
from okienko.notifications import rendering
from okienko.notifications.models import Notification

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 20  # seconds for one conversation step with the mail server


@dataclass(frozen=True)
class Outcome:
    """What happened to one notification: ``sent``, ``retry`` (temporary), ``failed`` (permanent)
    or ``later`` (not an attempt: quiet hours or a rate limit hold it until ``until``)."""

    kind: str
    detail: str = ""
    provider_id: str = ""
    segments: int = 0
    until: dt.datetime | None = None

    @classmethod
    def sent(cls, provider_id: str = "", segments: int = 0) -> Outcome:
        return cls("sent", provider_id=provider_id[:200], segments=segments)

    @classmethod
    def later(cls, until: dt.datetime, detail: str) -> Outcome:
        return cls("later", detail[:300], until=until)

    @classmethod
    def retry(cls, detail: str) -> Outcome:
        return cls("retry", detail[:300])

    @classmethod
    def failed(cls, detail: str) -> Outcome:
        return cls("failed", detail[:300])


class Transport(Protocol):
    channel: str

    def send(self, batch: Sequence[Notification]) -> Iterator[tuple[Notification, Outcome]]:
        """Send each notification, yielding its outcome as soon as it is known (so the caller can
        record it before the next one goes: a crash then repeats at most one message)."""
        ...


_transports: dict[str, Transport] = {}


def register(transport: Transport) -> None:
    _transports[transport.channel] = transport


def for_channel(channel: str) -> Transport | None:
    return _transports.get(channel)


def channels() -> set[str]:
    return set(_transports)


# -- e-mail ----------------------------------------------------------------------------------


class SignedEmail(EmailMultiAlternatives):
    """An e-mail that adds a DKIM signature over exactly what it serialises to, when a key is
    configured (``OKIENKO_DKIM_DOMAIN``, ``OKIENKO_DKIM_SELECTOR``, ``OKIENKO_DKIM_KEY_FILE``)."""

    def message(self, *args: Any, **kwargs: Any) -> Any:
        msg = super().message(*args, **kwargs)
        key = dkim_key()
        if key is None:
            return msg
        domain, selector, private_key = key
        raw = msg.as_bytes(linesep="\r\n")
        signature = dkim.sign(
            raw,
            selector.encode(),
            domain.encode(),
            private_key,
            include_headers=[
                b"from",
                b"to",
                b"subject",
                b"date",
                b"message-id",
                b"in-reply-to",
                b"references",
                # RFC 8058 §4: the one-click unsubscribe headers must be covered by the signature.
                *([b"list-unsubscribe", b"list-unsubscribe-post"] if "List-Unsubscribe" in msg else []),
            ],
            canonicalize=(b"relaxed", b"relaxed"),
        )
        name, _, value = signature.decode("ascii").partition(":")
        msg[name] = " ".join(value.split())  # re-folded by the policy; whitespace in b= is ignored
        return msg


def unsubscribe_link(notification: Notification) -> str:
    """The signed unsubscribe link a job alert's text carries (its POST stops the alerts at once,
    without a sign-in); empty for other messages or a wording without the link."""
    if notification.event != "job_alert":
        return ""
    marker = reverse("portal:alerts_unsubscribe", args=["TOKEN"]).split("TOKEN", 1)[0]
    found = re.search(rf"https?://[^\s<>\"]+{re.escape(marker)}[A-Za-z0-9_:.\-]+/", notification.body_text)
    return found.group(0) if found else ""


def dkim_key() -> tuple[str, str, bytes] | None:
    domain = getattr(settings, "OKIENKO_DKIM_DOMAIN", "")
    selector = getattr(settings, "OKIENKO_DKIM_SELECTOR", "")
    key_file = getattr(settings, "OKIENKO_DKIM_KEY_FILE", "")
    if not (domain and selector and key_file):
        return None
    with open(key_file, "rb") as handle:
        return domain, selector, handle.read()


def build_email(
    notification: Notification,
    *,
    connection: BaseEmailBackend | None = None,
    replies: dict[int, str] | None = None,
) -> SignedEmail:
    """The e-mail of a notification: plain text with an HTML alternative, threading headers so
    the client's reply comes back onto the case, the case's files attached."""
    headers = {"Message-ID": notification.message_id}
    if notification.in_reply_to:
        parent, *earlier = notification.in_reply_to.split()
        headers["In-Reply-To"] = parent
        headers["References"] = " ".join([*earlier, parent])
    # RFC 3834: automatic messages say so, so that auto-responders do not answer them.
    if notification.event == "message_received":
        headers["Auto-Submitted"] = "auto-replied"
    elif notification.event != "case_message":
        headers["Auto-Submitted"] = "auto-generated"
    unsubscribe = unsubscribe_link(notification)
    if unsubscribe:  # RFC 2369 and RFC 8058: the mail provider's own one-click unsubscribe
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if replies is None:
        reply_to = reply_address(notification)
    else:  # one look-up per office and batch
        if notification.organisation_id not in replies:
            replies[notification.organisation_id] = reply_address(notification)
        reply_to = replies[notification.organisation_id]
    recipient = (
        formataddr((notification.recipient_name, notification.recipient))
        if notification.recipient_name
        else notification.recipient
    )
    message = SignedEmail(
        subject=notification.subject,
        body=notification.body_text,
        to=[recipient],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
        connection=connection,
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    for attachment in notification.attachments.all():
        with attachment.file.open("rb") as handle:
            message.attach(attachment.original_name, handle.read(), attachment.content_type)
    return message


def reply_address(notification: Notification) -> str:
    """The office's mailbox that takes replies (an inbound mailbox of the organisation or of the
    nearest parent that has one), so that a reply lands on the case; empty when there is none."""
    try:
        mailbox_model = apps.get_model("channel_adapters", "Mailbox")
    except LookupError:
        return ""
    chain = rendering.office_chain(notification.organisation)
    mailboxes = mailbox_model.objects.filter(organisation_id__in=chain, active=True).order_by("id")
    found = rendering.nearest(mailboxes, notification.organisation)
    return str(found.address) if found is not None else ""


class EmailTransport:
    channel = "email"

    @contextmanager
    def _connection(self) -> Iterator[BaseEmailBackend]:
        connection = get_connection(fail_silently=False, timeout=SMTP_TIMEOUT)
        try:
            yield connection
        finally:
            with suppress(OSError, smtplib.SMTPException):  # the server went away: nothing to close
                connection.close()

    def send(self, batch: Sequence[Notification]) -> Iterator[tuple[Notification, Outcome]]:
        if not batch:
            return
        with self._connection() as connection:
            try:
                connection.open()
            except (OSError, smtplib.SMTPException) as exc:
                for notification in batch:
                    yield notification, Outcome.retry(_describe(exc))
                return
            broken: str | None = None
            replies: dict[int, str] = {}
            for notification in batch:
                if broken is not None:
                    yield notification, Outcome.retry(broken)
                    continue
                try:
                    build_email(notification, connection=connection, replies=replies).send()
                except smtplib.SMTPRecipientsRefused as exc:
                    codes = [code for code, _ in exc.recipients.values()]
                    permanent = all(500 <= code < 600 for code in codes)
                    detail = _describe(exc)
                    yield notification, (Outcome.failed(detail) if permanent else Outcome.retry(detail))
                except smtplib.SMTPResponseException as exc:
                    detail = _describe(exc)
                    if 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPSenderRefused):
                        yield notification, Outcome.failed(detail)
                    else:
                        yield notification, Outcome.retry(detail)
                except (OSError, smtplib.SMTPException) as exc:
                    broken = _describe(exc)  # the connection is gone: the rest wait for the next round
                    yield notification, Outcome.retry(broken)
                else:
                    yield notification, Outcome.sent()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = []
        for address, (code, reply) in exc.recipients.items():
            parts.append(f"{address}: SMTP {code} {_text(reply)}")
        return "; ".join(parts)
    return f"{type(exc).__name__}: {exc}"


# -- SMS ---------------------------------------------------------------------------------------


class SmsTransport:
    """SMS through the configured gateway (``channels.sms.gateways``): the office's sender name,
    GSM-7 or UCS-2 chosen per message (Polish letters transliterated where the office prefers),
    the client's quiet hours and a per-number hourly limit respected by holding messages back."""

    channel = "sms"

    def send(self, batch: Sequence[Notification]) -> Iterator[tuple[Notification, Outcome]]:
        """One gateway session for the batch. After a temporary refusal (the SMSC throttles or
        the line drops) the rest of the batch waits too, so that messages still go out in the
        order they were queued."""
        from okienko.channels.sms import encoding, gateways

        gateway = gateways.gateway()
        senders: dict[int, Any] = {}
        ready: list[tuple[Notification, gateways.Outgoing]] = []
        for notification in batch:
            if notification.organisation_id not in senders:
                senders[notification.organisation_id] = sms_sender(notification.organisation)
            sender = senders[notification.organisation_id]
            held = hold(notification, sender)
            if held is not None:
                yield notification, held
                continue
            try:
                number = gateways.e164(notification.recipient)
            except gateways.InvalidNumber:
                yield notification, Outcome.failed(f"not a mobile number: {notification.recipient}")
                continue
            planned = encoding.plan(notification.body_text, transliterate_polish=bool(sender and sender.transliterate))
            if planned.too_long:
                yield notification, Outcome.failed(f"too long for SMS ({planned.segments} segments)")
                continue
            outgoing = gateways.Outgoing(
                reference=str(notification.uuid),
                to=number,
                text=planned.text,
                sender=sender.name if sender else DEFAULT_SMS_SENDER,
                encoding=planned.encoding,
            )
            ready.append((notification, outgoing))
        if not ready:
            return
        by_reference = {outgoing.reference: notification for notification, outgoing in ready}
        waiting = ""
        for message, result in gateway.send([outgoing for _notification, outgoing in ready]):
            notification = by_reference[message.reference]
            if waiting:
                yield notification, Outcome.retry(waiting)
            elif isinstance(result, gateways.Submitted):
                yield notification, Outcome.sent(" ".join(result.provider_ids), result.segments)
            elif result.temporary:
                waiting = result.reason
                yield notification, Outcome.retry(result.reason)
            else:
                yield notification, Outcome.failed(result.reason)


DEFAULT_SMS_SENDER = "Okienko"


def sms_sender(organisation: Organisation | None) -> Any:
    """The SMS identity of the organisation or of its nearest parent that has one."""
    from okienko.channels.models import SmsSender

    chain = rendering.office_chain(organisation)
    return rendering.nearest(SmsSender.objects.filter(organisation_id__in=chain, active=True), organisation)


def hold(notification: Notification, sender: Any = None) -> Outcome | None:
    """``later`` when the client's quiet hours are on now, or this number had its hourly share
    (``sender``: the office's SMS identity, already looked up by the caller)."""
    from django.utils import timezone

    from okienko.core import clock
    from okienko.notifications.models import Preference

    now = clock.now()
    local = timezone.localtime(now)
    if notification.client_id is not None:
        preference = Preference.objects.filter(client_id=notification.client_id).first()
        if preference is not None and preference.quiet_from and preference.quiet_until:
            start, end, at = preference.quiet_from, preference.quiet_until, local.time()
            quiet = (start <= at < end) if start < end else (at >= start or at < end)
            if quiet:
                until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
                if until <= local:
                    until += dt.timedelta(days=1)
                return Outcome.later(until, "quiet hours")
    limit = sender.hourly_limit if sender is not None else 5
    recent = Notification.objects.filter(
        channel="sms", recipient=notification.recipient, sent_at__gte=now - dt.timedelta(hours=1)
    ).count()
    if limit and recent >= limit:
        return Outcome.later(now + dt.timedelta(minutes=15), "hourly limit for this number")
    return None


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


register(EmailTransport())
register(SmsTransport())
