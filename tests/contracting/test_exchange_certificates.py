"""End of contract between installations (issue 18, item 5): contract.end, data closing per policy
(only the other side's data), signed certificates (JWS + PDF signed with pyHanko) verified against
the partner's registered key, the contract closing only with both; RFC 3161 stamps from a fake TSA."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from joserfc.jwk import OKPKey

from okienko.accounts.models import Organisation, User
from okienko.contracting import accesslog
from okienko.contracting.exchange import certificates, envelope, inbound, keys, outbound, partners, tsa
from okienko.contracting.exchange.models import (
    ContractCertificate,
    DataArchive,
    DataClosure,
    Direction,
    ExchangeMessage,
    InstitutionKey,
    KeyUse,
)
from okienko.contracting.models import (
    AccessLog,
    Contract,
    DataSharingRequest,
    Participant,
    SharedRecord,
    SharingPurpose,
)
from okienko.contracting.states import ContractStatus, SharingStatus
from okienko.core import clock, secretbox
from okienko.core.errors import Conflict
from okienko.core.models import AuditRecord
from tests.contracting.domain import make_scheme
from tests.contracting.exchange_helpers import CONTRACT, Pair, pair_fixture
from tests.contracting.fake_tsa import FakeTsa, fake_tsa_fixture

pytestmark = pytest.mark.django_db
__all__ = ["fake_tsa_fixture", "pair_fixture"]

AGENCY_ID = "PL-NIP-9662112843"
OFFICE_ID = "PL-NIP-5422859599"


def _contract(
    office: Organisation, agency: Organisation, *, policy: str = "delete", status: str = "closing_data"
) -> Contract:
    now = clock.now()
    return Contract.objects.create(
        uuid=CONTRACT,
        number="ZL/9/2026",
        office=office,
        agency=agency,
        legal_basis="art. 61b",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 6, 30),
        planned_participants=2,
        price_per_participant=Decimal("100.00"),
        tranche_scheme=make_scheme("cert-x"),
        agency_role="processor",
        end_policy=policy,
        status=status,
        created_at=now,
        updated_at=now,
    )


def _records(contract: Contract, direction: str, refs: list[str]) -> list[SharedRecord]:
    purpose, _ = SharingPurpose.objects.get_or_create(
        code=f"cert-{direction}", defaults={"name": "test", "direction": direction}
    )
    owner, recipient = (
        (contract.office, contract.agency) if direction == "office_to_agency" else (contract.agency, contract.office)
    )
    now = clock.now()
    request = DataSharingRequest.objects.create(
        contract=contract,
        direction=direction,
        requester=recipient,
        approver=owner,
        purpose=purpose,
        legal_basis="art. 61b",
        requested_fields=["first_name"],
        approved_fields=["first_name"],
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 6, 30),
        status=SharingStatus.CONTRACT_ENDED,
        created_at=now,
    )
    rows = []
    for ref in refs:
        participant, _ = Participant.objects.get_or_create(
            ref=ref, defaults={"contract": contract, "status": "admitted", "nominated_at": now, "updated_at": now}
        )
        request.participants.add(participant)
        fields = {"first_name": f"Imię {ref[-3:]}"}
        rows.append(
            SharedRecord.objects.create(
                request=request,
                participant_ref=ref,
                fields=fields,
                payload_sha256=envelope.sha256(envelope.canonical(fields)),
                created_at=now,
            )
        )
    return rows


@pytest.fixture
def agency_user(pair: Pair) -> User:
    from okienko.accounts import actions as account_actions
    from okienko.accounts.roles import Role

    user = User.objects.create_user(username="agencja-kierownik", password="x")
    account_actions.grant_role(actor=None, user=user, organisation=pair.receiver, role=Role.AGENCY_WORKER)
    return user


def _office_certificate(pair: Pair, contract: Contract, **changes: Any) -> dict[str, Any]:
    """The office's (the partner's) certificate, made as its own installation would."""
    closure = DataClosure(contract=contract, organisation=pair.sender, policy=contract.end_policy, records=2)
    closure.digest = "a" * 64
    closure.closed_at = clock.now()
    statement = certificates.statement_of(
        contract=contract, side="office", closure=closure, archive=None, issued_at=clock.now()
    )
    statement.update(changes.pop("statement", {}))
    signing = changes.pop("signing", pair.sign_key)
    pdf_key = changes.pop("pdf_key", pair.sign_key)
    return {
        "kind": statement["kind"],
        "statement": statement,
        "statement_jws": certificates.sign_statement(statement, signing),
        "pdf": base64.b64encode(certificates.render_pdf(statement, pair.sender, pdf_key)).decode(),
        "issued_at": statement["issued_at"],
        **changes,
    }


def _stranger_key(organisation: Organisation) -> InstitutionKey:
    key = OKPKey.generate_key("Ed25519")
    return InstitutionKey(
        organisation=organisation,
        kid=key.thumbprint(),
        use=KeyUse.SIGN,
        algorithm="Ed25519",
        public_jwk=key.as_dict(private=False),
        private_sealed=secretbox.seal(json.dumps(key.as_dict(private=True))),
        created_at=clock.now(),
    )


def _send(pair: Pair, body: dict[str, Any], **kw: Any) -> inbound.Receipt:
    return inbound.receive(pair.seal("certificate", body, **kw).envelope, transport="file")


# --- Closing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["delete", "archive"])
def test_closing_removes_only_the_other_sides_data_and_queues_the_certificate(
    pair: Pair, agency_user: User, policy: str
) -> None:
    pair.trust()
    contract = _contract(pair.partner.organisation, pair.receiver, policy=policy)
    received = _records(contract, "office_to_agency", ["P-AAAAAAAAAAAAAAAA", "P-BBBBBBBBBBBBBBBB"])
    own = _records(contract, "agency_to_office", ["P-AAAAAAAAAAAAAAAA"])
    closed = certificates.close_data(actor=agency_user, contract=contract)
    assert closed.records == 2
    remaining = set(SharedRecord.objects.values_list("pk", flat=True))
    assert remaining == {own[0].pk}  # the agency's own records stay; the office's are gone
    assert not remaining & {r.pk for r in received}
    contract.refresh_from_db()
    assert contract.agency_certified_at is not None
    assert contract.office_certified_at is None
    closure = DataClosure.objects.get(contract=contract, organisation=pair.receiver)
    assert (closure.status, closure.records, closure.digest) == ("done", 2, closed.digest)
    if policy == "archive":
        archive = DataArchive.objects.get(closure=closure)
        assert archive.retention_until == dt.date(clock.local_now().year + 5, 12, 31)
        opened = certificates.open_archive(archive)
        assert sorted(r["ref"] for r in opened["records"]) == ["P-AAAAAAAAAAAAAAAA", "P-BBBBBBBBBBBBBBBB"]
        assert b"Imi" not in archive.file.open("rb").read()  # encrypted at rest
        logged = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, reason="archived")
        assert logged.count() == 2
        assert accesslog.verify().broken_at is None
    else:
        assert not DataArchive.objects.exists()
    mine = ContractCertificate.objects.get(contract=contract, issuer=pair.receiver)
    assert mine.direction == Direction.OUT
    assert mine.statement["records"] == 2
    assert mine.statement["digest"] == closed.digest
    assert mine.statement["issuer"]["institution_id"] == AGENCY_ID
    assert mine.statement["counterparty"]["institution_id"] == OFFICE_ID
    assert (mine.statement["archive_retention_until"] is not None) == (policy == "archive")
    queued = ExchangeMessage.objects.get(direction=Direction.OUT, type="certificate")
    body = outbound.body_of(queued)
    assert body["statement"] == mine.statement
    assert base64.b64decode(body["pdf"]).startswith(b"%PDF-")
    assert AuditRecord.objects.filter(action="contracting.contract.certified", data__records=2).exists()
    with pytest.raises(Conflict):
        certificates.close_data(actor=agency_user, contract=contract)


def test_our_certificate_verifies_with_our_registered_key(pair: Pair, agency_user: User) -> None:
    """What the partner's installation checks: the JWS and the PDF against the card's key."""
    pair.trust()
    contract = _contract(pair.partner.organisation, pair.receiver)
    certificates.close_data(actor=agency_user, contract=contract)
    mine = ContractCertificate.objects.get(contract=contract, issuer=pair.receiver)
    # The agency's card as the office would register it.
    card = partners.card_of(pair.receiver)
    stand_in = type("P", (), {})()
    sig = next(k for k in card["keys"] if k["use"] == "sig")

    class Keys:
        def filter(self, **kw: Any) -> list[Any]:
            return [type("K", (), {"kid": sig["kid"], "public_jwk": sig, "expires_at": None})()]

    stand_in.keys = Keys()
    assert certificates.verify_statement(mine.statement_jws, stand_in) == mine.statement
    found = certificates.verify_pdf(certificates.pdf_bytes(mine), stand_in)
    assert found["timestamped"] is False


def test_closing_waits_for_the_closing_of_data(pair: Pair, agency_user: User) -> None:
    contract = _contract(pair.partner.organisation, pair.receiver, status="active")
    with pytest.raises(Conflict):
        certificates.close_data(actor=agency_user, contract=contract)


# --- contract.end ----------------------------------------------------------------------------------


def test_contract_end_stops_sharing_and_schedules_the_closing(pair: Pair) -> None:
    pair.trust()
    contract = _contract(pair.partner.organisation, pair.receiver, policy="archive", status="ended")
    _records(contract, "office_to_agency", ["P-AAAAAAAAAAAAAAAA"])
    flowing = DataSharingRequest.objects.get()
    DataSharingRequest.objects.filter(pk=flowing.pk).update(status=SharingStatus.ACTIVE)
    body = {"ended_on": "2026-06-30", "policy": "archive", "at": "2026-06-30T23:59:00+02:00"}
    receipt = inbound.receive(pair.seal("contract.end", body).envelope, transport="file")
    assert receipt.outcome == "applied", receipt.detail
    flowing.refresh_from_db()
    assert flowing.status == SharingStatus.CONTRACT_ENDED
    closure = DataClosure.objects.get(contract=contract, organisation=pair.receiver)
    assert (closure.status, closure.policy, closure.ended_on) == ("scheduled", "archive", dt.date(2026, 6, 30))
    other = inbound.receive(pair.seal("contract.end", {**body, "policy": "delete"}).envelope, transport="file")
    assert (other.outcome, other.reason) == ("refused", "conflict")


def test_the_office_tells_the_agency_the_end_and_the_policy(db: Any) -> None:
    """The office's installation: ending the contract queues contract.status then contract.end."""
    from okienko.accounts import actions as account_actions
    from okienko.accounts.roles import Role
    from okienko.contracting import actions
    from okienko.contracting.models import InstitutionProfile

    admin = User.objects.create_user(username="admin-y", password="x")
    office = Organisation.objects.create(code="pup-y", name="PUP Y", kind=Organisation.Kind.COUNTY_OFFICE)
    InstitutionProfile.objects.create(organisation=office, nip="5422859599")
    agency = Organisation.objects.create(code="agencja-y", name="Agencja Y", kind=Organisation.Kind.AGENCY)
    InstitutionProfile.objects.create(organisation=agency, nip="9662112843")
    keys.ensure_keys(agency)
    card = partners.signed_card(agency)
    InstitutionKey.objects.filter(organisation=agency).delete()
    partner = partners.register(partners.read_card(card), actor=admin)
    partners.confirm(partner, actor=admin, fingerprint=partners.signing_fingerprint(partner.card))
    manager = User.objects.create_user(username="kierownik-y", password="x")
    account_actions.grant_role(actor=None, user=manager, organisation=office, role=Role.CONTRACT_MANAGER)
    contract = _contract(office, agency, policy="delete", status="active")
    actions.change_contract_status(actor=manager, contract=contract, to=ContractStatus.ENDED)
    types = list(
        ExchangeMessage.objects.filter(direction=Direction.OUT, type__startswith="contract.")
        .order_by("recorded_at", "id")
        .values_list("type", flat=True)
    )
    assert types[-2:] == ["contract.status", "contract.end"]
    end = outbound.body_of(ExchangeMessage.objects.get(type="contract.end"))
    assert end["policy"] == "delete"
    assert DataClosure.objects.get(contract=contract, organisation=office).status == "scheduled"


# --- The partner's certificate ---------------------------------------------------------------------


def test_the_partners_certificate_is_verified_stored_and_certifies_its_side(pair: Pair) -> None:
    pair.trust()
    contract = _contract(pair.partner.organisation, pair.receiver)
    receipt = _send(pair, _office_certificate(pair, contract))
    assert receipt.outcome == "applied", receipt.detail
    stored = ContractCertificate.objects.get(contract=contract, issuer=pair.partner.organisation)
    assert stored.direction == Direction.IN
    assert stored.verified_at is not None
    assert certificates.pdf_bytes(stored).startswith(b"%PDF-")
    contract.refresh_from_db()
    assert contract.office_certified_at is not None
    assert AuditRecord.objects.filter(action="contracting.exchange.certificate_received").exists()


def test_a_tampered_pdf_is_refused(pair: Pair) -> None:
    pair.trust()
    contract = _contract(pair.partner.organisation, pair.receiver)
    body = _office_certificate(pair, contract)
    data = bytearray(base64.b64decode(body["pdf"]))
    # One byte in the middle of the signed bytes before the signature (a page's content stream).
    at = data.index(b"/ByteRange")
    first_range_end = int(data[at:].split(b"[", 1)[1].split()[1])
    data[first_range_end // 2] ^= 0x01
    receipt = _send(pair, {**body, "pdf": base64.b64encode(bytes(data)).decode()})
    assert (receipt.outcome, receipt.reason) == ("refused", "bad_certificate")
    appended = base64.b64decode(body["pdf"]) + b"\n% added later\n"
    receipt = _send(pair, {**body, "pdf": base64.b64encode(appended).decode()})
    assert (receipt.outcome, receipt.reason) == ("refused", "bad_certificate")
    assert not ContractCertificate.objects.exists()
    contract.refresh_from_db()
    assert contract.office_certified_at is None


def test_a_statement_signed_by_another_key_is_refused(pair: Pair) -> None:
    pair.trust()
    contract = _contract(pair.partner.organisation, pair.receiver)
    stranger = _stranger_key(pair.sender)
    receipt = _send(pair, _office_certificate(pair, contract, signing=stranger))
    assert (receipt.outcome, receipt.reason) == ("refused", "bad_signature")
    receipt = _send(pair, _office_certificate(pair, contract, pdf_key=stranger))
    assert (receipt.outcome, receipt.reason) == ("refused", "bad_certificate")
    assert "never registered" in (receipt.detail or "")


def test_a_statement_for_another_contract_or_issuer_is_refused(pair: Pair) -> None:
    pair.trust()
    contract = _contract(pair.partner.organisation, pair.receiver)
    other = {"contract": {"uuid": str(uuid.UUID(int=8)), "number": "X"}}
    receipt = _send(pair, _office_certificate(pair, contract, statement=other))
    assert (receipt.outcome, receipt.reason) == ("refused", "wrong_contract")
    issuer = {"issuer": {"institution_id": "PL-NIP-1111111111", "name": "X", "side": "office"}}
    receipt = _send(pair, _office_certificate(pair, contract, statement=issuer))
    assert (receipt.outcome, receipt.reason) == ("refused", "bad_signature")
    body = _office_certificate(pair, contract)
    swapped = {**body, "statement": {**body["statement"], "records": 0}}
    receipt = _send(pair, swapped)
    assert (receipt.outcome, receipt.reason) == ("refused", "bad_signature")


def test_the_contract_closes_only_after_both_certificates(pair: Pair, agency_user: User) -> None:
    pair.trust()
    contract = _contract(pair.partner.organisation, pair.receiver)
    closing = {"from": "closing_data", "to": "closed", "at": "2026-12-06T10:00:00+01:00"}
    early = inbound.receive(pair.seal(body=closing).envelope, transport="file")
    assert (early.outcome, early.reason) == ("refused", "state_refused")
    assert _send(pair, _office_certificate(pair, contract)).outcome == "applied"
    half = inbound.receive(pair.seal(body=closing).envelope, transport="file")
    assert (half.outcome, half.reason) == ("refused", "state_refused")
    certificates.close_data(actor=agency_user, contract=contract)
    done = inbound.receive(pair.seal(body=closing).envelope, transport="file")
    assert done.outcome == "applied", done.detail
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CLOSED


# --- Time stamps -----------------------------------------------------------------------------------


def test_tsa_stamp_and_check_with_a_fake_tsa(fake_tsa: FakeTsa) -> None:
    tsa._certificate.cache_clear()
    token = tsa.stamp(b"signature bytes")
    assert fake_tsa.requests, "the TSA was asked"
    tsa.check(token, b"signature bytes")
    with pytest.raises(ValueError, match="other data"):
        tsa.check(token, b"other bytes")
    with pytest.raises(ValueError, match="not a time-stamp token"):
        tsa.check("bm90IGEgdG9rZW4=", b"signature bytes")


def test_a_token_from_another_tsa_is_refused(fake_tsa: FakeTsa, tmp_path: Any, settings: Any) -> None:
    from tests.contracting.fake_tsa import start

    token = tsa.stamp(b"x")
    other, server = start(tmp_path)
    try:
        settings.OKIENKO_EXCHANGE_TSA_CERT = str(other.cert_path)
        tsa._certificate.cache_clear()
        with pytest.raises(ValueError, match=r"another TSA|does not verify"):
            tsa.check(token, b"x")
    finally:
        server.shutdown()
        server.server_close()
        tsa._certificate.cache_clear()


def test_envelopes_and_certificates_are_time_stamped(pair: Pair, agency_user: User, fake_tsa: FakeTsa) -> None:
    tsa._certificate.cache_clear()
    pair.trust()
    sealed = pair.seal()
    assert sealed.timestamp_token
    opened = envelope.open_envelope(sealed.envelope)
    assert opened.timestamp_token == sealed.timestamp_token
    outer = json.loads(sealed.envelope)
    outer["header"] = {"tst": tsa.stamp(b"something else")}
    with pytest.raises(envelope.Refused) as refused:
        envelope.open_envelope(json.dumps(outer))
    assert refused.value.reason == "bad_timestamp"
    contract = _contract(pair.partner.organisation, pair.receiver)
    asked = len(fake_tsa.requests)
    certificates.close_data(actor=agency_user, contract=contract)
    assert len(fake_tsa.requests) > asked  # the PDF signature (and the queued envelope later)
    receipt = _send(pair, _office_certificate(pair, contract))
    assert receipt.outcome == "applied", receipt.detail
    audit = AuditRecord.objects.get(action="contracting.exchange.certificate_received")
    assert audit.data["timestamped"] is True
    tsa._certificate.cache_clear()


# --- The desk --------------------------------------------------------------------------------------


def test_the_desk_runs_the_closing_after_confirmation_and_serves_both_certificates(
    pair: Pair, agency_user: User
) -> None:
    from django.test import Client
    from django.urls import reverse

    pair.trust()
    contract = _contract(pair.partner.organisation, pair.receiver)
    _records(contract, "office_to_agency", ["P-AAAAAAAAAAAAAAAA"])
    assert _send(pair, _office_certificate(pair, contract)).outcome == "applied"
    client = Client()
    client.force_login(agency_user)
    page_url = reverse("desk:contracting_contract", args=[contract.uuid])
    page = client.get(page_url).content.decode()
    assert 'id="closing-title"' in page
    assert 'name="confirm"' in page
    closing = reverse("desk:contracting_closing", args=[contract.uuid])
    refused = client.post(closing, {}, follow=True)
    assert refused.status_code == 200
    assert SharedRecord.objects.count() == 1  # nothing without the confirmation
    done = client.post(closing, {"confirm": "yes"}, follow=True)
    assert done.status_code == 200
    assert SharedRecord.objects.count() == 0
    page = client.get(page_url).content.decode()
    assert 'name="confirm"' not in page
    for certificate in ContractCertificate.objects.filter(contract=contract):
        pdf = client.get(reverse("desk:contracting_certificate", args=[contract.uuid, certificate.uuid, "pdf"]))
        assert pdf.status_code == 200
        assert b"".join(pdf.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
        signed = client.get(reverse("desk:contracting_certificate", args=[contract.uuid, certificate.uuid, "json"]))
        assert json.loads(signed.content)["statement"] == certificate.statement
    odd = reverse("desk:contracting_certificate", args=[contract.uuid, uuid.UUID(int=5), "pdf"])
    assert client.get(odd).status_code == 404
    first = ContractCertificate.objects.first()
    assert first is not None
    certificate = first
    assert certificate is not None
    bad_format = reverse("desk:contracting_certificate", args=[contract.uuid, certificate.uuid, "exe"])
    assert client.get(bad_format).status_code == 404
    stranger = User.objects.create_user(username="obcy", password="x")
    client.force_login(stranger)
    assert client.get(
        reverse("desk:contracting_certificate", args=[contract.uuid, certificate.uuid, "pdf"])
    ).status_code in (403, 404)
