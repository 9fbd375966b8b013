"""Domain errors of the clients app (views map them to form errors or 4xx responses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from okienko.clients.models import Client
from okienko.core.errors import Conflict, InvalidInput


class ClientError(InvalidInput):
    """A client write was refused; ``message`` is shown to the user, ``field`` names the input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)


@dataclass
class Duplicate:
    """A possible duplicate; ``visible`` is false when the actor may not open its card (then only
    its office may be named, never its identity)."""

    client: Client
    reasons: list[str] = field(default_factory=list)
    visible: bool = True


class DuplicatesFound(ClientError, Conflict):
    """Possible duplicates exist; the consultant must look at them and confirm."""

    status = 409
    slug = "possible-duplicates"

    def __init__(self, duplicates: list[Duplicate], *, blocking: bool) -> None:
        super().__init__("possible duplicates")
        self.duplicates = duplicates
        self.blocking = blocking
