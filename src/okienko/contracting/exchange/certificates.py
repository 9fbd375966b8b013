"""End of contract: data closing on each side and the signed deletion/archival certificates
(issue 18, item 5; ADR 0063 decision 7; docs/contracting/exchange.md).

1. **Sharing stops at once.** Ending or cancelling a contract lapses its requests on the office's
   installation (``actions.change_contract_status``) and, through ``contract.status``, on the
   agency's (``sync.apply_contract_status``); a package for an ended contract is refused
   (``state_refused``). The office also sends ``contract.end`` {ended_on, policy, at}: the agency
   learns the policy, lapses what is left and schedules its closing (``DataClosure``).
2. **Closing** (``close_data``, while the contract is *closing data* or was cancelled): each side
   removes the *other side's* data it holds — the ``SharedRecord`` packages of requests where its
   institution is the recipient (evidence files do not cross installations yet). With the *delete*
   policy they are deleted; with *archive* they are first written into an archive encrypted to the
   institution's own X25519 key (a compact JWE, ``envelope.encrypt_to``: unlike ``secretbox`` it
   does not depend on ``SECRET_KEY`` rotation, and the private halves of retired keys are never
   deleted, so the archive opens for its whole retention), stored as a ``DataArchive`` kept until
   31 December of the year ``OKIENKO_EXCHANGE_ARCHIVE_YEARS`` (5: category B5 and art. 82 of
   Regulation 2021/1060) after the closing year, each record access-logged (``export``,
   reason "archived"). Both record the count and a SHA-256 over the canonical JSON of the records.
3. **Certificate.** A statement {contract uuid and number, issuer, counterparty, kind, records,
   digest, archive retention date, closed and issued times} signed as a compact JWS with the
   institution's Ed25519 key, plus a PDF of the statement signed with pyHanko under an X.509
   certificate the institution issues itself for the same Ed25519 key (subject: its name,
   serialNumber: its NIP) — time-stamped when a TSA is configured. Ours is stored and, when the
   other side is a partner, sent as ``certificate``. The receiver verifies the JWS with the
   partner's registered signing key, that the statement names the sender and the contract, that
   the PDF's signature validates and that its signer's public key *is* the partner's registered
   key; then stores it and marks the partner's side certified. The contract closes only with both.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.contracting import accesslog
from okienko.contracting.access import require_side
from okienko.contracting.exchange import envelope, inbound, keys, sync, tsa
from okienko.contracting.exchange.envelope import Opened, Refused
from okienko.contracting.exchange.inbound import handler
from okienko.contracting.exchange.models import (
    ContractCertificate,
    DataArchive,
    DataClosure,
    Direction,
    ExchangeMessage,
    InstitutionKey,
    KeyUse,
    Partner,
)
from okienko.contracting.models import AccessLog, Contract, SharedRecord
from okienko.contracting.replication import Change
from okienko.contracting.states import AGENCY, OFFICE, ContractStatus
from okienko.core import audit, clock, pdf, uploads
from okienko.core.actors import Actor
from okienko.core.errors import Conflict

CS = ContractStatus
TYP = "okienko-certificate+json"
ENDED = (CS.ENDED, CS.CANCELLED)
CLOSABLE = (CS.CLOSING_DATA, CS.CANCELLED)
FIELD = {OFFICE: "office_certified_at", AGENCY: "agency_certified_at"}
RECEIVED = {OFFICE: "agency_to_office", AGENCY: "office_to_agency"}


def institution_ref(organisation: Organisation) -> str:
    """``PL-NIP-…`` when the institution has a NIP; part 1's single installation may have none."""
    try:
        return keys.institution_id(organisation)
    except keys.NoKey:
        return f"ORG-{organisation.uuid}"


def _party(contract: Contract, side: str) -> Organisation:
    return contract.office if side == OFFICE else contract.agency


def _other(side: str) -> str:
    return AGENCY if side == OFFICE else OFFICE


def _partner_of(organisation: Organisation) -> Partner | None:
    return Partner.objects.filter(organisation=organisation).first()


# --- contract.end --------------------------------------------------------------------------------


def _schedule(contract: Contract, organisation: Organisation, *, ended_on: dt.date | None) -> DataClosure:
    closure, _created = DataClosure.objects.get_or_create(
        contract=contract,
        organisation=organisation,
        defaults={"policy": contract.end_policy, "ended_on": ended_on, "notified_at": clock.now()},
    )
    return closure


def on_change(change: Change) -> None:
    """The replication listener: a contract that ended (or was cancelled) here tells the partner
    its end and policy (``contract.end``) right after the status message, and schedules our own
    closing. Changes applied from a partner's message are not echoed."""
    contract = change.obj
    if change.kind != "status" or not isinstance(contract, Contract) or change.data.get("to") not in ENDED:
        return
    if sync.is_exchange_actor(change.actor):
        return
    today = clock.local_now().date()
    for party in (contract.office, contract.agency):
        if not hasattr(party, "exchange_partner"):
            _schedule(contract, party, ended_on=today)
    for partner in sync.partners_of(contract).values():
        if partner.status != Partner.Status.TRUSTED or partner.organisation_id == contract.office_id:
            continue
        body = {"ended_on": today.isoformat(), "policy": contract.end_policy, "at": clock.now().isoformat()}
        sync._queue(contract, partner, "contract.end", body)


@handler("contract.end")
def apply_contract_end(opened: Opened, message: ExchangeMessage) -> None:
    """The office ended the contract: sharing stops here at once, our closing is scheduled."""
    contract = sync._contract(opened)
    if sync._side_of(opened.partner, contract) != OFFICE:
        raise Refused("wrong_contract", "only the office ends the contract")
    if opened.body["policy"] != contract.end_policy:
        raise Refused("conflict", f"here the contract's policy is {contract.end_policy}")
    from okienko.contracting.sharing import lapse_requests

    actor = inbound.actor_for(opened.partner.institution_id)
    lapsed = lapse_requests(contract=contract, actor=actor)
    closure = _schedule(contract, opened.receiver, ended_on=dt.date.fromisoformat(opened.body["ended_on"]))
    audit.record(
        "contracting.exchange.contract_end",
        actor=actor,
        obj=contract,
        organisation_id=opened.receiver.pk,
        data={"policy": closure.policy, "ended_on": opened.body["ended_on"], "requests_lapsed": lapsed},
    )


# --- Closing -------------------------------------------------------------------------------------


def retention_until(closed: dt.date) -> dt.date:
    """Kept for ``OKIENKO_EXCHANGE_ARCHIVE_YEARS`` full calendar years after the closing year (the
    Polish file-plan rule: the period runs from 1 January of the year after the matter closed)."""
    years = int(getattr(settings, "OKIENKO_EXCHANGE_ARCHIVE_YEARS", 5))
    return dt.date(closed.year + years, 12, 31)


def _received(contract: Contract, side: str) -> Any:
    return SharedRecord.objects.filter(request__contract=contract, request__direction=RECEIVED[side]).select_related(
        "request", "request__purpose"
    )


def _record_json(record: SharedRecord) -> dict[str, Any]:
    return {
        "record_id": str(record.message_id),
        "ref": record.participant_ref,
        "request": str(record.request.uuid),
        "purpose": record.request.purpose.code,
        "fields": record.fields,
        "sha256": record.payload_sha256,
        "received_at": record.created_at.isoformat(),
    }


@dataclass(frozen=True)
class Closed:
    records: int
    digest: str
    archive: DataArchive | None
    certificate: ContractCertificate


def _archive(
    closure: DataClosure, organisation: Organisation, items: list[dict[str, Any]], contract: Contract
) -> DataArchive:
    keys.ensure_keys(organisation)
    key = keys.current(organisation, KeyUse.ENCRYPT)
    content = envelope.canonical(
        {
            "contract": {"uuid": str(contract.uuid), "number": contract.number},
            "institution": institution_ref(organisation),
            "archived_at": clock.now().isoformat(),
            "records": items,
        }
    )
    data = envelope.encrypt_to(key.public_jwk, content).encode("ascii")
    now = clock.now()
    archive = DataArchive(
        closure=closure,
        kid=key.kid,
        records=len(items),
        retention_until=retention_until(clock.local_now().date()),
        created_at=now,
    )
    checked = uploads.CheckedFile(content_type="application/jose", size=len(data), sha256=envelope.sha256(data))
    archive.store(data, checked, sent_name=f"archiwum-{contract.number}.jwe")
    return archive


def open_archive(archive: DataArchive) -> dict[str, Any]:
    """The archived records (for an authorised inspection; the caller logs the access). Retired
    keys still open it: their private halves are never deleted."""
    key = InstitutionKey.objects.get(kid=archive.kid, use=KeyUse.ENCRYPT)
    with archive.file.open("rb") as handle:
        compact = handle.read().decode("ascii")
    from joserfc import jwe

    plain = jwe.decrypt_compact(compact, keys.private_key(key), registry=envelope._jwe_registry()).plaintext
    return dict(json.loads(plain or b"{}"))


def close_data(*, actor: Actor, contract: Contract) -> Closed:
    """The actor's side closes the other side's data it holds per the contract's policy and
    issues its signed certificate (sent to the partner when the other side is on another
    installation). Only while the contract's data is being closed (or it was cancelled); once."""
    if contract.status not in CLOSABLE:
        raise Conflict(_("Certificates are issued while the contract's data is being closed."))
    side = require_side(actor, contract, OFFICE, AGENCY)
    own = _party(contract, side)
    if hasattr(own, "exchange_partner"):
        raise Conflict(_("This institution's data is closed on its own installation."))
    field = FIELD[side]
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        if getattr(locked, field) is not None:
            raise Conflict(_("Your side has already certified the closure of the data."))
        rows = list(_received(contract, side).order_by("message_id"))
        items = [_record_json(r) for r in rows]
        digest = envelope.sha256(envelope.canonical(items))
        now = clock.now()
        closure = _schedule(contract, own, ended_on=None)
        archive = None
        if contract.end_policy == Contract.EndPolicy.ARCHIVE and items:
            archive = _archive(closure, own, items, contract)
            accesslog.append(
                [
                    accesslog.Entry(
                        action=AccessLog.Action.EXPORT,
                        participant_ref=r.participant_ref,
                        fields=sorted(r.fields),
                        purpose=r.request.purpose.code,
                        request_uuid=str(r.request.uuid),
                        message_id=str(r.message_id),
                        reason="archived",
                    )
                    for r in rows
                ],
                actor=actor,
                institution=own,
            )
        deleted = SharedRecord.objects.filter(pk__in=[r.pk for r in rows]).delete()[0] if rows else 0
        closure.records = len(items)
        closure.digest = digest
        closure.status = DataClosure.Status.DONE
        closure.closed_at = now
        closure.closed_by = user_of(actor)
        closure.save(update_fields=["records", "digest", "status", "closed_at", "closed_by"])
        certificate = issue(contract=contract, side=side, closure=closure, archive=archive)
        setattr(contract, field, now)
        contract.updated_at = now
        contract.save(update_fields=[field, "updated_at"])
        audit.record(
            "contracting.contract.certified",
            actor=actor,
            obj=contract,
            organisation_id=contract.office_id,
            data={
                "side": side,
                "policy": contract.end_policy,
                "records": len(items),
                "digest": digest,
                "packages_deleted": deleted if contract.end_policy == Contract.EndPolicy.DELETE else 0,
                "packages_archived": len(items) if archive else 0,
                "certificate": str(certificate.uuid),
                **({"archive_until": archive.retention_until.isoformat()} if archive else {}),
            },
        )
        partner = _partner_of(_party(contract, _other(side)))
        if partner is not None and partner.status == Partner.Status.TRUSTED:
            keys.ensure_keys(own)
            sync._queue(contract, partner, "certificate", message_body(certificate))
    return Closed(len(items), digest, archive, certificate)


# --- The certificate -----------------------------------------------------------------------------


def statement_of(
    *, contract: Contract, side: str, closure: DataClosure, archive: DataArchive | None, issued_at: dt.datetime
) -> dict[str, Any]:
    own, other = _party(contract, side), _party(contract, _other(side))
    return {
        "v": 1,
        "type": "contract-data-closure",
        "contract": {"uuid": str(contract.uuid), "number": contract.number},
        "issuer": {"institution_id": institution_ref(own), "name": own.name, "side": side},
        "counterparty": {"institution_id": institution_ref(other), "name": other.name},
        "kind": contract.end_policy,
        "records": closure.records,
        "digest": closure.digest,
        "archive_retention_until": archive.retention_until.isoformat() if archive else None,
        "closed_at": (closure.closed_at or issued_at).isoformat(),
        "issued_at": issued_at.isoformat(),
    }


def sign_statement(statement: dict[str, Any], signing: InstitutionKey) -> str:
    """The statement as a compact JWS (``alg`` Ed25519) over its canonical JSON."""
    protected = {"alg": envelope.ALG, "kid": signing.kid, "typ": TYP}
    return jws.serialize_compact(
        protected, envelope.canonical(statement), keys.private_key(signing), registry=envelope._jws_registry()
    )


def x509_certificate(organisation: Organisation, signing: InstitutionKey) -> tuple[x509.Certificate, Any]:
    """A self-issued X.509 certificate for the institution's Ed25519 signing key (subject: its
    name; serialNumber: its NIP), and the private key — what pyHanko signs PDFs with. Its trust
    comes from the key, registered with the partner through the card, not from any CA."""
    private = keys.private_key(signing).private_key
    if not isinstance(private, ed25519.Ed25519PrivateKey):
        raise TypeError("the signing key is not Ed25519")
    profile = getattr(organisation, "contracting_profile", None)
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.name[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, organisation.name[:64]),
    ]
    if profile is not None and profile.nip:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, profile.nip))
    name = x509.Name(attributes)
    now = clock.now()
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(signing.created_at, now) - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(private, None)
    )
    return built, private


def _pdf_story(statement: dict[str, Any]) -> tuple[pdf.Page, list[pdf.Flowable]]:
    kind = _("deletion") if statement["kind"] == "delete" else _("archival")
    title = _("Certificate of %(kind)s of the data of contract %(number)s") % {
        "kind": kind,
        "number": statement["contract"]["number"],
    }
    issued = dt.datetime.fromisoformat(statement["issued_at"])
    retention = statement.get("archive_retention_until")
    facts = [
        (_("Contract"), f"{statement['contract']['number']} ({statement['contract']['uuid']})"),
        (_("Issued by"), f"{statement['issuer']['name']} ({statement['issuer']['institution_id']})"),
        (_("Data of"), f"{statement['counterparty']['name']} ({statement['counterparty']['institution_id']})"),
        (_("What was done"), kind),
        (_("Records"), str(statement["records"])),
        (_("SHA-256 of the records"), statement["digest"]),
        (
            _("Issued"),
            formats.date_format(issued.astimezone(clock.WARSAW), "SHORT_DATETIME_FORMAT"),
        ),
    ]
    if retention:
        facts.append(
            (_("Archive kept until"), formats.date_format(dt.date.fromisoformat(retention), "SHORT_DATE_FORMAT"))
        )
    text = (
        _(
            "%(issuer)s certifies that the data of %(other)s it held under the contract was deleted "
            "and no copy remains in its system."
        )
        if statement["kind"] == "delete"
        else _(
            "%(issuer)s certifies that the data of %(other)s it held under the contract was moved into "
            "an encrypted archive, readable only by its own key and access-logged, and removed from its "
            "working system; the archive is destroyed after the date shown."
        )
    ) % {"issuer": statement["issuer"]["name"], "other": statement["counterparty"]["name"]}
    story: list[pdf.Flowable] = [
        pdf.heading(title),
        pdf.facts(facts),
        pdf.spacer(),
        pdf.text(text),
        pdf.spacer(),
        pdf.note(
            _(
                "This document is signed electronically with the institution's key; the same statement "
                "is issued as signed JSON (JWS). SHA-256 of the statement: %(hash)s"
            )
            % {"hash": envelope.sha256(envelope.canonical(statement))}
        ),
    ]
    page = pdf.Page(
        title=title,
        institutions=[statement["issuer"]["name"], statement["counterparty"]["name"]],
        generated_at=issued,
    )
    return page, story


def render_pdf(statement: dict[str, Any], organisation: Organisation, signing: InstitutionKey) -> bytes:
    """The statement as a PDF signed with pyHanko (time-stamped when a TSA is configured)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    page, story = _pdf_story(statement)
    unsigned = pdf.render(page, story, author=organisation.name, subject=page.title)
    certificate, private = x509_certificate(organisation, signing)
    asn1_cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    signer = signers.SimpleSigner(
        signing_cert=asn1_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(
            private.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([asn1_cert]),  # type: ignore[no-untyped-call]
    )
    meta = signers.PdfSignatureMetadata(
        field_name="OkienkoCertificate",
        md_algorithm="sha512",
        reason=page.title[:200],
        name=organisation.name[:200],
    )
    timestamper = (
        HTTPTimeStamper(tsa.url(), timeout=int(tsa.timeout()))  # type: ignore[no-untyped-call]
        if tsa.configured()
        else None
    )
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(unsigned)), meta, signer=signer, timestamper=timestamper)
    return bytes(out.getvalue())


def issue(*, contract: Contract, side: str, closure: DataClosure, archive: DataArchive | None) -> ContractCertificate:
    own = _party(contract, side)
    keys.ensure_keys(own)
    signing = keys.current(own, KeyUse.SIGN)
    issued_at = clock.now()
    statement = statement_of(contract=contract, side=side, closure=closure, archive=archive, issued_at=issued_at)
    signed = sign_statement(statement, signing)
    data = render_pdf(statement, own, signing)
    certificate = ContractCertificate(
        contract=contract,
        issuer=own,
        direction=Direction.OUT,
        kind=statement["kind"],
        statement=statement,
        statement_jws=signed,
        issued_at=issued_at,
        verified_at=issued_at,
        created_at=issued_at,
    )
    checked = uploads.CheckedFile(content_type="application/pdf", size=len(data), sha256=envelope.sha256(data))
    certificate.store(data, checked, sent_name=f"poswiadczenie-{contract.number}-{side}.pdf")
    return certificate


def pdf_bytes(certificate: ContractCertificate) -> bytes:
    with certificate.file.open("rb") as handle:
        return bytes(handle.read())


def message_body(certificate: ContractCertificate) -> dict[str, Any]:
    return {
        "kind": certificate.kind,
        "statement": certificate.statement,
        "statement_jws": certificate.statement_jws,
        "pdf": base64.b64encode(pdf_bytes(certificate)).decode("ascii"),
        "issued_at": certificate.issued_at.isoformat(),
    }


# --- Verifying the partner's certificate ---------------------------------------------------------


def _partner_signing_keys(partner: Partner) -> dict[str, dict[str, Any]]:
    now = clock.now()
    return {
        k.kid: dict(k.public_jwk)
        for k in partner.keys.filter(use=KeyUse.SIGN, revoked_at=None)
        if k.expires_at is None or k.expires_at > now
    }


def verify_statement(token: str, partner: Partner) -> dict[str, Any]:
    """The statement in the JWS, verified with one of the partner's registered signing keys."""
    try:
        header = json.loads(envelope._b64d(token.split(".", 1)[0]))
        kid = str(header.get("kid") or "")
    except (ValueError, IndexError, AttributeError) as exc:
        raise Refused("bad_signature", "the statement is not a JWS") from exc
    jwk = _partner_signing_keys(partner).get(kid)
    if jwk is None:
        raise Refused("bad_signature", "the statement is not signed with the partner's registered key")
    try:
        verified = jws.deserialize_compact(
            token, OKPKey.import_key(keys.public_only(jwk)), registry=envelope._jws_registry()
        )
        return dict(json.loads(verified.payload))
    except (JoseError, ValueError, TypeError) as exc:
        raise Refused("bad_signature", f"the statement's signature does not verify: {exc}"[:200]) from exc


def verify_pdf(data: bytes, partner: Partner) -> dict[str, Any]:
    """Validate the PDF's one signature (intact, covering the whole file) and check that its
    signer's certificate holds the partner's registered Ed25519 key. Returns what was found."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, TypeError, KeyError, OSError) as exc:
        raise Refused("bad_certificate", f"the PDF cannot be read: {exc}"[:200]) from exc
    if len(signatures) != 1:
        raise Refused("bad_certificate", f"the PDF has {len(signatures)} signatures, not one")
    embedded = signatures[0]
    signer = embedded.signer_cert
    raw = signer.public_key.dump()
    public = serialization.load_der_public_key(raw)
    if not isinstance(public, ed25519.Ed25519PublicKey):
        raise Refused("bad_certificate", "the PDF is not signed with an Ed25519 key")
    x = base64.urlsafe_b64encode(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    x_text = x.decode("ascii").rstrip("=")
    if x_text not in {jwk["x"] for jwk in _partner_signing_keys(partner).values()}:
        raise Refused("bad_certificate", "the PDF is signed with a key the partner never registered")
    try:
        context = ValidationContext(trust_roots=[signer], allow_fetching=False)
        status = validate_pdf_signature(embedded, context)
    except (SignatureValidationError, PdfError, ValueError, TypeError, KeyError) as exc:
        raise Refused("bad_certificate", f"the PDF's signature does not validate: {exc}"[:200]) from exc
    if not (status.intact and status.valid):
        raise Refused("bad_certificate", "the PDF's signature does not match its content")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        raise Refused("bad_certificate", "the PDF was changed after it was signed")
    return {"signed_at": str(status.signer_reported_dt or ""), "timestamped": status.timestamp_validity is not None}


def _check_statement(statement: dict[str, Any], body: dict[str, Any], opened: Opened, contract: Contract) -> str:
    if statement != body["statement"]:
        raise Refused("bad_signature", "the signed statement is not the statement sent")
    if statement.get("issuer", {}).get("institution_id") != opened.partner.institution_id:
        raise Refused("bad_signature", "the statement names another issuer than the sender")
    if statement.get("contract", {}).get("uuid") != str(contract.uuid):
        raise Refused("wrong_contract", "the statement is for another contract")
    if statement.get("counterparty", {}).get("institution_id") != keys.institution_id(opened.receiver):
        raise Refused("wrong_contract", "the statement names another counterparty")
    if statement.get("kind") != body["kind"] or body["kind"] != contract.end_policy:
        raise Refused("conflict", f"the contract's policy here is {contract.end_policy}")
    return sync._side_of(opened.partner, contract)


@handler("certificate")
def apply_certificate(opened: Opened, message: ExchangeMessage) -> None:
    """The partner's deletion/archival certificate: verified, stored, its side marked certified."""
    contract = sync._contract(opened)
    body = opened.body
    statement = verify_statement(body["statement_jws"], opened.partner)
    side = _check_statement(statement, body, opened, contract)
    try:
        data = base64.b64decode(body["pdf"], validate=True)
    except ValueError as exc:
        raise Refused("bad_certificate", "the PDF is not base64") from exc
    found = verify_pdf(data, opened.partner)
    existing = ContractCertificate.objects.filter(contract=contract, issuer=opened.partner.organisation).first()
    if existing is not None:
        if existing.statement_jws == body["statement_jws"]:
            return
        raise Refused("conflict", "a different certificate of the partner is already stored")
    now = clock.now()
    certificate = ContractCertificate(
        contract=contract,
        issuer=opened.partner.organisation,
        direction=Direction.IN,
        kind=body["kind"],
        statement=statement,
        statement_jws=body["statement_jws"],
        issued_at=dt.datetime.fromisoformat(body["issued_at"]),
        verified_at=now,
        message=message,
        created_at=now,
    )
    checked = uploads.CheckedFile(content_type="application/pdf", size=len(data), sha256=envelope.sha256(data))
    certificate.store(data, checked, sent_name=f"poswiadczenie-{contract.number}-{side}.pdf")
    field = FIELD[side]
    setattr(contract, field, now)
    contract.updated_at = now
    contract.save(update_fields=[field, "updated_at"])
    audit.record(
        "contracting.exchange.certificate_received",
        actor=inbound.actor_for(opened.partner.institution_id),
        obj=contract,
        organisation_id=opened.receiver.pk,
        data={
            "side": side,
            "kind": body["kind"],
            "records": statement.get("records"),
            "digest": statement.get("digest"),
            "certificate": str(certificate.uuid),
            **found,
        },
    )
