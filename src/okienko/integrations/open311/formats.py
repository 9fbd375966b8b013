"""GeoReport v2 wire formats: one renderer and one parser for XML and JSON.

The data model is plain Python: a response is a list of dicts (``services``, ``service_requests``,
``errors``) or one dict (``service_definition``, ``discovery``). In XML a list member is wrapped
in its plural element with one singular element per item (``<attributes><attribute>``), as the
specification shows. The parser reads both our responses and real cities' responses.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any
from xml.parsers import expat

JSON = "json"
XML = "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}

# plural element → item element
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "status_updates": "status_update",
}
SINGULAR_TO_PLURAL = {v: k for k, v in ITEMS.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, list):
        item = ITEMS.get(name, "item")
        for entry in value:
            _append(element, item, entry)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner)
    else:
        element.text = _text(value)


def render(data: list[dict[str, Any]] | dict[str, Any], fmt: str, root: str) -> bytes:
    """Serialise ``data`` (a list for plural roots, a dict otherwise) in ``fmt``, UTF-8."""
    if fmt == JSON:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    top = ET.Element(root)
    if isinstance(data, list):
        item = ITEMS.get(root, "item")
        for entry in data:
            _append(top, item, entry)
    else:
        for key, value in data.items():
            _append(top, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode").encode()


class ParseError(ValueError):
    pass


def _convert(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return [] if element.tag in ITEMS else (element.text or "").strip()
    if element.tag in ITEMS or (len({c.tag for c in children}) == 1 and children[0].tag in SINGULAR_TO_PLURAL):
        return [_convert(c) for c in children]
    return {c.tag: _convert(c) for c in children}


def _safe_xml(content: bytes) -> ET.Element:
    """Parse without DTDs or entities (no entity expansion, no external fetches)."""
    lowered = content.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise ParseError("DTDs and entities are not accepted")
    try:
        return ET.fromstring(content)  # noqa: S314 - no DTD can reach the parser (checked above)
    except (ET.ParseError, expat.ExpatError) as exc:
        raise ParseError(str(exc)) from exc


def parse(content: bytes | str, fmt: str) -> tuple[str, Any]:
    """Return ``(root, data)``; for JSON the root is guessed from the data's shape."""
    raw = content.encode() if isinstance(content, str) else content
    if fmt == JSON:
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ParseError(str(exc)) from exc
        return ("list" if isinstance(data, list) else "object"), data
    root = _safe_xml(raw)
    return root.tag, _convert(root) if len(root) else ([] if root.tag in ITEMS else {})
