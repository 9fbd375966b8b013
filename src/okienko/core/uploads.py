"""Checks every uploaded file passes, whichever app stores it, and the safe way to stream it back.

- the real type is judged from the first bytes (never the name or the browser's claim);
- a size limit and a non-empty body;
- a virus scanner hook: ``settings.UPLOAD_VIRUS_SCANNER`` (else ``CASES_VIRUS_SCANNER``), a dotted
  path to a callable taking the bytes and returning ``ScanResult``. The default accepts everything;
  plug in ClamAV (clamd) in production. ``eicar_scanner`` rejects the EICAR test string;
- files live under ``MEDIA_ROOT`` (outside the web root) by a random name and are only sent by
  views that checked permissions, as downloads with ``nosniff`` and a sandboxing CSP.
"""

from __future__ import annotations

import codecs
import hashlib
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import IO

from django.conf import settings
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    reason: str = ""


Scanner = Callable[[bytes], ScanResult]


def accept_all(data: bytes) -> ScanResult:
    return ScanResult(True)


def eicar_scanner(data: bytes) -> ScanResult:
    """Rejects files containing the EICAR test signature (a stand-in for a real scanner)."""
    if EICAR in data:
        return ScanResult(False, "Eicar-Test-Signature")
    return ScanResult(True)


def scanner() -> Scanner:
    path = str(
        getattr(settings, "UPLOAD_VIRUS_SCANNER", None)
        or getattr(settings, "CASES_VIRUS_SCANNER", "okienko.core.uploads.accept_all")
    )
    found: Scanner = import_string(path)
    return found


# (magic prefix, MIME type). Checked in order.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
_OFFICE_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ODT = "application/vnd.oasis.opendocument.text"
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        ODT,
        *_OFFICE_TYPES.values(),
    }
)
TYPE_LABELS = {
    "application/pdf": gettext_lazy("PDF document"),
    "image/png": gettext_lazy("PNG image"),
    "image/jpeg": gettext_lazy("JPEG image"),
    "image/gif": gettext_lazy("GIF image"),
    "image/webp": gettext_lazy("WebP image"),
    "text/plain": gettext_lazy("text file"),
    ODT: gettext_lazy("OpenDocument text"),
    _OFFICE_TYPES["word/"]: gettext_lazy("Word document"),
    _OFFICE_TYPES["xl/"]: gettext_lazy("Excel spreadsheet"),
}


def type_label(content_type: str) -> str:
    return str(TYPE_LABELS.get(content_type, content_type))


# Markup a browser could render or run: refused in the first KiB of an image or PDF (a "polyglot"
# whose first bytes are also an HTML page) and anywhere in a text file (also XML and SVG there).
_HTML = (b"<script", b"<html", b"<!doctype html", b"<svg", b"<iframe", b"<object", b"<embed", b"<body")
_MARKUP = (*_HTML, b"<?xml", b"<!doctype")
_CHUNK = 64 * 1024


def sniff(data: bytes) -> str:
    """The content type judged from the bytes; ``application/octet-stream`` when unknown.

    Bounded work and memory whatever the input: archives are judged from their directory and at
    most a few stored bytes (never decompressed), text is checked in chunks.
    """
    detected = _sniff_signature(data)
    if detected is not None:
        head = data[:1024].lower()
        return "text/html" if any(marker in head for marker in _HTML) else detected
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if data.startswith((b"MZ", b"\x7fELF", b"#!")):
        return "application/x-executable"
    return _sniff_text(data)


def _sniff_signature(data: bytes) -> str | None:
    """The image or PDF type its magic bytes announce."""
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _sniff_text(data: bytes) -> str:
    """``text/plain`` for UTF-8 without control characters at the start and without markup anywhere
    (an SVG or HTML page padded past the first KiB); decoded chunk by chunk, never whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    overlap = max(len(m) for m in _MARKUP) - 1
    previous = b""
    for start in range(0, len(data), _CHUNK):
        chunk = data[start : start + _CHUNK]
        try:
            text = decoder.decode(chunk, final=start + _CHUNK >= len(data))
        except UnicodeDecodeError:
            return "application/octet-stream"
        if start == 0 and any(ord(ch) < 9 for ch in text[:4096]):
            return "application/octet-stream"
        window = previous + chunk.lower()
        if any(marker in window for marker in _MARKUP):
            return "text/html"
        previous = window[-overlap:]
    return "text/plain"


# Archive limits (ODF and OOXML documents are zip files). The sniffer only reads the central
# directory and, for ODF, the few stored bytes of ``mimetype``; nothing is ever decompressed.
# The other limits refuse archives that would explode in whoever opens them later.
ZIP_MAX_DIRECTORY_BYTES = 256 * 1024  # ~3,000 entries; bounds the memory of reading the directory
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_TOTAL_BYTES = 256 * 1024 * 1024  # declared uncompressed size of all members together
ZIP_MAX_RATIO = 200  # declared uncompressed / compressed size of a member larger than 1 MiB
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})  # what office suites write
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
REFUSED_ARCHIVE = "application/zip"


def _zip_directory_is_small(data: bytes) -> bool:
    """Find the end-of-central-directory record where ``zipfile`` looks for it and check the
    directory is small, on one disk and not ZIP64, before ``zipfile`` reads it."""
    size = len(data)
    if size >= 22 and data[-22:-18] == _EOCD and data[-2:] == b"\0\0":
        at = size - 22
    else:
        at = data.rfind(_EOCD, max(size - 65536 - 22, 0))
        if at < 0 or at + 22 > size:
            return False
    fields: tuple[int, ...] = struct.unpack("<4H2L", data[at + 4 : at + 20])
    disk, cd_disk, on_disk, total, cd_size, _cd_offset = fields
    if at >= 20 and data[at - 20 : at - 16] == _EOCD64_LOCATOR:
        return False
    return disk == cd_disk == 0 and on_disk == total <= ZIP_MAX_ENTRIES and cd_size <= ZIP_MAX_DIRECTORY_BYTES


def _zip_members_are_sane(infos: list[zipfile.ZipInfo]) -> bool:
    if len(infos) > ZIP_MAX_ENTRIES:
        return False
    total = 0
    for info in infos:
        if info.compress_type not in _ZIP_METHODS or info.flag_bits & 0x1:  # other method, encrypted
            return False
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            return False
    return total <= ZIP_MAX_TOTAL_BYTES


def _sniff_zip(data: bytes) -> str:
    if not _zip_directory_is_small(data):
        return REFUSED_ARCHIVE
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
            if not _zip_members_are_sane(infos):
                return REFUSED_ARCHIVE
            names = {info.filename for info in infos}
            if "mimetype" in names:
                return ODT if _odf_mimetype(archive, archive.getinfo("mimetype")) == ODT.encode() else REFUSED_ARCHIVE
            if "[Content_Types].xml" in names:
                for prefix, mime in _OFFICE_TYPES.items():
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        EOFError,
        OSError,
        ValueError,
        zlib.error,
    ):
        pass
    return REFUSED_ARCHIVE


def _odf_mimetype(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The ``mimetype`` member of an ODF document: stored uncompressed by the standard, so reading
    it costs exactly its few bytes; anything else is not an ODF document."""
    if info.compress_type != zipfile.ZIP_STORED or not info.file_size == info.compress_size <= 100:
        return b""
    with archive.open(info) as member:
        return member.read(101)


class UploadRejected(Exception):
    """A file refused by ``check``; ``message`` is for the user, ``reason`` for the audit log."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def too_large_message(max_bytes: int) -> str:
    return _("The file is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)}


def check(data: bytes, *, max_bytes: int, allowed: frozenset[str] = DOCUMENT_TYPES) -> CheckedFile:
    """Refuse (``UploadRejected``) an empty or too large file, one of a type not in ``allowed``,
    or one the virus scanner flags; otherwise return what was learnt about it."""
    if len(data) > max_bytes:
        raise UploadRejected(too_large_message(max_bytes), "too-large")
    if not data:
        raise UploadRejected(_("The file is empty."), "empty")
    detected = sniff(data)
    if detected not in allowed:
        raise UploadRejected(
            _("This type of file is not accepted (PDF, images, text and office documents only)."),
            f"type:{detected}",
        )
    verdict = scanner()(data)
    if not verdict.clean:
        raise UploadRejected(_("The file did not pass the virus check."), f"virus:{verdict.reason}")
    return CheckedFile(detected, len(data), hashlib.sha256(data).hexdigest())


def safe_name(name: str) -> str:
    """The user's file name without path separators, for the download's Content-Disposition."""
    return name.replace("/", "_").replace("\\", "_").strip()[:200] or "file"


# The extension a stored file is offered with, by its detected type; the first is the usual one.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "text/plain": (".txt",),
    ODT: (".odt",),
    _OFFICE_TYPES["word/"]: (".docx",),
    _OFFICE_TYPES["xl/"]: (".xlsx",),
}
_NAME_PUNCTUATION = frozenset(" -_.,()")


def display_name(name: str, content_type: str) -> str:
    """The name a checked file is shown and downloaded under: the sender's name reduced to letters,
    digits and plain punctuation (no paths, control or bidirectional characters, no leading dot),
    with the extension of the type detected from the bytes — ``poly.html`` holding a GIF becomes
    ``poly.gif``, never a page a browser would open."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    extensions = EXTENSIONS.get(content_type, (".bin",))
    extension = f".{suffix.lower()}" if f".{suffix.lower()}" in extensions else extensions[0]
    cleaned = "".join(ch if unicodedata.category(ch)[0] in "LN" or ch in _NAME_PUNCTUATION else "_" for ch in stem)
    cleaned = " ".join(cleaned.split()).strip(" ._")[:120]
    return f"{cleaned or 'file'}{extension}"


def download(stream: IO[bytes], *, content_type: str, filename: str) -> FileResponse:
    """Send a stored file as a download that a browser will not run or render as a page."""
    response = FileResponse(stream, content_type=content_type, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
