"""Sender verification: a real DKIM signature checked with dkimpy (the key served by a stand-in
resolver), and the alignment rule."""

from __future__ import annotations

import base64
from typing import Any

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from okienko.channels.email import sender
from okienko.channels.email.parse import parse
from okienko.channels.email.pipeline import ingest
from okienko.channels.models import InboundMessage
from tests.channels.conftest import Post, message

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
PUBLIC = KEY.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
RECORDS = {b"sel._domainkey.example.pl.": b"v=DKIM1; k=rsa; p=" + base64.b64encode(PUBLIC)}


def fake_dns(name: bytes, timeout: int = 5) -> bytes | None:
    """The TXT record of the test key (no network in the tests)."""
    return RECORDS.get(name)


def signed(raw: bytes, domain: bytes = b"example.pl") -> bytes:
    signature = dkim.sign(raw, b"sel", domain, PRIVATE, include_headers=[b"from", b"to", b"subject", b"message-id"])
    return bytes(signature) + raw


@pytest.fixture
def dkim_mailbox(post: Post, settings: Any) -> Post:
    settings.OKIENKO_DKIM_DNS = "tests.channels.test_sender.fake_dns"
    post.mailbox.verify_dkim = True
    post.mailbox.trusted_authserv_id = ""
    post.mailbox.save()
    return post


@pytest.mark.django_db
def test_valid_dkim_signature_verifies_the_sender(dkim_mailbox: Post) -> None:
    inbound = ingest(dkim_mailbox.mailbox, signed(message()))
    assert inbound.sender_check == InboundMessage.SenderCheck.PASS


@pytest.mark.django_db
def test_altered_message_fails_dkim(dkim_mailbox: Post) -> None:
    """A body changed after signing (a forgery): failed, flagged, not linked to the client."""
    raw = signed(message()).replace(b"informacj", b"INFORMACJ")
    inbound = ingest(dkim_mailbox.mailbox, raw)
    assert inbound.sender_check == InboundMessage.SenderCheck.FAIL
    assert inbound.client is None


@pytest.mark.django_db
def test_signature_of_another_domain_proves_nothing(dkim_mailbox: Post) -> None:
    inbound = ingest(dkim_mailbox.mailbox, signed(message(), domain=b"lists.example.org"))
    assert inbound.sender_check == InboundMessage.SenderCheck.NONE


@pytest.mark.django_db
def test_dkim_not_checked_unless_the_mailbox_says_so(post: Post) -> None:
    raw = signed(message()).replace(b"informacj", b"INFORMACJ")
    post.mailbox.trusted_authserv_id = ""
    assert sender.check(post.mailbox, raw, parse(raw)) == InboundMessage.SenderCheck.NONE


@pytest.mark.parametrize(
    ("domain", "from_domain", "expected"),
    [
        ("example.pl", "example.pl", True),
        ("mail.example.pl", "example.pl", True),
        ("example.pl", "biuro.example.pl", True),
        ("@example.pl", "example.pl", True),
        ("evil.example", "example.pl", False),
        ("pl", "example.pl", False),
        ("", "example.pl", False),
    ],
)
def test_alignment(domain: str, from_domain: str, expected: bool) -> None:
    assert sender.aligned(domain, from_domain) is expected
