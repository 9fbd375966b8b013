"""Reading XML from outside without letting it reach the network, the file system or the memory
of the machine (ADR 0056).

A document type declaration has no place in a submission: any ``<!DOCTYPE`` or ``<!ENTITY`` is
refused before parsing (external entities and "billion laughs" never reach the parser), and the
parser itself resolves no entities, loads no DTD, opens no network and keeps libxml2's limits on
depth and text size (``huge_tree=False``). Only UTF-8 is read, so the check of the bytes is the
check of the text.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from lxml import etree

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"


class UnsafeXml(ValueError):
    """The bytes are not a document we read; ``code`` is stable (logs, tests), ``str`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_pis=True,
        collect_ids=False,
    )


def parse(raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """The root element of ``raw``, or ``UnsafeXml`` saying why not."""
    if len(raw) > max_bytes:
        raise UnsafeXml("too-large", _("The document is larger than %(limit)d bytes.") % {"limit": max_bytes})
    body = raw.removeprefix(_BOM)
    if not body.strip():
        raise UnsafeXml("empty", _("The document is empty."))
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafeXml("encoding", _("The document is not in UTF-8.")) from exc
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise UnsafeXml("dtd", _("Document type declarations and entities are not accepted."))
    try:
        root = etree.fromstring(body, parser=parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml("malformed", _("The document is not well-formed XML: %(error)s") % {"error": exc}) from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml("dtd", _("Document type declarations and entities are not accepted."))
    if (tree.docinfo.encoding or "UTF-8").upper() not in ("UTF-8", "UTF8"):
        raise UnsafeXml("encoding", _("The document is not in UTF-8."))
    return root


def schema_from_text(text: str) -> etree.XMLSchema:
    """A compiled XSD; an ``xs:import``/``xs:include`` is never fetched (no network, no files)."""
    root = parse(text.encode("utf-8"), max_bytes=1024 * 1024)
    for tag in ("import", "include", "redefine", "override"):
        for element in root.iter(f"{{http://www.w3.org/2001/XMLSchema}}{tag}"):
            if element.get("schemaLocation"):
                raise UnsafeXml("schema-location", _("A form's schema must not load other schemas."))
    return etree.XMLSchema(root)
