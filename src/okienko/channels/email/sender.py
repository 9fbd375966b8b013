"""Is the sender who the ``From`` header says? (ADR 0052)

Two kinds of evidence, each only where the mailbox is configured to trust it:

- the ``Authentication-Results`` header (RFC 8601) written by the mail server in front of the
  mailbox, recognised by its authserv-id (``Mailbox.trusted_authserv_id``); headers with other
  ids may have been written by the sender and are ignored;
- a DKIM signature checked by Okienko itself (``Mailbox.verify_dkim``, ``dkimpy``) whose signing
  domain is the ``From`` domain (or its parent).

``pass``: aligned evidence that the domain sent it; ``fail``: evidence that it did not (DMARC
fail, or SPF and DKIM both failing, or a broken aligned DKIM signature); ``none``: no evidence.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import dkim
from django.conf import settings
from django.utils.module_loading import import_string

from okienko.channels.email.parse import ParsedMessage, all_headers
from okienko.channels.models import InboundMessage, Mailbox

log = logging.getLogger(__name__)

PASS, NONE, FAIL = InboundMessage.SenderCheck.PASS, InboundMessage.SenderCheck.NONE, InboundMessage.SenderCheck.FAIL
_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)([^;]*)", re.IGNORECASE)
_DOMAIN_PROPS = re.compile(r"\b(?:header\.d|header\.i|header\.from|smtp\.mailfrom|smtp\.from)\s*=\s*([^\s;]+)")
_DKIM_DOMAIN = re.compile(rb"\bd\s*=\s*([^;\s]+)")
DKIM_TIMEOUT = 5


def aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment: the same domain or one is the other's parent (organisational domains
    are not looked up; a parent under a public suffix is not accepted)."""
    domain, from_domain = domain.strip(".").lower().rsplit("@", 1)[-1], from_domain.lower()
    if not domain or not from_domain:
        return False
    if domain == from_domain:
        return True
    shorter, longer = sorted((domain, from_domain), key=len)
    return shorter.count(".") >= 1 and longer.endswith("." + shorter)


def check(mailbox: Mailbox, raw: bytes, parsed: ParsedMessage) -> str:
    """``pass``, ``none`` or ``fail`` for the message's ``From`` (see the module docstring)."""
    from_domain = parsed.from_address.rsplit("@", 1)[-1] if "@" in parsed.from_address else ""
    if not from_domain or parsed.message is None:
        return NONE
    verdict: str = NONE
    if mailbox.trusted_authserv_id:
        verdict = _authentication_results(mailbox.trusted_authserv_id, parsed, from_domain)
    if verdict == NONE and mailbox.verify_dkim and all_headers(parsed.message, "DKIM-Signature"):
        verdict = _dkim(raw, from_domain)
    return verdict


def _authentication_results(authserv_id: str, parsed: ParsedMessage, from_domain: str) -> str:
    assert parsed.message is not None
    for value in all_headers(parsed.message, "Authentication-Results"):
        server, _sep, results = value.partition(";")
        if server.strip().split()[0:1] != [authserv_id.strip()] and server.strip().lower() != authserv_id.lower():
            continue
        outcome: dict[str, tuple[str, bool]] = {}
        for method, result, props in _RESULT.findall(results):
            domains = _DOMAIN_PROPS.findall(props)
            is_aligned = any(aligned(d, from_domain) for d in domains) if domains else method.lower() == "dmarc"
            outcome.setdefault(method.lower(), (result.lower(), is_aligned))
        if outcome.get("dmarc", ("", False))[0] == "pass":
            return PASS
        if any(outcome.get(m, ("", False)) == ("pass", True) for m in ("dkim", "spf")):
            return PASS
        if outcome.get("dmarc", ("", False))[0] in {"fail", "quarantine", "reject"}:
            return FAIL
        spf, dkim_result = outcome.get("spf", ("", False))[0], outcome.get("dkim", ("", False))[0]
        if spf in {"fail", "softfail"} and dkim_result in {"fail", "none", ""}:
            return FAIL
        return NONE  # only the first header of the trusted server counts (it is the topmost)
    return NONE


def _dns() -> Callable[..., Any]:
    path = getattr(settings, "OKIENKO_DKIM_DNS", "")
    found: Callable[..., Any] = import_string(path) if path else dkim.dnsplug.get_txt
    return found


def _dkim(raw: bytes, from_domain: str) -> str:
    signature = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    domains = [m.decode("ascii", "replace") for m in _DKIM_DOMAIN.findall(_dkim_header(signature))]
    if not any(aligned(d, from_domain) for d in domains):
        return NONE  # a signature by another domain (a list, a relay) says nothing about the sender
    try:
        ok = dkim.verify(raw, dnsfunc=_dns(), timeout=DKIM_TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - DNS down or a malformed signature: no evidence
        log.info("DKIM check could not run: %s", exc)
        return NONE
    return PASS if ok else FAIL


def _dkim_header(head: bytes) -> bytes:
    lines = re.split(rb"\r?\n(?![ \t])", head)
    return b"\n".join(line for line in lines if line.lower().startswith(b"dkim-signature:"))
