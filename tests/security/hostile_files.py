"""A corpus of hostile uploads, generated (nothing binary is committed): decompression bombs in
every archive format the type sniffer opens, polyglots, scripts dressed as images, truncated files.

Each entry says what a safe upload check must do with it: refuse it, or accept it as a given type
(then it is only ever stored and sent back as a download of that type).
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

BOMB_MIB = 64  # each bomb unpacks to this much; the ceiling asserted is 20 MB
ODT = b"application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
METHODS = {"deflate": zipfile.ZIP_DEFLATED, "bzip2": zipfile.ZIP_BZIP2, "lzma": zipfile.ZIP_LZMA}


_BUILT: dict[str, bytes] = {}


@dataclass(frozen=True)
class Hostile:
    name: str  # the file name the attacker sends
    make: Callable[[], bytes]  # built on first use (bombs take a moment), then kept
    accepted_as: str | None  # None: must be refused

    @property
    def data(self) -> bytes:
        if self.name not in _BUILT:
            _BUILT[self.name] = self.make()
        return _BUILT[self.name]


def _bomb_member(archive: zipfile.ZipFile, name: str, method: int) -> None:
    """Write ``BOMB_MIB`` MiB of zeros as one member, streaming (never the whole thing in memory)."""
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = method
    chunk = bytes(1024 * 1024)
    with archive.open(info, "w") as member:
        for _ in range(BOMB_MIB):
            member.write(chunk)


def bomb(name: str, method: int, *, before: dict[str, bytes] | None = None) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for other, content in (before or {}).items():
            archive.writestr(other, content)
        _bomb_member(archive, name, method)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else method
            archive.writestr(info, content)
    return buffer.getvalue()


def odt() -> bytes:
    return zip_of({"mimetype": ODT, "content.xml": b"<office:document-content/>", "META-INF/manifest.xml": b"<m/>"})


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", **(extra or {})})


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size the central directory declares for ``name`` (a lying header)."""
    out = bytearray(data)
    encoded = name.encode()
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", out, at + 28)[0]
        if bytes(out[at + 46 : at + 46 + name_length]) == encoded:
            struct.pack_into("<L", out, at + 24, size)
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def set_flag(data: bytes, name: str, flag: int) -> bytes:
    """Set a general-purpose flag bit of ``name`` in both its headers (bit 0: encrypted)."""
    out = bytearray(data)
    encoded = name.encode()
    for signature, flag_at, length_at, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        at = out.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", out, at + length_at)[0]
            if bytes(out[at + name_at : at + name_at + length]) == encoded:
                struct.pack_into("<H", out, at + flag_at, struct.unpack_from("<H", out, at + flag_at)[0] | flag)
            at = out.find(signature, at + 4)
    return bytes(out)


def set_method(data: bytes, name: str, method: int) -> bytes:
    """Claim another compression method for ``name`` (e.g. 9, Deflate64, which zipfile cannot read)."""
    out = bytearray(data)
    encoded = name.encode()
    for signature, method_at, length_at, name_at in ((b"PK\x03\x04", 8, 26, 30), (b"PK\x01\x02", 10, 28, 46)):
        at = out.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", out, at + length_at)[0]
            if bytes(out[at + name_at : at + name_at + length]) == encoded:
                struct.pack_into("<H", out, at + method_at, method)
            at = out.find(signature, at + 4)
    return bytes(out)


def many_entries(count: int) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for i in range(count):
            archive.writestr(zipfile.ZipInfo(f"word/{i:06d}", date_time=(2026, 1, 1, 0, 0, 0)), b"")
    return buffer.getvalue()


def zip64_marked(data: bytes) -> bytes:
    """Put a ZIP64 end-of-central-directory locator before the end record."""
    at = data.rfind(b"PK\x05\x06")
    locator = b"PK\x06\x07" + struct.pack("<LQL", 0, 0, 1)
    return data[:at] + locator + data[at:]


def corpus() -> list[Hostile]:
    """Every hostile upload and its safe outcome; nothing is built until its ``data`` is read."""
    items: list[Hostile] = []
    for label, method in METHODS.items():
        items += [
            Hostile(f"bomb-mimetype-{label}.odt", lambda m=method: bomb("mimetype", m), None),
            Hostile(
                f"bomb-content-types-{label}.docx",
                lambda m=method: bomb("[Content_Types].xml", m, before={"word/document.xml": b"<w:document/>"}),
                None,
            ),
            Hostile(
                f"bomb-document-{label}.docx",
                lambda m=method: bomb("word/document.xml", m, before={"[Content_Types].xml": b"<Types/>"}),
                None,
            ),
        ]
    items += [
        # The directory claims a 39-byte member; the data inflates to 64 MiB.
        Hostile(
            "lying-size.odt",
            lambda: declare_size(bomb("mimetype", zipfile.ZIP_DEFLATED), "mimetype", len(ODT)),
            None,
        ),
        Hostile("nested.zip", lambda: zip_of({"inner.zip": bomb("data.bin", zipfile.ZIP_DEFLATED)}), None),
        # An archive inside a document is never unpacked by the check (documents embed others).
        Hostile("nested.docx", lambda: docx({"word/embeddings/inner.zip": bomb("x", zipfile.ZIP_BZIP2)}), DOCX),
        Hostile("entries.docx", lambda: many_entries(60_000), None),
        Hostile("zip64.docx", lambda: zip64_marked(docx()), None),
        Hostile("encrypted.odt", lambda: set_flag(odt(), "mimetype", 0x1), None),
        Hostile("deflate64.docx", lambda: set_method(docx(), "word/document.xml", 9), None),
        # ODF stores ``mimetype`` uncompressed; a compressed one is not read, so not an ODF document.
        Hostile("mimetype-deflated.odt", lambda: set_method(odt(), "mimetype", zipfile.ZIP_DEFLATED), None),
        Hostile("odt-wrong-mimetype.odt", lambda: zip_of({"mimetype": b"text/html", "content.xml": b"<x/>"}), None),
        Hostile("plain.zip", lambda: zip_of({"a.txt": b"hello"}), None),
        # Polyglots and disguises.
        Hostile("poly.gif", lambda: GIF + b"<html><script>alert(document.cookie)</script></html>", None),
        Hostile("poly.jpg", lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<script>alert(1)</script>", None),
        Hostile("poly.pdf", lambda: PDF + docx(), "application/pdf"),
        Hostile("late-html.png", lambda: PNG + bytes(4096) + b"<html><script>alert(1)</script>", "image/png"),
        Hostile("poly.html", lambda: GIF, "image/gif"),
        Hostile("page.gif", lambda: b"<!DOCTYPE html><html><body onload=alert(1)></body></html>", None),
        Hostile("script.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', None),
        Hostile("bom.svg", lambda: b"\xef\xbb\xbf<svg onload=alert(1)/>", None),
        Hostile("padded.svg", lambda: b"<!--" + b"x" * 4000 + b"--><svg onload=alert(1)/>", None),
        Hostile("xml.txt", lambda: b'<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml"/>', None),
        Hostile("utf16.html", lambda: "<html><script>alert(1)</script></html>".encode("utf-16"), None),
        Hostile("program.exe", lambda: b"MZ\x90\x00" + bytes(60), None),
        # Truncated files.
        Hostile("truncated.zip", lambda: b"PK\x03\x04\x14\x00\x00\x00", None),
        Hostile("truncated.docx", lambda: docx()[:100], None),
        Hostile("truncated-directory.docx", lambda: docx()[:-10], None),
        Hostile("truncated.png", lambda: PNG[:8], "image/png"),
        Hostile("truncated.pdf", lambda: b"%PDF-", "application/pdf"),
        Hostile("truncated.gif", lambda: b"GIF8", "text/plain"),
        Hostile("empty.gif", lambda: b"", None),
        # The good ones still pass.
        Hostile("document.odt", odt, ODT.decode()),
        Hostile("document.docx", docx, DOCX),
    ]
    return items
