"""One way to change a Kontraktor status: check the machine, save, write the history row, audit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from okienko.accounts.access import user_of
from okienko.contracting import replication
from okienko.contracting.states import Machine
from okienko.core import audit, clock, events
from okienko.core.actors import Actor, name_of
from okienko.core.errors import TransitionNotAllowed


def pick_side(machine: Machine, from_status: str, to_status: str, sides: Iterable[str]) -> str:
    """The first of ``sides`` the table allows for this change, else refuse naming the first side."""
    ordered = list(sides)
    for side in ordered:
        if machine.allowed(from_status, to_status, side):
            return side
    machine.check(from_status, to_status, ordered[0] if ordered else "")
    raise TransitionNotAllowed(from_status, to_status, f"{machine.name}: no side")  # pragma: no cover


def move(
    obj: Any,
    *,
    machine: Machine,
    to: str,
    sides: Iterable[str],
    actor: Actor,
    history: type[models.Model],
    link: str,
    note: str = "",
    organisation_id: int | None = None,
    extra_fields: Iterable[str] = (),
    data: dict[str, Any] | None = None,
) -> str:
    """Move ``obj`` (a model with ``status``) to ``to``; return the side that did it.

    The caller runs this inside its transaction; the row is saved with ``status`` (and
    ``updated_at`` where the model has it) plus ``extra_fields``.
    """
    before = obj.status
    side = pick_side(machine, before, to, sides)
    now = clock.now()
    obj.status = to
    update = ["status", *extra_fields]
    if hasattr(obj, "updated_at"):
        obj.updated_at = now
        update.append("updated_at")
    obj.save(update_fields=update)
    history.objects.create(  # type: ignore[attr-defined]
        **{link: obj},
        from_status=before,
        to_status=to,
        at=now,
        actor=user_of(actor),
        actor_repr=name_of(actor)[:200],
        side=side,
        note=note,
    )
    audit.record(
        f"contracting.{obj._meta.model_name}.status",
        actor=actor,
        obj=obj,
        organisation_id=organisation_id,
        changes={"status": [before, to]},
        data={"side": side, **({"note": note} if note else {}), **(data or {})},
    )
    replication.changed("status", obj, actor=actor, before=before, to=to, side=side, note=note, at=now)
    # After commit, subscribers (notifications, webhooks) learn of it: references only, no personal data.
    events.emit(
        f"contracting.{obj._meta.model_name}.status",
        obj=obj,
        organisation_id=organisation_id,
        payload={"id": public_id(obj), "from": before, "to": to, "side": side},
    )
    return side


def public_id(obj: Any) -> str:
    """The id an object is known by across institutions: a participant's reference, else its UUID."""
    for name in ("ref", "uuid", "message_id"):
        value = getattr(obj, name, None)
        if value:
            return str(value)
    return str(obj.pk)
