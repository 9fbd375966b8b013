"""The envelope of a submission: checked against ``forms/envelope.xsd``, then read into plain
values (metadata, the form data element, decoded attachments). The form data is checked against
its form's schema by ``check_form_data``; what the form's field mapping points at is read by
``mapped``."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from lxml import etree

from okienko.channels.eforms import xmlsafe

NS = "urn:okienko:eforms:envelope:1"
DS = "http://www.w3.org/2000/09/xmldsig#"
E = f"{{{NS}}}"


class EnvelopeError(ValueError):
    """The envelope is not one we accept; ``reasons`` list every problem found."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class Attachment:
    name: str
    declared_type: str
    data: bytes
    sha256: str


@dataclass
class Envelope:
    root: etree._Element
    form_code: str
    title: str = ""
    created: dt.datetime | None = None
    sender_name: str = ""
    sender_email: str = ""
    sender_phone: str = ""
    sender_pesel: str = ""
    form_data: etree._Element | None = None
    attachments: list[Attachment] = field(default_factory=list)
    signed: bool = False


@functools.cache
def envelope_schema() -> etree.XMLSchema:
    text = resources.files("okienko.channels.eforms").joinpath("forms/envelope.xsd").read_text("utf-8")
    return xmlsafe.schema_from_text(text)


def form_code_of(root: etree._Element) -> str:
    """The form the document names, even when the rest of it is wrong (for the trace)."""
    return str(root.get("form") or "")[:80] if root.tag == f"{E}Submission" else ""


def _errors(schema: etree.XMLSchema, limit: int = 10) -> list[str]:
    return [f"{_('line')} {e.line}: {e.message}" for e in list(schema.error_log)[:limit]]


def read(root: etree._Element) -> Envelope:
    """The envelope's values, or ``EnvelopeError`` when it does not follow the envelope schema or an
    attachment cannot be decoded or does not match its declared digest."""
    if root.tag != f"{E}Submission":
        raise EnvelopeError([_("The document is not an Okienko e-form envelope (%(tag)s).") % {"tag": root.tag[:100]}])
    schema = envelope_schema()
    if not schema.validate(root):
        raise EnvelopeError([_("The envelope does not follow its schema."), *_errors(schema)])
    meta = root.find(f"{E}Metadata")
    sender = meta.find(f"{E}Sender") if meta is not None else None

    def text(parent: etree._Element | None, name: str) -> str:
        found = parent.find(f"{E}{name}") if parent is not None else None
        return (found.text or "").strip() if found is not None else ""

    envelope = Envelope(
        root=root,
        form_code=form_code_of(root),
        title=text(meta, "Title"),
        created=parse_datetime(text(meta, "Created")),
        sender_name=text(sender, "Name"),
        sender_email=text(sender, "Email").lower(),
        sender_phone=text(sender, "Phone"),
        sender_pesel=text(sender, "Pesel"),
        form_data=_form_data(root),
        signed=root.find(f"{{{DS}}}Signature") is not None,
    )
    reasons: list[str] = []
    names: set[str] = set()
    for element in root.iterfind(f"{E}Attachments/{E}Attachment"):
        name = str(element.get("name") or "").strip()
        try:
            data = base64.b64decode("".join((element.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            reasons.append(_("The attachment %(name)s is not valid base64.") % {"name": name})
            continue
        digest = hashlib.sha256(data).hexdigest()
        declared = element.get("sha256")
        if not data:
            reasons.append(_("The attachment %(name)s is empty.") % {"name": name})
        elif declared and declared != digest:
            reasons.append(_("The attachment %(name)s does not match its SHA-256.") % {"name": name})
        elif name in names:
            reasons.append(_("Two attachments are named %(name)s.") % {"name": name})
        else:
            names.add(name)
            envelope.attachments.append(Attachment(name, str(element.get("type") or ""), data, digest))
    if reasons:
        raise EnvelopeError(reasons)
    return envelope


def _form_data(root: etree._Element) -> etree._Element | None:
    holder = root.find(f"{E}FormData")
    if holder is None:
        return None
    return next(holder.iterchildren(tag=etree.Element), None)


def check_form_data(envelope: Envelope, schema: etree.XMLSchema) -> list[str]:
    """What is wrong with the form data by the form's schema (empty: nothing)."""
    if envelope.form_data is None:
        return [_("The envelope carries no form data.")]
    # Validated as a document of its own: the envelope around it is not the form's business.
    document = etree.ElementTree(_copy(envelope.form_data))
    if schema.validate(document):
        return []
    return [_("The form data does not follow the form's schema."), *_errors(schema)]


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element), parser=xmlsafe.parser())


def mapped(envelope: Envelope, mapping: dict[str, Any]) -> dict[str, list[str]]:
    """The texts each XPath of the form's mapping finds in the form data (namespace prefix ``f``)."""
    found: dict[str, list[str]] = {}
    if envelope.form_data is None:
        return found
    namespace = etree.QName(envelope.form_data).namespace or ""
    namespaces = {"f": namespace, "e": NS} if namespace else {"e": NS}
    for key, expression in mapping.items():
        try:
            result = envelope.form_data.xpath(str(expression), namespaces=namespaces)
        except etree.XPathError:
            found[key] = []
            continue
        values = result if isinstance(result, list) else [result]
        texts = []
        for value in values:
            if isinstance(value, etree._Element):
                value = "".join(value.itertext())
            text = str(value).strip()
            if text:
                texts.append(text)
        found[key] = texts
    return found
