"""Case attachment checks: the shared upload checks of ``okienko.core.uploads`` (the real type from
the first bytes, never the name; size; the virus scanner hook, ``UPLOAD_VIRUS_SCANNER`` else
``CASES_VIRUS_SCANNER``) with the cases' own size setting and the messages case users see.

The names the rest of the code and the settings use (``okienko.cases.files.eicar_scanner``,
``sniff``, ``ALLOWED_TYPES``…) stay importable from here.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from okienko.core import uploads
from okienko.core.uploads import (
    DEFAULT_MAX_BYTES,
    EICAR,
    CheckedFile,
    Scanner,
    ScanResult,
    UploadRejected,
    accept_all,
    display_name,
    eicar_scanner,
    safe_name,
    scanner,
    sniff,
)

__all__ = [
    "ALLOWED_TYPES",
    "DEFAULT_MAX_BYTES",
    "EICAR",
    "CheckedFile",
    "ScanResult",
    "Scanner",
    "UploadRejected",
    "accept_all",
    "check",
    "display_name",
    "eicar_scanner",
    "max_bytes",
    "safe_name",
    "scanner",
    "sniff",
]

ALLOWED_TYPES = uploads.DOCUMENT_TYPES


def max_bytes() -> int:
    return int(getattr(settings, "CASES_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))


def check(data: bytes) -> CheckedFile:
    """``uploads.check`` with the cases' size limit; a refusal (``UploadRejected``, same ``reason``)
    carries the wording case users have always been shown."""
    try:
        return uploads.check(data, max_bytes=max_bytes(), allowed=ALLOWED_TYPES)
    except UploadRejected as exc:
        if exc.reason == "too-large":
            message = _("The file is larger than %(mb)s MB.") % {"mb": max_bytes() // (1024 * 1024)}
        elif exc.reason.startswith("type:"):
            message = _("This type of file is not accepted (PDF, images, documents only).")
        else:
            message = exc.message  # empty or infected: the same text as the cases had
        raise UploadRejected(message, exc.reason) from exc
