"""Who is on the other end of a connection to the engine process.

The engine listens on loopback only; the web server (which has the browser's session) connects
for each browser and asserts who it is in a signed, short-lived header. The engine trusts only
what it can verify with the installation's secret key (``django.core.signing``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.core import signing

SALT = "okienko.telephony.identity"
HEADER = "X-Okienko-Identity"
MAX_AGE = 60  # seconds between signing and the engine reading it (one connection attempt)

PHONE, AGENT, SUPERVISOR = "phone", "agent", "supervisor"
ROLES = (PHONE, AGENT, SUPERVISOR)


@dataclass(frozen=True)
class Identity:
    role: str
    user: str = ""  # the staff member's id (agents, supervisors; a signed-in softphone user)
    name: str = ""
    queues: dict[str, int] = field(default_factory=dict)  # an agent's queues and penalties
    scope: list[str] = field(default_factory=list)  # office codes a supervisor sees
    caller: str = ""  # the softphone's calling number

    def sign(self) -> str:
        return signing.dumps(asdict(self), salt=SALT, compress=True)


def verify(token: str) -> Identity | None:
    """The identity in ``token`` if it is ours and fresh, else ``None``."""
    try:
        raw: Any = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(raw, dict) or raw.get("role") not in ROLES:
        return None
    queues = raw.get("queues") or {}
    scope = raw.get("scope") or []
    if not isinstance(queues, dict) or not isinstance(scope, list):
        return None
    return Identity(
        role=str(raw["role"]),
        user=str(raw.get("user") or ""),
        name=str(raw.get("name") or "")[:200],
        queues={str(k): int(v) for k, v in queues.items()},
        scope=[str(s) for s in scope],
        caller=str(raw.get("caller") or "")[:40],
    )
