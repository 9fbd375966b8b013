"""What the engine process and the web server read from and write to the database: the queues,
who answers them, the event log, and the contacts and callbacks that calls leave behind. All
synchronous (the engine process calls it from a worker thread)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts import access
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Perm
from okienko.clients.models import Client
from okienko.core import audit, clock, context
from okienko.core.choices import Channel
from okienko.core.ids import parse_uuid
from okienko.interactions import actions as interaction_actions
from okienko.interactions.models import Interaction
from okienko.telephony.engine.events import CallEvent
from okienko.telephony.models import CallEventRecord, PhoneQueue, QueueMember

UTC = dt.UTC


@dataclass(frozen=True)
class QueueInfo:
    """What the desk and the wallboard show about a queue (the engine knows only its config)."""

    code: str
    name: str
    office: str
    office_name: str
    announce_position: bool
    service_level_target: float
    service_level_seconds: int
    record_calls: bool = False
    consent_prompt: str = "consent-recording"  # the prompt played before a recorded call
    consent_text: str = ""


def queues() -> list[tuple[Any, QueueInfo]]:
    """Every active queue as ``(QueueConfig, QueueInfo)``."""
    from okienko.telephony.prompts import consent_text

    found = []
    for queue in PhoneQueue.objects.filter(active=True).select_related("organisation").order_by("code"):
        info = QueueInfo(
            code=queue.code,
            name=queue.name,
            office=queue.organisation.code,
            office_name=queue.organisation.name,
            announce_position=queue.announce_position,
            service_level_target=float(queue.service_level_target),
            service_level_seconds=queue.service_level_seconds,
            record_calls=bool(getattr(queue, "record_calls", False)),
            consent_text=consent_text(queue.organisation.code),
        )
        found.append((queue.to_config(), info))
    return found


def agent_queues(user: User) -> dict[str, int]:
    """The queues ``user`` answers with their penalties: their ``QueueMember`` rows, or else the
    queues of the offices where they record contacts (0) and of the other offices under the same
    parent (1: they join after the queue's tier step — "local office first, then other locations")."""
    rows = dict(QueueMember.objects.filter(user=user, queue__active=True).values_list("queue__code", "penalty"))
    if rows:
        return rows
    own = list(access.organisations_with(user, Perm.INTERACTIONS_RECORD))
    if not own:
        return {}
    found = {q.code: 0 for q in PhoneQueue.objects.filter(active=True, organisation__in=own)}
    parents = {o.parent_id for o in own if o.parent_id}
    siblings = PhoneQueue.objects.filter(active=True, organisation__parent_id__in=parents).exclude(organisation__in=own)
    for queue in siblings:
        found.setdefault(queue.code, 1)
    return found


def supervised_offices(user: User) -> list[str]:
    """Codes of the offices whose queues ``user`` supervises (subtrees and grants included)."""
    return sorted(access.organisations_with(user, Perm.QUEUES_SUPERVISE).values_list("code", flat=True))


def persist(events: Iterable[CallEvent]) -> None:
    """Append engine events to the log table (one statement per batch)."""
    rows = [
        CallEventRecord(
            at=dt.datetime.fromtimestamp(e.at, UTC),
            seconds=e.at,
            kind=e.kind,
            call=e.call[:64],
            queue=e.queue[:60],
            agent=e.agent[:64],
            data=e.data,
        )
        for e in events
    ]
    if rows:
        CallEventRecord.objects.bulk_create(rows)


def load_events(since: float) -> list[CallEvent]:
    """The log from ``since`` (engine seconds) on, in order, for rebuilding the engine's state."""
    rows = CallEventRecord.objects.filter(seconds__gte=since).order_by("id")
    return [CallEvent(at=r.seconds, kind=r.kind, call=r.call, queue=r.queue, agent=r.agent, data=r.data) for r in rows]


def client_summary(client_id: str) -> dict[str, str]:
    """Name and number of an identified caller, for the queue views (no other personal data)."""
    client = Client.objects.filter(pk=int(client_id)).first() if client_id.isdigit() else None
    if client is None:
        return {}
    return {"client": str(client.pk), "client_uuid": str(client.uuid), "client_number": client.number}


def record_call(
    *,
    queue_office: str,
    agent: str,
    client_id: str,
    caller: str,
    started: float,
    ended: float,
    call: str,
    path: list[str],
) -> str:
    """Put an answered call on the client's history (or as an anonymous contact): channel phone,
    its real start and end; the consultant who answered it as the staff member. Returns the
    contact's uuid for the desk's wrap-up."""
    organisation = Organisation.objects.filter(code=queue_office).first()
    if organisation is None:
        return ""
    client = Client.objects.filter(pk=int(client_id)).first() if client_id.isdigit() else None
    staff = User.objects.filter(pk=int(agent)).first() if agent.isdigit() else None
    with context.channel("phone"), transaction.atomic():
        interaction = interaction_actions.record_interaction(
            actor=None,
            channel=Channel.PHONE,
            organisation=organisation,
            client=client,
            outcome=Interaction.Outcome.OTHER,
            notes=_("Phone call %(call)s; IVR path: %(path)s.") % {"call": call, "path": " → ".join(path) or "—"},
            started_at=dt.datetime.fromtimestamp(started, UTC),
            ended_at=dt.datetime.fromtimestamp(max(ended, started), UTC),
            contact_name="",
            contact_detail="" if client is not None else caller[:200],
        )
        if staff is not None:
            Interaction.objects.filter(pk=interaction.pk).update(staff=staff)
    return str(interaction.uuid)


def request_callback(*, office: str, client_id: str, caller: str, reason: str) -> str:
    """A callback for the caller's office (from the IVR or when a queue overflows to callback)."""
    organisation = Organisation.objects.filter(code=office).first()
    if organisation is None:
        return ""
    client = Client.objects.filter(pk=int(client_id)).first() if client_id.isdigit() else None
    with context.channel("phone"):
        callback = interaction_actions.request_callback(
            actor=None,
            organisation=organisation,
            target_unit=organisation,
            client=client,
            phone=caller[:40],
            reason=reason[:2000] or _("Callback requested on the phone line."),
            due_at=clock.now() + dt.timedelta(hours=4),
        )
    return str(callback.pk)


def record_wrap_up(user: User, interaction_uuid: str, outcome: str, notes: str) -> Interaction | None:
    """The consultant's wrap-up code and note on the contact their call left."""
    key = parse_uuid(interaction_uuid)
    interaction = Interaction.objects.filter(uuid=key, staff=user).first() if key else None
    if interaction is None or outcome not in Interaction.Outcome.values:
        return None
    before = audit.snapshot(interaction, ["outcome", "notes"])
    interaction.outcome = outcome
    if notes.strip():
        interaction.notes = (interaction.notes + "\n" + notes.strip())[:5000]
    interaction.save(update_fields=["outcome", "notes"])
    audit.record(
        "telephony.wrap_up",
        actor=user,
        obj=interaction,
        organisation_id=interaction.organisation_id,
        changes=audit.diff(before, audit.snapshot(interaction, ["outcome", "notes"])),
    )
    return interaction


def audit_supervision(supervisor: str, call: str, mode: str, office: str, agent: str) -> None:
    """A supervisor listened in, whispered or barged in: in the audit log of the queue's office."""
    user = User.objects.filter(pk=int(supervisor)).first() if supervisor.isdigit() else None
    organisation = Organisation.objects.filter(code=office).first()
    audit.record(
        "telephony.call_supervised",
        actor=user,
        organisation_id=organisation.pk if organisation else None,
        data={"call": call, "mode": mode, "agent": agent},
    )


def alert_failure(what: str, detail: str, office: str = "") -> None:
    """A telephony failure staff must hear of (storage full, the Asterisk connection lost…), in
    the audit log of ``office`` when it concerns one office's call."""
    from okienko.telephony.recordings import alert_failure as record

    record(what, detail, Organisation.objects.filter(code=office).first() if office else None)
