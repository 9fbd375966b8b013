"""Who an action is done by: the one type every action's ``actor`` and every access helper's
``user`` has (issue 11, ADR 0047 addendum).

- a member of staff or an API token's service user (``accounts.User``), or an anonymous visitor
  (Django's ``AnonymousUser``) — anything shaped like Django's user: ``Principal``;
- a part of the system acting on its own: ``SystemActor`` (the public portal on behalf of a
  resident, a scheduled job, an import), written to the audit log under its name;
- ``None``: the system itself where no name helps (demo loader, migrations).

Core cannot import the accounts app, so the user side is a protocol; apps that need the concrete
user (to store it in a foreign key) narrow with ``isinstance(actor, User)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, TypeGuard, runtime_checkable


@runtime_checkable
class Principal(Protocol):
    """A user as Django shapes it (``accounts.User`` or ``AnonymousUser``)."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    def get_username(self) -> str: ...


@dataclass(frozen=True)
class SystemActor:
    """A part of Okienko acting on its own, never a person with permissions."""

    name: str
    pk: None = None
    is_authenticated: bool = False
    is_active: bool = False
    is_superuser: bool = False  # read with getattr: AbstractBaseUser has no such field

    def get_username(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


Actor: TypeAlias = Principal | SystemActor | None

PORTAL = SystemActor("portal")  # a resident on the public site or through Open311
SCHEDULER = SystemActor("scheduler")  # periodic jobs (escalation, reminders, queues)


def signed_in(actor: Actor) -> TypeGuard[Principal]:
    """An active, authenticated user (not the system, not an anonymous visitor)."""
    return actor is not None and bool(actor.is_authenticated) and bool(actor.is_active)


def superuser(actor: Actor) -> bool:
    """The installation's superuser (every permission everywhere), while active."""
    return actor is not None and bool(actor.is_active) and bool(getattr(actor, "is_superuser", False))


def name_of(actor: Actor) -> str:
    """How the audit log and timelines name ``actor``."""
    if signed_in(actor):
        return actor.get_username()
    return str(actor or "system")
