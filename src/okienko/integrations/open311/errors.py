"""GeoReport v2 errors: ``<errors><error><code/><description/></error></errors>``.

Descriptions are made lazily (``gettext_lazy``, :func:`described`, :func:`stored`) and become text
only when ``views.endpoint`` renders the error, with the client's language active
(``language.language_of``): English unless the client prefers Polish.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy

from okienko.core.errors import DomainError

Description = str | Promise


def _format(message: Description, params: Mapping[str, object]) -> str:
    return str(message) % params


_lazy_format = lazy(_format, str)


def described(message: Description, /, **params: object) -> Description:
    """``message % params``, translated and formatted when the error is rendered (lazy ``params``
    are rendered then too)."""
    return _lazy_format(message, params)


def stored(message: str) -> Description:
    """A message kept in English (its msgid, e.g. a queued request's rejection reason), translated
    when rendered; text with no translation (a service's own question labels) is shown as stored."""
    return gettext_lazy(message) if message else message


class Open311Error(Exception):
    """An error answered in the request's format; ``code`` is the HTTP status."""

    def __init__(self, status: int, *descriptions: Description) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)

    def __str__(self) -> str:
        return "; ".join(str(d) for d in self.descriptions)

    def as_data(self) -> list[dict[str, object]]:
        """The error document's items, worded in the language active now."""
        return [{"code": self.status, "description": str(d)} for d in self.descriptions]


def from_domain(exc: DomainError) -> Open311Error:
    """The GeoReport error of a domain error (the one mapping for Open311): its status, and one
    description per field (``field: message``) or its message; worded when rendered."""
    if exc.errors:
        return Open311Error(
            exc.status, *(described("%(field)s: %(message)s", field=name, message=m) for name, m in exc.errors.items())
        )
    return Open311Error(exc.status, exc.message)
