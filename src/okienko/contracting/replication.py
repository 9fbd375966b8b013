"""Where Kontraktor tells whoever listens that something another installation may need changed
(issue 18, ADR 0063): a status moved, participants were nominated, a package was packed.

The domain calls ``changed`` inside its transaction; the exchange (``contracting.exchange``, an
app of its own that registers a listener when it starts) turns the change into messages for a
partner institution on another installation. Part 1's single installation has no partners, and
then nothing happens. Listeners run in the caller's transaction: a change that rolls back sends
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from okienko.core.actors import Actor


@dataclass(frozen=True)
class Change:
    kind: str  # "status" | "nominated" | "package"
    obj: Any  # the contract, participant, request… that changed
    actor: Actor
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Change], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def changed(kind: str, obj: Any, *, actor: Actor, **data: Any) -> None:
    change = Change(kind, obj, actor, data)
    for listener in _listeners:
        listener(change)
