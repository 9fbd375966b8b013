"""Revocation lists of the signers' authorities (issue 14: no OCSP/CRL checking was left open)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from okienko.channels.eforms import sample
from okienko.channels.eforms.intake import receive as receive_raw
from okienko.channels.eforms.models import EFormSubmission

from .conftest import Office, report

S = EFormSubmission.Status
NOW = dt.datetime.now(dt.UTC)


def receive(data: bytes) -> EFormSubmission:
    submission, _new = receive_raw(data, transport="api")
    return submission


def crl(authority: sample.Signer, revoked: list[x509.Certificate], *, next_update: dt.datetime) -> bytes:
    key = serialization.load_pem_private_key(authority.key_pem, password=None)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.cert.subject)
        .last_update(NOW - dt.timedelta(hours=1))
        .next_update(next_update)
    )
    for certificate in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(certificate.serial_number)
            .revocation_date(NOW - dt.timedelta(minutes=30))
            .build()
        )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)  # type: ignore[arg-type]


@pytest.fixture
def authority(settings: Any, tmp_path: Path) -> sample.Signer:
    found = sample.make_signer("Test CA", ca=True)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(found.cert_pem)
    settings.OKIENKO_EFORMS_TRUSTED_CA_FILE = str(ca_file)
    settings.OKIENKO_EFORMS_CRL_DIR = str(tmp_path / "crl")
    (tmp_path / "crl").mkdir()
    return found


def test_a_revoked_signer_is_rejected_and_others_accepted(
    office: Office, authority: sample.Signer, tmp_path: Path
) -> None:
    good = sample.make_signer("Anna Nowak", issuer=authority)
    bad = sample.make_signer("Jan Kowalski", issuer=authority)
    (tmp_path / "crl" / "test-ca.crl").write_bytes(crl(authority, [bad.cert], next_update=NOW + dt.timedelta(days=7)))
    accepted = receive(report(good))
    assert accepted.status == S.ACCEPTED, accepted.reasons
    refused = receive(report(bad, xades=True))
    assert refused.status == S.REJECTED
    assert "revoked" in refused.reasons[0]


def test_an_out_of_date_list_quarantines_the_submission(
    office: Office, authority: sample.Signer, tmp_path: Path
) -> None:
    signer = sample.make_signer("Anna Nowak", issuer=authority)
    (tmp_path / "crl" / "old.crl").write_bytes(crl(authority, [], next_update=NOW - dt.timedelta(hours=1)))
    submission = receive(report(signer))
    assert submission.status == S.QUARANTINED
    assert "out of date" in submission.reasons[0]
    assert "RevocationUnknown" not in submission.reasons[0]


def test_a_list_not_signed_by_the_authority_is_not_believed(
    office: Office, authority: sample.Signer, tmp_path: Path, settings: Any
) -> None:
    signer = sample.make_signer("Anna Nowak", issuer=authority)
    forger = sample.make_signer("Test CA", ca=True)  # the same name, another key
    (tmp_path / "crl" / "forged.crl").write_bytes(crl(forger, [signer.cert], next_update=NOW + dt.timedelta(days=7)))
    (tmp_path / "crl" / "junk.crl").write_bytes(b"not a list")
    assert receive(report(signer)).status == S.ACCEPTED
    settings.OKIENKO_EFORMS_CRL_REQUIRED = True  # now the lack of a believable list holds it back
    again = receive(report(signer, description="Inna dziura w jezdni na ulicy Piotrkowskiej, duża."))
    assert again.status == S.QUARANTINED
    assert "no revocation list" in again.reasons[0]
