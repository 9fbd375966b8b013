"""Call events: the engine's append-only log, from which its state is rebuilt after a restart
and every report is computed (like Asterisk's queue_log, with the IVR and the agents' states).

An event is plain data: time in seconds (the injected clock's), a kind, the call, queue and agent
it concerns and a small JSON-able ``data`` dict. PINs and other secrets never go into an event.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

# The kinds, grouped by who writes them. The ACD writes the queue and agent ones; the runtime (the
# ``okienko telephony`` process driving the IVR and the adapter) writes the call and IVR ones.
CALL_START = "call.start"  # data: number (entry), caller (calling number), flow, flow_version
CALL_END = "call.end"  # data: reason (caller_hangup | agent_hangup | ivr_hangup | transferred | error)
IVR_NODE = "ivr.node"  # data: node, type (the path through the flow)
IVR_AUTHENTICATED = "ivr.authenticated"  # data: client (id), office (code)
IVR_AUTH_FAILED = "ivr.auth_failed"  # data: attempt, locked (bool) — never the digits
VOICEMAIL = "voicemail"  # data: box (office code), seconds
CALLBACK = "callback"  # data: office (code), callback (id)
TRANSFER_OUT = "transfer.out"  # data: number
CONSENT = "record.consent"  # call: the recording notice was played; data: prompt
RECORD_START = "record.start"  # call, queue, agent: recording began (after the notice)
RECORD_STOP = "record.stop"  # call: the recording is stored; data: recording (its id)
SUPERVISE = "supervise"  # call, queue: data: supervisor, mode (listen | whisper | barge), agent
SUPERVISE_STOP = "supervise.stop"  # call: data: supervisor
FAILURE = "failure"  # data: what (ari | sip | recording…), detail — staff were alerted

QUEUE_ENTER = "queue.enter"  # queue, call; data: priority, position
OFFER = "offer"  # queue, call, agent: the agent's phone rings (reserved until answer or time-out)
RING_NO_ANSWER = "ring_no_answer"  # queue, call, agent; data: seconds
CONNECT = "connect"  # queue, call, agent; data: waited (seconds in queue), ring (seconds ringing)
COMPLETE = "complete"  # queue, call, agent; data: by (agent | caller), talk (seconds), waited
ABANDON = "abandon"  # queue, call; data: waited, position
# queue (from), call; data: to (queue code | "voicemail" | "callback"), why (timeout | no_agents | all_busy | full)
OVERFLOW = "overflow"
EXIT_FULL = "exit.full"  # queue, call: refused, the queue is at its maximum length and has no overflow
QUEUE_TRANSFER = "queue.transfer"  # queue (to), call, agent (who transferred); data: from
AGENT_LOGIN = "agent.login"  # agent; data: queues {queue: penalty}
AGENT_LOGOUT = "agent.logout"  # agent
AGENT_PAUSE = "agent.pause"  # agent; data: reason, auto (bool)
AGENT_READY = "agent.ready"  # agent
AGENT_WRAPUP = "agent.wrapup"  # agent, call; data: seconds
AGENT_QUEUES = "agent.queues"  # agent; data: queues {queue: penalty} (moved by a supervisor)


@dataclass(frozen=True, slots=True)
class CallEvent:
    at: float
    kind: str
    call: str = ""
    queue: str = ""
    agent: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> CallEvent:
        raw = json.loads(line)
        return cls(
            at=float(raw["at"]),
            kind=str(raw["kind"]),
            call=str(raw.get("call", "")),
            queue=str(raw.get("queue", "")),
            agent=str(raw.get("agent", "")),
            data=dict(raw.get("data") or {}),
        )


Sink = Callable[[CallEvent], None]


class MemoryLog:
    """A log kept in a list (the simulator and the tests); ``append`` is a :data:`Sink`."""

    def __init__(self) -> None:
        self.events: list[CallEvent] = []

    def append(self, event: CallEvent) -> None:
        self.events.append(event)

    def __iter__(self) -> Iterator[CallEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


class FileLog:
    """A JSON-lines file, appended and flushed per event (the runtime mirrors it to the database)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def append(self, event: CallEvent) -> None:
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(event.to_json() + "\n")

    def read(self) -> Iterable[CallEvent]:
        try:
            with open(self.path, encoding="utf-8") as source:
                for line in source:
                    if line.strip():
                        yield CallEvent.from_json(line)
        except FileNotFoundError:
            return
