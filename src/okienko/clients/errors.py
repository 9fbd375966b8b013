"""Domain errors of the clients app (views map them to form errors or 4xx responses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from okienko.clients.models import Client


class ClientError(Exception):
    """A client write was refused; ``message`` is shown to the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class Duplicate:
    """A possible duplicate; ``visible`` is false when the actor may not open its card (then only
    its office may be named, never its identity)."""

    client: Client
    reasons: list[str] = field(default_factory=list)
    visible: bool = True


class DuplicatesFound(ClientError):
    """Possible duplicates exist; the consultant must look at them and confirm."""

    def __init__(self, duplicates: list[Duplicate], *, blocking: bool) -> None:
        super().__init__("possible duplicates")
        self.duplicates = duplicates
        self.blocking = blocking
