"""Attachment checks: the real type from the first bytes (never the name), size, virus scan hook.

The scanner is chosen by ``settings.CASES_VIRUS_SCANNER`` (a dotted path to a callable taking
the file's bytes and returning ``ScanResult``). The default accepts everything; plug in ClamAV
(clamd) in production. ``EicarScanner`` rejects the EICAR test string and serves as a test double.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.utils.module_loading import import_string

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
    path = getattr(settings, "CASES_VIRUS_SCANNER", "okienko.cases.files.accept_all")
    found: Scanner = import_string(path)
    return found


def max_bytes() -> int:
    return int(getattr(settings, "CASES_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))


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
ALLOWED_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "application/vnd.oasis.opendocument.text",
        *_OFFICE_TYPES.values(),
    }
)


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
            if "mimetype" in names and archive.read("mimetype") == b"application/vnd.oasis.opendocument.text":
                return "application/vnd.oasis.opendocument.text"
            if "[Content_Types].xml" in names:
                for prefix, mime in _OFFICE_TYPES.items():
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except zipfile.BadZipFile:
        pass
    return "application/zip"
