"""SMSAPI.pl through its maintained Python client (``smsapi-client``).

Sending: ``POST sms.do`` with the OAuth token; each message carries our reference as ``idx`` with
``check_idx`` so that a retry after a lost answer can never send it twice. Errors the operator
answers with are sorted into permanent (a wrong number, a sender name not registered, a text the
operator refuses) and temporary (no points left, the service unavailable, a connection that failed).

Receiving: SMSAPI calls two URLs of ours (``channels/urls.py``), each with a secret in its path
(``OKIENKO_SMSAPI_CALLBACK_SECRET``): a delivery report (``MsgId``, ``status``/``status_name``,
``donedate``) and a message from a phone (``sms_from``, ``sms_to``, ``sms_text``, ``sms_date``);
both are answered ``OK``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import requests
from django.conf import settings

from okienko.channels.sms.gateways import (
    Incoming,
    InvalidNumber,
    Outgoing,
    Received,
    Refused,
    Report,
    Submitted,
    e164,
    register,
)
from okienko.core import clock

log = logging.getLogger(__name__)

TIMEOUT = 10
# sms.do error codes that no retry can cure (the number, the sender name, the text or the account).
PERMANENT = {11, 12, 13, 14, 15, 17, 18, 19, 21, 22, 27, 28, 40, 41, 57, 102, 105}
# Delivery report names (``status_name``) and what they mean for the message.
REPORTED = {
    "DELIVERED": "delivered",
    "UNDELIVERED": "failed",
    "FAILED": "failed",
    "REJECTED": "failed",
    "EXPIRED": "expired",
    "NOT_FOUND": "failed",
    "STOP": "failed",
}


class SmsapiGateway:
    name = "smsapi"

    def __init__(self, token: str | None = None, url: str | None = None) -> None:
        from smsapi.client import Client

        self.client = Client(
            str(url or getattr(settings, "OKIENKO_SMSAPI_URL", "") or "https://api.smsapi.pl/"),
            access_token=token or str(getattr(settings, "OKIENKO_SMSAPI_TOKEN", "")) or "unset",
        )

    def send(self, batch: Sequence[Outgoing]) -> Iterator[tuple[Outgoing, Submitted | Refused]]:
        from smsapi.exception import EndpointException, SendException

        for message in batch:
            try:
                result = self.client.sms.send(
                    to=message.to.lstrip("+"),
                    message=message.text,
                    from_=message.sender,
                    encoding="utf-8",
                    idx=message.reference,
                    check_idx=1,
                    details=1,
                    timeout=TIMEOUT,
                )
            except SendException as exc:
                code = int(exc.code or 0)
                yield message, Refused(f"SMSAPI {code}: {exc.message}", temporary=code not in PERMANENT)
                continue
            except EndpointException as exc:
                yield message, Refused(f"SMSAPI HTTP {exc.code}: {str(exc.message)[:200]}", temporary=True)
                continue
            except (requests.RequestException, ValueError) as exc:
                yield message, Refused(f"SMSAPI unreachable: {type(exc).__name__}", temporary=True)
                continue
            ids = [str(item.id) for item in result.results if getattr(item, "id", None)]
            parts = max([int(getattr(item, "parts", 0) or 0) for item in result.results] + [int(result.parts or 0), 1])
            if not ids:
                yield message, Refused("SMSAPI answered without a message id", temporary=True)
                continue
            yield message, Submitted(ids, parts)

    def receive(self) -> Received:
        """SMSAPI pushes what it has to our callback URLs: nothing to fetch."""
        return Received()


def secret_matches(given: str) -> bool:
    expected = str(getattr(settings, "OKIENKO_SMSAPI_CALLBACK_SECRET", "") or "")
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def reports_from(params: Mapping[str, Any]) -> list[Report]:
    """Delivery reports of one callback (SMSAPI may send several, comma-separated)."""
    ids = str(params.get("MsgId", "")).split(",")
    names = str(params.get("status_name", "")).split(",")
    dates = str(params.get("donedate", "")).split(",")
    found = []
    for index, provider_id in enumerate(ids):
        provider_id = provider_id.strip()
        name = names[index].strip().upper() if index < len(names) else ""
        status = REPORTED.get(name)
        if not provider_id or status is None:
            continue  # an intermediate state (SENT, QUEUE, ACCEPTED …) or nothing usable
        at = _timestamp(dates[index] if index < len(dates) else "")
        found.append(Report(provider_id[:100], status, at, name))
    return found


def incoming_from(params: Mapping[str, Any]) -> Incoming:
    """A message from a phone (raises :class:`InvalidNumber` or ``ValueError`` when unusable)."""
    sender = e164(str(params.get("sms_from", "")))
    text = str(params.get("sms_text", ""))
    if not text.strip():
        raise ValueError("empty message")
    to = str(params.get("sms_to", ""))
    with contextlib.suppress(InvalidNumber):
        to = e164(to)
    return Incoming(sender=sender, text=text[:2000], received_at=_timestamp(str(params.get("sms_date", ""))), to=to)


def _timestamp(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(value.strip()), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return clock.now()


register("smsapi", SmsapiGateway)
