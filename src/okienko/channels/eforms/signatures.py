"""Checking the enveloped XMLDSig or XAdES signature of a submission (ADR 0056).

The signature must cover the whole document (a reference to ``""``, the enveloped transform):
what is processed is exactly what was signed, so no part can be swapped in beside the signed
one. The signer's certificate comes from the signature's ``KeyInfo``; the cryptographic check is
made against it always. Whether that certificate leads to a trusted authority is checked only
when ``OKIENKO_EFORMS_TRUSTED_CA_FILE`` names a PEM file of trusted CA certificates (off in the
embedded run, where nobody has the qualified trust list; on in production).

Revocation: when ``OKIENKO_EFORMS_CRL_DIR`` names a folder of certificate revocation lists (DER or
PEM, kept current by the operator: the installation makes no network calls, so OCSP is not asked),
a signer whose certificate is on its authority's list is refused, and so is one whose authority's
list has passed its next update (it can no longer say the certificate was not revoked). A list is
believed only when its signature verifies with its authority's certificate from the trusted CA file
(or, without that file, when its issuer is the certificate's issuer). With
``OKIENKO_EFORMS_CRL_REQUIRED`` a signer whose authority has no list there is refused too.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.x509 import verification as _verification  # noqa: F401  (x509.verification)
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from lxml import etree
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature
from signxml.verifier import SignatureConfiguration, XMLVerifier
from signxml.xades.xades import XAdESSignatureConfiguration, XAdESVerifier

from okienko.channels.eforms import xmlsafe

log = logging.getLogger(__name__)

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"


@dataclass(frozen=True)
class Verdict:
    status: str  # "valid", "invalid" or "absent" (EFormSubmission.Signature)
    reason: str = ""
    subject: str = ""
    issuer: str = ""
    serial: str = ""
    signed_at: dt.datetime | None = None


def trusted_ca_file() -> str:
    return str(getattr(settings, "OKIENKO_EFORMS_TRUSTED_CA_FILE", "") or "")


def _signing_key_usage(policy: Any, cert: x509.Certificate, usage: x509.KeyUsage | None) -> None:
    # Qualified signature certificates often allow only non-repudiation (contentCommitment).
    if usage is None or not (usage.digital_signature or usage.content_commitment):
        raise ValueError("the certificate's key usage allows neither digitalSignature nor nonRepudiation")


def signer_policy() -> x509.verification.ExtensionPolicy:
    """What a signer's certificate must allow when the chain is checked."""
    return x509.verification.ExtensionPolicy.permit_all().require_present(
        x509.KeyUsage, x509.verification.Criticality.AGNOSTIC, _signing_key_usage
    )


def _certificate(signature: etree._Element) -> x509.Certificate | None:
    found = signature.find(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    if found is None or not (found.text or "").strip():
        return None
    import base64

    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join(found.text.split())))
    except ValueError:
        return None


def verify(root: etree._Element) -> Verdict:
    """The verdict on the document's signature (see the module docstring)."""
    signatures = root.findall(f"{{{DS}}}Signature")
    if not signatures:
        return Verdict("absent")
    if len(signatures) > 1:
        return Verdict("invalid", _("More than one signature."))
    signature = signatures[0]
    certificate = _certificate(signature)
    if certificate is None:
        return Verdict("invalid", _("The signature carries no X.509 certificate of its signer."))
    facts: dict[str, Any] = {
        "subject": certificate.subject.rfc4514_string()[:500],
        "issuer": certificate.issuer.rfc4514_string()[:500],
        "serial": format(certificate.serial_number, "X")[:100],
    }
    references = signature.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    is_xades = signature.find(f".//{{{XADES}}}QualifyingProperties") is not None
    whole = [r for r in references if (r.get("URI") or "") == ""]
    if len(whole) != 1:
        return Verdict("invalid", _("The signature does not cover the whole document."), **facts)
    # Verified on a copy parsed again by the hardened parser: the verifier must not see the
    # caller's tree (it removes the signature element from what it hashes).
    document = etree.fromstring(etree.tostring(root), parser=xmlsafe.parser())
    ca_file = trusted_ca_file()
    trust: dict[str, Any] = (
        {"ca_pem_file": ca_file, "ee_policy": signer_policy()} if ca_file else {"x509_cert": certificate}
    )
    try:
        if is_xades:
            xades_config = XAdESSignatureConfiguration(expect_references=len(references))
            results = XAdESVerifier().verify(document, expect_config=xades_config, **trust)
            signed = results[0].signed_xml
            signed_at = _signing_time(signature)
        else:
            config = SignatureConfiguration(expect_references=1)
            result = XMLVerifier().verify(document, expect_config=config, **trust)
            signed = result[0].signed_xml if isinstance(result, list) else result.signed_xml
            signed_at = None
    except InvalidCertificate as exc:
        return Verdict("invalid", _("The signer's certificate is not trusted: %(error)s") % {"error": exc}, **facts)
    except (InvalidSignature, InvalidDigest, InvalidInput) as exc:
        return Verdict("invalid", _("The signature is not valid: %(error)s") % {"error": exc}, **facts)
    except Exception as exc:  # whatever a hostile signature makes the verifier do
        log.info("signature check failed", exc_info=True)
        return Verdict(
            "invalid", _("The signature could not be checked: %(error)s") % {"error": type(exc).__name__}, **facts
        )
    if signed is None or signed.tag != root.tag:
        return Verdict("invalid", _("The signature does not cover the whole document."), **facts)
    revoked = revocation(certificate)  # may raise RevocationUnknown: the submission is quarantined
    if revoked:
        return Verdict("invalid", revoked, signed_at=signed_at, **facts)
    return Verdict("valid", "", signed_at=signed_at, **facts)


class RevocationUnknown(Exception):
    """Whether the signer's certificate was revoked cannot be told now (no current list): the
    submission is quarantined, and processed again from the desk once the list is renewed."""


def revocation(certificate: x509.Certificate, now: dt.datetime | None = None) -> str:
    """Why the revocation lists refuse the certificate ("" when they do not); raises
    :class:`RevocationUnknown` when they cannot tell."""
    folder = str(getattr(settings, "OKIENKO_EFORMS_CRL_DIR", "") or "")
    if not folder:
        return ""
    now = now or dt.datetime.now(dt.UTC)
    lists = [crl for crl in _crls(folder) if crl.issuer == certificate.issuer and _believed(crl, certificate)]
    if not lists:
        if getattr(settings, "OKIENKO_EFORMS_CRL_REQUIRED", False):
            raise RevocationUnknown(
                _("There is no revocation list of the signer's authority, so the certificate cannot be checked.")
            )
        return ""
    current = max(lists, key=lambda crl: crl.last_update_utc)
    entry = current.get_revoked_certificate_by_serial_number(certificate.serial_number)
    if entry is not None:
        return _("The signer's certificate was revoked on %(when)s.") % {
            "when": entry.revocation_date_utc.strftime("%Y-%m-%d %H:%M UTC")
        }
    if current.next_update_utc is not None and current.next_update_utc < now:
        raise RevocationUnknown(
            _("The revocation list of the signer's authority is out of date (its next update was due on %(when)s).")
            % {"when": current.next_update_utc.strftime("%Y-%m-%d")}
        )
    return ""


def _crls(folder: str) -> list[x509.CertificateRevocationList]:
    from pathlib import Path

    found = []
    for path in sorted(Path(folder).glob("*"))[:500]:
        if not path.is_file() or path.stat().st_size > 50 * 1024 * 1024:
            continue
        data = path.read_bytes()
        try:
            found.append(
                x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----") else x509.load_der_x509_crl(data)
            )
        except ValueError:
            log.warning("not a certificate revocation list: %s", path.name)
    return found


def _believed(crl: x509.CertificateRevocationList, certificate: x509.Certificate) -> bool:
    """A list counts when its signature verifies with its authority's certificate (from the
    trusted CA file when there is one)."""
    ca_file = trusted_ca_file()
    if not ca_file:
        return True  # no trust list: the chain itself is not checked either
    from pathlib import Path

    try:
        authorities = x509.load_pem_x509_certificates(Path(ca_file).read_bytes())
    except (OSError, ValueError):
        return False
    for authority in authorities:
        if authority.subject != crl.issuer:
            continue
        try:
            if crl.is_signature_valid(authority.public_key()):  # type: ignore[arg-type]
                return True
        except (TypeError, ValueError):
            continue
    log.warning("a revocation list of %s does not verify with a trusted authority", crl.issuer.rfc4514_string())
    return False


def _signing_time(signature: etree._Element) -> dt.datetime | None:
    found = signature.find(f".//{{{XADES}}}SigningTime")
    return parse_datetime((found.text or "").strip()) if found is not None else None
