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

import hashlib
import zipfile
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


def sniff(data: bytes) -> str:
    """The content type judged from the bytes; ``application/octet-stream`` when unknown."""
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if data.startswith((b"MZ", b"\x7fELF", b"#!")):
        return "application/x-executable"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<script", b"<?xml", b"<svg")) or b"<script" in head:
        return "text/html"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    if any(ord(ch) < 9 for ch in text[:4096]):
        return "application/octet-stream"
    return "text/plain"


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names and archive.read("mimetype") == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names:
                for prefix, mime in _OFFICE_TYPES.items():
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except zipfile.BadZipFile:
        pass
    return "application/zip"


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


def download(stream: IO[bytes], *, content_type: str, filename: str) -> FileResponse:
    """Send a stored file as a download that a browser will not run or render as a page."""
    response = FileResponse(stream, content_type=content_type, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
