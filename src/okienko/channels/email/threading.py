"""How an e-mail finds its case again: the ``Message-ID`` Okienko gives the mail it sends about a
case carries the case's UUID, so the client's reply names it in ``In-Reply-To``/``References``;
failing that, the case number in the subject.

The id is ``<c.{case uuid hex}.{random}@{domain}>``: the random part keeps every message's id
unique (RFC 5322 §3.6.4), the UUID (never the number) says nothing guessable about the case. A
reference is only a hint: the pipeline threads a message onto the case only when the sender
belongs to it (``pipeline``), so a forged reference opens nothing.
"""

from __future__ import annotations

import re
import secrets
import uuid

from django.conf import settings

from okienko.cases.numbers import parse_case_number

_CASE_MESSAGE_ID = re.compile(r"<c\.([0-9a-f]{32})\.[0-9a-f]{1,64}@[^<>\s]+>", re.IGNORECASE)
# A number in a subject is written with slashes (``LODZ/2026/000186``, ``PUP-LOMZA/2026/12``): the
# looser forms ``numbers`` accepts in a search box would find "numbers" in ordinary subjects.
_SUBJECT_NUMBER = re.compile(
    r"(?<![A-Za-z0-9/])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*\s*/\s*(?:19|20)\d\d\s*/\s*\d{1,6}(?![0-9/])"
)


def mail_domain() -> str:
    return str(getattr(settings, "OKIENKO_MAIL_DOMAIN", "") or "okienko.localhost")


def message_id_for_case(case_uuid: uuid.UUID, domain: str | None = None) -> str:
    """A new ``Message-ID`` (with its angle brackets) for a message sent about the case."""
    return f"<c.{case_uuid.hex}.{secrets.token_hex(6)}@{domain or mail_domain()}>"


def case_uuid_from_references(*header_values: str | None) -> uuid.UUID | None:
    """The case UUID named by one of Okienko's message ids in the headers, or None.

    Pass ``In-Reply-To`` first, then ``References``: the first header naming a case wins, and
    within ``References`` (oldest first, RFC 5322) the most recent id does.
    """
    for value in header_values:
        found = _CASE_MESSAGE_ID.findall(str(value or ""))
        if found:
            return uuid.UUID(hex=found[-1].lower())
    return None


def case_number_from_subject(subject: str | None) -> str | None:
    """The case number written in a subject (``Re: [LODZ/2026/000186] …`` → ``LODZ/2026/000186``),
    normalised as ``cases.numbers`` does; None when the subject names none."""
    for match in _SUBJECT_NUMBER.finditer(str(subject or "")[:1000]):
        number = parse_case_number(match.group(0))
        if number is not None and number.prefix:
            return str(number)
    return None
