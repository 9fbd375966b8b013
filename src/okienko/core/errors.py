"""Domain errors: what an action refuses, said once and shown the same way on every surface.

An action raises a :class:`DomainError` (or a subclass of it) with an HTTP status, a stable problem
slug, an optional field and a message that may be lazy (``gettext_lazy``). The message becomes text
only where it is shown, in the language active there. Each surface maps the hierarchy in one place:

- the REST API: RFC 9457 problem details (``api.problems.handle``);
- Open311: a GeoReport error document (``integrations.open311.errors.from_domain``);
- the desk: a message for the user (:func:`user_message`, :func:`report`).

``Forbidden`` is also Django's ``PermissionDenied`` and ``NotFound`` is also ``Http404``, so code
that catches those (and Django's own 403/404 handling) keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

Message = StrOrPromise


class DomainError(Exception):
    """A rule of the domain refused the request.

    ``message``: for the user, lazy or not; ``field``: the input it concerns, if one;
    ``errors``: per-field messages; ``extra``: further members of the problem details.
    """

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "domain-error"
    default_message: ClassVar[Message] = _("The request cannot be carried out.")

    def __init__(
        self,
        message: Message | None = None,
        *,
        field: str | None = None,
        errors: Mapping[str, Message] | None = None,
        **extra: Any,
    ) -> None:
        self.message: Message = message if message is not None else self.default_message
        self.field = field
        self.errors: dict[str, Message] = dict(errors or {})
        if field is not None and not self.errors:
            self.errors[field] = self.message
        self.extra = extra
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(DomainError):
    """The input cannot be accepted; ``errors`` maps each field to what is wrong with it."""

    status = 400
    slug = "validation-error"
    default_message = _("The request has invalid fields.")


class Forbidden(DomainError, PermissionDenied):
    """The actor may not do this (also Django's ``PermissionDenied``)."""

    status = 403
    slug = "forbidden"
    default_message = _("You may not do this.")


class NotFound(DomainError, Http404):
    """The object does not exist or is not visible to the actor (also Django's ``Http404``)."""

    status = 404
    slug = "not-found"
    default_message = _("The object you asked for does not exist or is not visible to you.")


class Conflict(DomainError):
    """The request conflicts with the object's current state."""

    status = 409
    slug = "conflict"
    default_message = _("The request conflicts with the current state of the object.")


class StaleVersion(Conflict):
    """Someone changed the object since the writer read it; ``current_version`` is its version now.

    A precondition (``If-Match`` or the version the form was loaded with) failed, hence 412.
    """

    status = 412
    slug = "precondition-failed"
    default_message = _("Someone else changed this in the meantime. Nothing was saved; read it again and retry.")

    def __init__(self, message: Message | None = None, *, current_version: int, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.current_version = current_version


class TransitionNotAllowed(Conflict):
    """The workflow does not allow this change of status (at all, or for this actor).

    ``str()`` names the statuses and the reason (for logs and tests); ``message`` is for the user.
    """

    slug = "transition-not-allowed"
    default_message = _("This change of status is not allowed.")

    def __init__(
        self,
        from_status: str = "",
        to_status: str = "",
        reason: str = "",
        *,
        message: Message | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message, **extra)
        self.from_status = from_status
        self.to_status = to_status
        self.reason = reason

    def __str__(self) -> str:
        if self.from_status or self.to_status:
            return f"{self.from_status} → {self.to_status}: {self.reason}"
        return str(self.message)


def user_message(exc: DomainError) -> str:
    """The error as one readable sentence (or several, one per field) in the active language."""
    if isinstance(exc, InvalidInput) and exc.errors and exc.message is InvalidInput.default_message:
        return " ".join(str(message) for message in exc.errors.values())
    return str(exc.message)


def report(request: HttpRequest, exc: DomainError) -> None:
    """Show the error on the next page the user sees (Django messages)."""
    messages.error(request, user_message(exc))
