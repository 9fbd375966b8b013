"""The titles of problem details (RFC 9457) by HTTP status, in the reader's language.

One list for the API and the desk's and portal's JSON endpoints: a title changes only with the
language (RFC 9457, 3.1.4), so a Polish reader gets "Nie znaleziono", never "Not found".
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

TITLES: dict[int, StrOrPromise] = {
    400: _("Bad request"),
    401: _("Not authenticated"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    412: _("Precondition failed"),
    413: _("Content too large"),
    415: _("Unsupported media type"),
    422: _("Unprocessable content"),
    428: _("Precondition required"),
    429: _("Too many requests"),
    500: _("Internal server error"),
    503: _("Service unavailable"),
}


def title(status: int) -> str:
    """The title for ``status`` in the active language ("Error" for a status not listed)."""
    return str(TITLES.get(status, _("Error")))
