"""RFC 3161 time stamps of the exchange (issue 18, item 2; ADR 0063 decision 3).

Where a time-stamping authority is configured (``OKIENKO_EXCHANGE_TSA_URL``; empty: none), every
envelope this installation seals carries a time-stamp token over its signature in the unprotected
header ``tst``, and the certificates' PDF signatures are time-stamped too. ``stamp`` asks the TSA
(HTTP ``application/timestamp-query``, RFC 3161 §3.4) for a token over SHA-256 of the data;
``check`` accepts a received token only when its ``messageImprint`` is SHA-256 of the data and —
when ``OKIENKO_EXCHANGE_TSA_CERT`` names the TSA's certificate (PEM or DER file) — when the token is
signed by that certificate's key. Without the certificate only the imprint is checked (a token
then proves nothing about time, only that the sender attached one: configure the certificate).

The request is built and the response parsed by pyHanko (``TimeStamper.request_cms``,
``handle_tsp_response``: status granted, nonce echoed); the token's signature is verified here
with ``cryptography`` (RSA PKCS#1 v1.5, RSA-PSS, ECDSA, Ed25519), over the DER of the signed
attributes, whose ``message_digest`` must be the digest of the ``TSTInfo``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import requests
from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from django.conf import settings
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, handle_tsp_response

QUERY = "application/timestamp-query"
REPLY = "application/timestamp-reply"
HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class TsaUnavailable(RuntimeError):
    """The time-stamping authority did not answer with a granted token."""


def url() -> str:
    return str(getattr(settings, "OKIENKO_EXCHANGE_TSA_URL", "") or "")


def configured() -> bool:
    return bool(url())


def timeout() -> float:
    return float(getattr(settings, "OKIENKO_EXCHANGE_TSA_TIMEOUT", 10.0))


def stamper() -> Any:
    """``stamp`` when a TSA is configured, else ``None`` (what ``envelope.seal`` takes)."""
    return stamp if configured() else None


def stamp(data: bytes) -> str:
    """A time-stamp token (base64 DER ``ContentInfo``) over SHA-256 of ``data`` from the TSA."""
    digest = hashlib.sha256(data).digest()
    nonce, request = TimeStamper().request_cms(digest, "sha256")  # type: ignore[no-untyped-call]
    try:
        answer = requests.post(url(), data=request.dump(), headers={"Content-Type": QUERY}, timeout=timeout())
    except requests.RequestException as exc:
        raise TsaUnavailable(f"the time-stamping authority did not answer: {exc}") from exc
    if answer.status_code != 200 or answer.headers.get("Content-Type", "").split(";")[0].strip() != REPLY:
        raise TsaUnavailable(
            f"the time-stamping authority answered {answer.status_code} {answer.headers.get('Content-Type')}"
        )
    try:
        token = handle_tsp_response(tsp.TimeStampResp.load(answer.content), nonce)
    except (TimestampRequestError, ValueError, TypeError) as exc:
        raise TsaUnavailable(f"the time-stamping authority refused or answered nonsense: {exc}") from exc
    return base64.b64encode(token.dump()).decode("ascii")


@cache
def _certificate(path: str) -> x509.Certificate:
    raw = Path(path).read_bytes()
    if b"-----BEGIN" in raw:
        return x509.load_pem_x509_certificate(raw)
    return x509.load_der_x509_certificate(raw)


def tsa_certificate() -> x509.Certificate | None:
    path = str(getattr(settings, "OKIENKO_EXCHANGE_TSA_CERT", "") or "")
    return _certificate(path) if path else None


def _signed_data(token: str) -> tuple[cms.SignedData, tsp.TSTInfo]:
    try:
        info = cms.ContentInfo.load(base64.b64decode(token, validate=True))
        if info["content_type"].native != "signed_data":
            raise ValueError("the token is not CMS SignedData")
        signed: cms.SignedData = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise ValueError("the token does not hold a TSTInfo")
        tst_info: tsp.TSTInfo = encap["content"].parsed
        tst_info.native  # noqa: B018  # parse it all now: a damaged token fails here, not later
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise ValueError(f"not a time-stamp token: {exc}") from exc
    return signed, tst_info


def gen_time(token: str) -> Any:
    """When the TSA says the data existed (``TSTInfo.genTime``)."""
    return _signed_data(token)[1]["gen_time"].native


def check(token: str, data: bytes) -> None:
    """Raise ``ValueError`` unless ``token`` is a time-stamp token over SHA-256 of ``data``
    (and, with ``OKIENKO_EXCHANGE_TSA_CERT`` set, signed by that TSA)."""
    signed, tst_info = _signed_data(token)
    imprint = tst_info["message_imprint"]
    if imprint["hash_algorithm"]["algorithm"].native != "sha256":
        raise ValueError("the token's imprint is not SHA-256")
    if imprint["hashed_message"].native != hashlib.sha256(data).digest():
        raise ValueError("the token is for other data")
    certificate = tsa_certificate()
    if certificate is not None:
        _verify_signature(signed, certificate)


def _verify_signature(signed: cms.SignedData, certificate: x509.Certificate) -> None:
    infos = signed["signer_infos"]
    if len(infos) != 1:
        raise ValueError("a time-stamp token has exactly one signer")
    signer = infos[0]
    sid = signer["sid"]
    if sid.name == "issuer_and_serial_number" and sid.chosen["serial_number"].native != certificate.serial_number:
        raise ValueError("the token is signed by another TSA certificate")
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in HASHES:
        raise ValueError(f"digest {digest_name} not accepted")
    attributes = signer["signed_attrs"]
    if not attributes:
        raise ValueError("the token has no signed attributes")
    content = signed["encap_content_info"]["content"].contents
    digester = hashes.Hash(HASHES[digest_name]())
    digester.update(content)
    wanted = digester.finalize()
    found = [a["values"][0].native for a in attributes if a["type"].native == "message_digest"]
    if found != [wanted]:
        raise ValueError("the token's signed digest does not match its TSTInfo")
    signed_bytes = attributes.untag().dump()
    signature = signer["signature"].native
    algorithm = signer["signature_algorithm"]["algorithm"].native
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if algorithm == "rsassa_pss":
                params = signer["signature_algorithm"]["parameters"]
                pss_hash = HASHES[params["hash_algorithm"]["algorithm"].native]()
                key.verify(
                    signature,
                    signed_bytes,
                    padding.PSS(mgf=padding.MGF1(pss_hash), salt_length=params["salt_length"].native),
                    pss_hash,
                )
            else:
                key.verify(signature, signed_bytes, padding.PKCS1v15(), HASHES[digest_name]())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed_bytes, ec.ECDSA(HASHES[digest_name]()))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, signed_bytes)
        else:
            raise ValueError("the TSA certificate's key type is not supported")
    except InvalidSignature as exc:
        raise ValueError("the token's signature does not verify with the TSA certificate") from exc
