"""The intake of electronic submissions: what is accepted, what is rejected and why, and that
nothing hostile gets through the parser."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from okienko.cases.models import Case
from okienko.channels.eforms import intake, sample, signatures
from okienko.channels.eforms.models import EFormSubmission
from okienko.core.models import AuditRecord, OutboxEvent

from .conftest import FORM, Office, report

S = EFormSubmission.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def receive(raw: bytes) -> EFormSubmission:
    submission, _new = intake.receive(raw, transport="folder", source_name="test.xml")
    return submission


def test_a_signed_submission_becomes_a_contact_and_a_case_with_its_attachment(
    office: Office, signer: sample.Signer
) -> None:
    raw = report(signer, files=["zdjecie.pdf"], attachments=[("zdjecie.pdf", PDF)])
    submission = receive(raw)
    assert submission.status == S.ACCEPTED, submission.reasons
    assert submission.signature == EFormSubmission.Signature.VALID
    assert submission.signer_subject == "CN=Jan Kowalski,C=PL"
    assert submission.signer_serial == format(signer.cert.serial_number, "X")
    case = submission.case
    assert case is not None
    assert case.service == office.service
    assert case.channel == "eform"
    assert "Sterta worków" in case.description
    assert [a.original_name for a in case.attachments.all()] == ["zdjecie.pdf"]
    assert submission.interaction is not None
    assert submission.interaction.channel == "eform"
    assert AuditRecord.objects.filter(action="eform.received", object_id=str(submission.pk)).exists()
    assert OutboxEvent.objects.filter(topic="eform.received", aggregate_id=str(submission.pk)).exists()


def test_the_receipt_names_the_digest_and_time_and_is_signed_by_the_installation(
    office: Office, signer: sample.Signer
) -> None:
    raw = report(signer)
    submission = receive(raw)
    receipt = etree.fromstring(submission.receipt.encode())
    ns = {"r": "urn:okienko:eforms:receipt:1"}
    assert receipt.findtext("r:SHA256", namespaces=ns) == intake.digest(raw)
    assert receipt.findtext("r:Status", namespaces=ns) == "accepted"
    assert submission.case is not None
    assert receipt.findtext("r:CaseNumber", namespaces=ns) == submission.case.number
    assert receipt.findtext("r:ReceivedAt", namespaces=ns)
    assert signatures.verify(receipt).status == "valid"


def test_an_unsigned_submission_is_accepted_unless_the_form_requires_a_signature(office: Office) -> None:
    assert receive(report()).signature == EFormSubmission.Signature.ABSENT
    office.form.signature_required = True
    office.form.save()
    rejected = receive(report(description="Inny opis problemu, też bez podpisu."))
    assert rejected.status == S.REJECTED
    assert rejected.reasons == ["This form must be signed."]


def test_a_xades_signature_is_verified(office: Office, signer: sample.Signer) -> None:
    submission = receive(report(signer, xades=True))
    assert submission.status == S.ACCEPTED, submission.reasons
    assert submission.signature == EFormSubmission.Signature.VALID
    assert submission.signed_at is not None


def test_a_document_changed_after_signing_is_rejected_as_forged(office: Office, signer: sample.Signer) -> None:
    raw = report(signer).replace(b"ul. Zgierska 120", b"ul. Piotrkowska 1")
    submission = receive(raw)
    assert submission.status == S.REJECTED
    assert submission.signature == EFormSubmission.Signature.INVALID
    assert submission.case_id is None
    assert "signature is not valid" in submission.reasons[0]


def test_a_signature_whose_value_is_broken_is_rejected(office: Office, signer: sample.Signer) -> None:
    root = etree.fromstring(report(signer))
    value = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    value.text = base64.b64encode(b"\0" * 64).decode()
    submission = receive(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert submission.status == S.REJECTED
    assert submission.signature == EFormSubmission.Signature.INVALID


def test_a_signature_with_someone_elses_certificate_is_rejected(office: Office, signer: sample.Signer) -> None:
    impostor = sample.make_signer("Jan Kowalski")
    root = etree.fromstring(report(signer))
    cert = root.find(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    from cryptography.hazmat.primitives import serialization

    cert.text = base64.b64encode(impostor.cert.public_bytes(serialization.Encoding.DER)).decode()
    submission = receive(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert submission.status == S.REJECTED
    assert submission.signature == EFormSubmission.Signature.INVALID


def test_trust_checking_rejects_a_signer_outside_the_trusted_authorities(
    office: Office, signer: sample.Signer, settings: Any, tmp_path: Path
) -> None:
    authority = sample.make_signer("Test CA", ca=True)
    issued = sample.make_signer("Anna Nowak", issuer=authority)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(authority.cert_pem)
    settings.OKIENKO_EFORMS_TRUSTED_CA_FILE = str(ca_file)
    trusted = receive(report(issued))
    assert trusted.status == S.ACCEPTED, trusted.reasons
    untrusted = receive(report(signer))
    assert untrusted.status == S.REJECTED
    assert "not trusted" in untrusted.reasons[0]


def test_a_qualified_certificate_for_non_repudiation_only_is_trusted(
    office: Office, settings: Any, tmp_path: Path
) -> None:
    authority = sample.make_signer("Test CA", ca=True)
    qualified = sample.make_signer("Ewa Zielińska", issuer=authority, non_repudiation_only=True)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(authority.cert_pem)
    settings.OKIENKO_EFORMS_TRUSTED_CA_FILE = str(ca_file)
    submission = receive(report(qualified, xades=True))
    assert submission.status == S.ACCEPTED, submission.reasons
    assert submission.signer_issuer == "CN=Test CA,C=PL"


def test_form_data_against_the_schema_is_rejected_with_the_schema_errors(office: Office) -> None:
    submission = receive(report(description="krótko"))
    assert submission.status == S.REJECTED
    assert submission.reasons[0] == "The form data does not follow the form's schema."
    assert "Opis" in submission.reasons[1]


def test_a_file_the_form_refers_to_but_the_envelope_lacks_is_rejected(office: Office, signer: sample.Signer) -> None:
    submission = receive(report(signer, files=["skan.pdf"]))
    assert submission.status == S.REJECTED
    assert submission.reasons == ["The form refers to the file skan.pdf, which is not in the envelope."]


def test_an_attachment_that_is_not_a_document_is_rejected(office: Office) -> None:
    submission = receive(report(attachments=[("run.exe", b"MZ\x90\x00binary")]))
    assert submission.status == S.REJECTED
    assert submission.reasons[0].startswith("run.exe: ")


def test_an_unknown_form_is_rejected_and_kept(office: Office) -> None:
    raw = sample.envelope("nieznany", sample.lodz_report())
    submission = receive(raw)
    assert submission.status == S.REJECTED
    assert submission.organisation_id is None
    assert submission.file.read() == raw


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE e:Submission [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<e:Submission xmlns:e="urn:okienko:eforms:envelope:1" form="lodz-zgloszenie-problemu">&xxe;</e:Submission>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<lolz>&lol4;</lolz>"""


@pytest.mark.parametrize("raw", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_entities_and_document_types_are_refused_before_parsing(office: Office, raw: bytes) -> None:
    submission = receive(raw)
    assert submission.status == S.REJECTED
    assert submission.reasons == ["Document type declarations and entities are not accepted."]


def test_the_parser_itself_expands_no_entity_and_fetches_nothing() -> None:
    """Even past the byte check (which the parser never relies on) no entity is resolved."""
    from okienko.channels.eforms import xmlsafe

    root = etree.fromstring(XXE, parser=xmlsafe.parser())
    assert "root:" not in etree.tostring(root).decode()
    laughs = etree.fromstring(LAUGHS, parser=xmlsafe.parser())
    assert len(etree.tostring(laughs)) < 1000


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "The document is empty."),
        (b"<a><b></a>", "The document is not well-formed XML"),
        ("<?xml version='1.0' encoding='ISO-8859-2'?><a>ż</a>".encode("iso-8859-2"), "The document is not in UTF-8."),
        (b"<a/>", "The document is not an Okienko e-form envelope"),
    ],
)
def test_documents_that_are_not_envelopes_are_rejected_with_the_reason(office: Office, raw: bytes, reason: str) -> None:
    submission = receive(raw or b" ")
    assert submission.status == S.REJECTED
    assert submission.reasons[0].startswith(reason)


def test_a_document_over_the_size_limit_is_rejected(office: Office, settings: Any) -> None:
    settings.OKIENKO_EFORMS_MAX_BYTES = 1000
    submission = receive(report(description="x" * 2000))
    assert submission.status == S.REJECTED
    assert submission.reasons == ["The document is larger than 1000 bytes."]


def test_a_submission_delivered_twice_is_stored_once(office: Office, signer: sample.Signer) -> None:
    raw = report(signer)
    first, new = intake.receive(raw, transport="folder")
    again, new_again = intake.receive(raw, transport="http")
    assert (new, new_again) == (True, False)
    assert again.pk == first.pk
    assert again.receipt == first.receipt
    assert EFormSubmission.objects.count() == 1
    assert Case.objects.count() == 1


def test_a_case_the_service_refuses_leaves_the_submission_quarantined(office: Office, signer: sample.Signer) -> None:
    office.service.location_required = True
    office.service.save()
    # the form's mapping gives an address, so break the mapping to leave the case without a place
    office.form.field_mapping = {**office.form.field_mapping, "address": "f:Nic", "latitude": "f:Nic"}
    office.form.save()
    submission = receive(report(signer))
    assert submission.status == S.QUARANTINED
    assert submission.reasons[0].startswith("Processing failed")
    assert submission.receipt
    assert Case.objects.count() == 0


def test_a_system_may_deliver_only_forms_of_its_own_offices(office: Office) -> None:
    submission, _new = intake.receive(report(), transport="http", sender_office=office.other)
    assert submission.status == S.REJECTED
    assert submission.organisation == office.other
    assert submission.reasons == [f"This system may not deliver the form {FORM}."]
