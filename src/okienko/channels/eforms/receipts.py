"""The official acknowledgement of receipt (UPO-style): an XML document naming the submission's
SHA-256, the time it was received and what became of it, signed (enveloped XMLDSig) with the
installation's key (ADR 0056).

The key and certificate come from ``OKIENKO_EFORMS_KEY_FILE``/``OKIENKO_EFORMS_CERT_FILE``
(production: the office's seal); when those are not set a self-signed pair is generated on first
use into ``var/eforms/`` (readable by the owner only, never committed).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from lxml import etree
from signxml.algorithms import SignatureMethod
from signxml.signer import XMLSigner

from okienko.core import clock

NS = "urn:okienko:eforms:receipt:1"
R = f"{{{NS}}}"
_lock = threading.Lock()


@dataclass(frozen=True)
class SealKey:
    key_pem: bytes
    cert_pem: bytes


def folder() -> Path:
    return Path(settings.VAR_DIR) / "eforms"


def _generate(key_path: Path, cert_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Okienko"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Okienko - potwierdzenia odbioru (self-signed)"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # O_EXCL: of two processes generating at once one wins; the other reads the winner's pair.
    try:
        descriptor = os.open(key_path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_bytes)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.replace(key_path.with_suffix(".tmp"), key_path)


@functools.cache
def seal_key() -> SealKey:
    """The installation's key and certificate (generated once when not configured)."""
    key_file = str(getattr(settings, "OKIENKO_EFORMS_KEY_FILE", "") or "")
    cert_file = str(getattr(settings, "OKIENKO_EFORMS_CERT_FILE", "") or "")
    if key_file and cert_file:
        return SealKey(Path(key_file).read_bytes(), Path(cert_file).read_bytes())
    key_path, cert_path = folder() / "receipt-key.pem", folder() / "receipt-cert.pem"
    with _lock:
        for _attempt in range(50):
            if key_path.exists() and cert_path.exists():
                return SealKey(key_path.read_bytes(), cert_path.read_bytes())
            _generate(key_path, cert_path)
            if not key_path.exists():
                time.sleep(0.1)  # another process is writing the pair
    raise RuntimeError(f"the receipt key could not be created in {folder()}")


@functools.cache
def _private_key() -> Any:
    """The key loaded once per process (loading checks an RSA key, which costs ~0.1 s)."""
    return serialization.load_pem_private_key(seal_key().key_pem, password=None)


def build(
    *,
    submission_uuid: str,
    sha256: str,
    received_at: dt.datetime,
    form_code: str,
    recipient: str,
    status: str,
    reasons: list[str],
    case_number: str = "",
) -> bytes:
    """The signed receipt of one submission."""
    root = etree.Element(f"{R}Receipt", nsmap={"r": NS})
    root.set("id", f"upo-{submission_uuid}")
    for name, value in (
        ("Submission", submission_uuid),
        ("SHA256", sha256),
        ("ReceivedAt", received_at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")),
        ("IssuedAt", clock.now().astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")),
        ("Form", form_code),
        ("Recipient", recipient),
        ("Status", status),
    ):
        etree.SubElement(root, f"{R}{name}").text = value
    if case_number:
        etree.SubElement(root, f"{R}CaseNumber").text = case_number
    for reason in reasons:
        etree.SubElement(root, f"{R}Reason").text = reason
    key = seal_key()
    signer = XMLSigner(signature_algorithm=SignatureMethod.RSA_SHA256)
    signed = signer.sign(root, key=_private_key(), cert=key.cert_pem.decode())
    document: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return document
