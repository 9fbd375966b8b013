"""Supervision and recording through the live engine (issue 16): a supervisor's wallboard sees, for
a consultant on a call, the modes the line allows; listening in and stopping work and are logged
(call event and audit record); a supervisor of another office finds no such call; a mode the line
does not have is refused. A call through a queue that records hears the recording notice before
it is queued and ends with a stored recording that says the notice was played."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core.models import AuditRecord
from okienko.telephony.identity import Identity
from okienko.telephony.media_models import CallRecording
from okienko.telephony.models import CallEventRecord, PhoneQueue
from tests.telephony.media_helpers import use_private_folders
from tests.telephony.test_runtime import Engine, running_engine, until

pytestmark = pytest.mark.django_db(transaction=True)

FLOW = {
    "start": "hello",
    "nodes": {
        "hello": {"type": "play", "text": "Dzień dobry.", "next": "queue"},
        "queue": {"type": "enqueue", "queue": "tel-pup-a", "priority": 0},
    },
}
ALL_MODES = ["listen", "whisper", "barge"]


@pytest.fixture
def recorded_office(region: Organisation, settings: Any, tmp_path: Path) -> Organisation:
    """PUP A's recording queue behind entry number 9524 (a greeting, then the queue)."""
    from okienko.telephony.ivr import actions as ivr_actions
    from okienko.telephony.ivr.models import EntryNumber, Flow

    use_private_folders(settings, tmp_path)
    office = Organisation.objects.get(code="pup-a")
    PhoneQueue.objects.create(
        organisation=office, code="tel-pup-a", name="PUP A — nagrywana", overflow_after=None, record_calls=True
    )
    flow = Flow.objects.create(organisation=office, code="test-9524", name="Nagrywana")
    ivr_actions.publish(actor=None, version=ivr_actions.create_draft(actor=None, flow=flow, definition=FLOW))
    EntryNumber.objects.create(number="9524", name="Linia nagrywana", organisation=office, flow=flow)
    return office


@pytest.fixture
def engine(recorded_office: Organisation) -> Iterator[Engine]:
    with running_engine() as started:
        yield started


@pytest.fixture
def agent(recorded_office: Organisation, make_user: Callable[..., User]) -> User:
    user: User = make_user("konsultant", roles=[(recorded_office, Role.CONSULTANT)])
    return user


def _connected_call(engine: Engine, agent: User) -> tuple[ClientConnection, ClientConnection, str, list[str]]:
    """A caller of 9524 answered by ``agent``: (phone, desk, call id, the phone's frame types)."""
    desk = engine.socket(Identity(role="agent", user=str(agent.pk), name="Konsultant", queues={"tel-pup-a": 0}))
    until(desk, "state")
    desk.send(json.dumps({"type": "ready"}))
    until(desk, "state")
    phone = engine.socket(Identity(role="phone", caller="+48600100200"))
    phone.send(json.dumps({"type": "dial", "number": "9524"}))
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while not any(f.get("type") == "queued" for f in seen):
        assert time.monotonic() < deadline, f"not queued: {seen}"
        seen.append(json.loads(phone.recv(timeout=max(0.1, deadline - time.monotonic()))))
    call = next(f["call"] for f in seen if f.get("type") == "dialled")
    assert until(desk, "ring")["call"] == call
    desk.send(json.dumps({"type": "answer", "call": call}))
    until(desk, "connected")
    until(phone, "connected")
    return phone, desk, call, [json.dumps(f, ensure_ascii=False) for f in seen]


def _board_until(board: ClientConnection, agent: User, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The agent's row of the first board frame that satisfies ``check`` (frames come every second
    while something changes, and in answer to each command)."""
    deadline = time.monotonic() + 10
    while True:
        assert time.monotonic() < deadline, "the board never showed it"
        frame = until(board, "board", timeout=max(0.1, deadline - time.monotonic()))
        row: dict[str, Any] | None = next((a for a in frame["agents"] if a["agent"] == str(agent.pk)), None)
        if row is not None and check(row):
            return row


def test_a_supervisor_listens_in_and_stops_and_it_is_logged(
    engine: Engine, agent: User, recorded_office: Organisation, make_user: Callable[..., User]
) -> None:
    supervisor = make_user("kierownik", roles=[(recorded_office, Role.SUPERVISOR)])
    phone, desk, call, _frames = _connected_call(engine, agent)
    board = engine.socket(Identity(role="supervisor", user=str(supervisor.pk), name="K", scope=["pup-a"]))
    row = _board_until(board, agent, lambda a: a["call"] == call)
    assert (row["modes"], row["supervising"]) == (ALL_MODES, "")

    board.send(json.dumps({"type": "supervise", "call": call, "mode": "listen"}))
    assert _board_until(board, agent, lambda a: a["supervising"] != "")["supervising"] == "listen"

    board.send(json.dumps({"type": "supervise", "call": call, "mode": "eavesdrop"}))
    assert until(board, "error")["code"] == "unsupported"

    board.send(json.dumps({"type": "stop_supervising", "call": call}))
    row = _board_until(board, agent, lambda a: a["supervising"] == "")
    assert row["modes"] == ALL_MODES

    outsider = make_user("kierownik.b", roles=[(Organisation.objects.get(code="pup-b"), Role.SUPERVISOR)])
    other = engine.socket(Identity(role="supervisor", user=str(outsider.pk), name="B", scope=["pup-b"]))
    other.send(json.dumps({"type": "supervise", "call": call, "mode": "listen"}))
    assert until(other, "error")["code"] == "not-found"
    board.send(json.dumps({"type": "supervise", "call": "no-such-call", "mode": "listen"}))
    assert until(board, "error")["code"] == "not-found"

    desk.send(json.dumps({"type": "hangup", "call": call}))
    until(phone, "ended")
    for socket in (phone, desk, board, other):
        socket.close()
    engine.flush()
    supervised = CallEventRecord.objects.filter(call=call, kind="supervise")
    assert [(e.data["supervisor"], e.data["mode"]) for e in supervised] == [(str(supervisor.pk), "listen")]
    assert CallEventRecord.objects.filter(call=call, kind="supervise.stop").count() == 1
    audit = AuditRecord.objects.filter(action="telephony.call_supervised")
    assert [(r.actor_id, r.data["call"], r.data["mode"]) for r in audit] == [(supervisor.pk, call, "listen")]
    assert audit.get().organisation_id == recorded_office.pk


def test_a_recorded_call_hears_the_notice_before_the_queue_and_is_stored(engine: Engine, agent: User) -> None:
    phone, desk, call, frames = _connected_call(engine, agent)
    said = [json.loads(f) for f in frames]
    before_queue = said[: [f["type"] for f in said].index("queued")]
    notices = [f["text"] for f in before_queue if f["type"] == "prompt" and f.get("text") != "Dzień dobry."]
    assert len(notices) == 1, said  # the recording notice, between the greeting and the queue
    time.sleep(1.1)  # a recording of at least a second
    desk.send(json.dumps({"type": "hangup", "call": call}))
    until(phone, "ended")
    phone.close()
    desk.close()
    deadline = time.monotonic() + 10
    while not CallRecording.objects.filter(call=call).exists():
        assert time.monotonic() < deadline, "the recording was not stored"
        time.sleep(0.1)
    recording = CallRecording.objects.get(call=call)
    assert recording.consent_played is True
    assert recording.queue == "tel-pup-a"
    assert recording.organisation.code == "pup-a"
    assert recording.ended_at > recording.started_at
    engine.flush()
    kinds_logged = set(CallEventRecord.objects.filter(call=call).values_list("kind", flat=True))
    assert {"record.consent", "record.stop"} <= kinds_logged
