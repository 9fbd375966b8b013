"""Building submissions the way a sending system does: the envelope around form data, base64
attachments and an enveloped XMLDSig or XAdES signature made with a key and certificate. Used by
the example files, the tests and the benchmark (``bench/eforms_intake.py``)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.algorithms import SignatureMethod
from signxml.signer import XMLSigner
from signxml.xades.xades import XAdESSigner

from okienko.channels.eforms import envelope as env
from okienko.channels.eforms import xmlsafe


@dataclass(frozen=True)
class Signer:
    key_pem: bytes
    cert_pem: bytes
    cert: x509.Certificate


def make_signer(
    common_name: str = "Jan Kowalski",
    *,
    issuer: Signer | None = None,
    ca: bool = False,
    non_repudiation_only: bool = False,
) -> Signer:
    """A P-256 key with a certificate: self-signed, or issued by ``issuer`` (a test CA);
    ``non_repudiation_only`` as qualified signature certificates often are."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )
    now = dt.datetime.now(dt.UTC)
    issuer_name = issuer.cert.subject if issuer is not None else subject
    signing_key = serialization.load_pem_private_key(issuer.key_pem, password=None) if issuer is not None else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(not ca and not non_repudiation_only, not ca, False, False, False, ca, ca, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    cert = builder.sign(signing_key, hashes.SHA256())  # type: ignore[arg-type]
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return Signer(key_pem, cert.public_bytes(serialization.Encoding.PEM), cert)


def envelope(
    form_code: str,
    form_data: str,
    *,
    title: str = "Zgłoszenie",
    sender_name: str = "Jan Kowalski",
    sender_email: str = "",
    sender_pesel: str = "",
    attachments: list[tuple[str, bytes]] | None = None,
    created: str = "2026-12-05T10:00:00+01:00",
) -> bytes:
    """An unsigned envelope (``form_data``: the form's XML element as text)."""
    E = env.E
    root = etree.Element(f"{E}Submission", nsmap={"e": env.NS})
    root.set("form", form_code)
    meta = etree.SubElement(root, f"{E}Metadata")
    etree.SubElement(meta, f"{E}Title").text = title
    etree.SubElement(meta, f"{E}Created").text = created
    sender = etree.SubElement(meta, f"{E}Sender")
    etree.SubElement(sender, f"{E}Name").text = sender_name
    if sender_email:
        etree.SubElement(sender, f"{E}Email").text = sender_email
    if sender_pesel:
        etree.SubElement(sender, f"{E}Pesel").text = sender_pesel
    holder = etree.SubElement(root, f"{E}FormData")
    holder.append(etree.fromstring(form_data.encode("utf-8"), parser=xmlsafe.parser()))
    if attachments:
        files = etree.SubElement(root, f"{E}Attachments")
        for name, data in attachments:
            item = etree.SubElement(files, f"{E}Attachment", name=name, sha256=hashlib.sha256(data).hexdigest())
            item.text = base64.b64encode(data).decode("ascii")
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document


def sign(document: bytes, signer: Signer, *, xades: bool = False) -> bytes:
    """``document`` with an enveloped signature over all of it (XAdES-BES when ``xades``)."""
    root = etree.fromstring(document, parser=xmlsafe.parser())
    factory = XAdESSigner if xades else XMLSigner
    signed = factory(signature_algorithm=SignatureMethod.ECDSA_SHA256).sign(
        root, key=signer.key_pem, cert=signer.cert_pem.decode()
    )
    result: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return result


LODZ_FORM_DATA = """<z:ZgloszenieProblemu xmlns:z="urn:okienko:eforms:lodz:zgloszenie-problemu:1">
  <z:Zglaszajacy><z:ImieNazwisko>{name}</z:ImieNazwisko><z:Email>{email}</z:Email></z:Zglaszajacy>
  <z:Miejsce><z:Adres>{address}</z:Adres><z:Szerokosc>51.776900</z:Szerokosc><z:Dlugosc>19.454700</z:Dlugosc></z:Miejsce>
  <z:Opis>{description}</z:Opis>{files}
</z:ZgloszenieProblemu>"""

PUP_FORM_DATA = """<w:WniosekOZaswiadczenie xmlns:w="urn:okienko:eforms:pup:wniosek-zaswiadczenie:1">
  <w:Wnioskodawca><w:Imie>{first}</w:Imie><w:Nazwisko>{last}</w:Nazwisko><w:Pesel>{pesel}</w:Pesel></w:Wnioskodawca>
  <w:RodzajZaswiadczenia>okresy-rejestracji</w:RodzajZaswiadczenia>
  <w:Cel>{purpose}</w:Cel>
  <w:SposobDoreczenia>epuap</w:SposobDoreczenia>{files}
</w:WniosekOZaswiadczenie>"""


def lodz_report(
    *,
    description: str = "Sterta worków ze śmieciami i stare opony na skraju parku.",
    address: str = "ul. Zgierska 120, Łódź",
    name: str = "Jan Kowalski",
    email: str = "jan.kowalski@poczta.example.pl",
    files: list[str] | None = None,
) -> str:
    refs = "".join(f"\n  <z:Zalacznik>{n}</z:Zalacznik>" for n in files or [])
    return LODZ_FORM_DATA.format(name=name, email=email, address=address, description=description, files=refs)


def pup_request(
    *,
    first: str = "Anna",
    last: str = "Nowak",
    pesel: str = "90010112345",
    purpose: str = "do ZUS",
    files: list[str] | None = None,
) -> str:
    refs = "".join(f"\n  <w:Zalacznik>{n}</w:Zalacznik>" for n in files or [])
    return PUP_FORM_DATA.format(first=first, last=last, pesel=pesel, purpose=purpose, files=refs)
