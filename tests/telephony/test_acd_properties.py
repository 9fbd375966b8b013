"""Random sequences of operations against the ACD (hypothesis): the invariants that contact
centres built from several writers are known to break must hold after every step, and replaying
the log must give back the same state."""

from __future__ import annotations

import math
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from okienko.telephony.engine import events as ev
from okienko.telephony.engine.acd import ACD, AVAILABLE, ON_CALL, RESERVED, QueueConfig
from okienko.telephony.engine.clock import VirtualClock
from okienko.telephony.engine.events import CallEvent, MemoryLog

AGENTS = ["a0", "a1", "a2", "a3"]
QUEUES = [
    QueueConfig("q0", strategy="longest_idle", ring_timeout=5, wrap_up=3, tier_step=10, overflow_when_no_agents=False),
    QueueConfig(
        "q1",
        strategy="ring_all",
        ring_timeout=4,
        wrap_up=0,
        tier_step=7,
        overflow_after=40,
        overflow=["q2", "voicemail"],
        auto_pause_after=2,
    ),
    QueueConfig("q2", strategy="balanced", ring_timeout=6, wrap_up=2, max_length=2, overflow_when_no_agents=False),
    QueueConfig(
        "q3",
        strategy="round_robin",
        ring_timeout=3,
        wrap_up=1,
        overflow_when_all_busy=True,
        overflow=["q0", "callback"],
    ),
    QueueConfig("q4", strategy="random", ring_timeout=5, wrap_up=0, tier_step=4, overflow_when_no_agents=False),
]
CODES = [config.code for config in QUEUES]

agent_ids = st.sampled_from(AGENTS)
memberships = st.dictionaries(st.sampled_from(CODES), st.integers(0, 2), min_size=1, max_size=3)
enqueues = st.tuples(st.just("enqueue"), st.sampled_from(CODES), st.integers(0, 1))
answers = st.tuples(st.just("answer"), agent_ids, st.integers(0, 12))
completes = st.tuples(st.just("complete"), agent_ids)
advances = st.tuples(st.just("advance"), st.integers(0, 25))
# weighted towards calls arriving, being answered and ended, and time passing: the interesting
# interleavings need several callers waiting while agents come free
operations = st.one_of(
    enqueues,
    enqueues,
    enqueues,
    answers,
    answers,
    answers,
    completes,
    completes,
    advances,
    advances,
    st.tuples(st.just("login"), agent_ids, memberships, st.booleans()),
    st.tuples(st.just("logout"), agent_ids),
    st.tuples(st.just("pause"), agent_ids),
    st.tuples(st.just("ready"), agent_ids),
    st.tuples(st.just("move"), agent_ids, memberships),
    st.tuples(st.just("decline"), agent_ids),
    st.tuples(st.just("hangup"), st.integers(0, 12)),
    st.tuples(st.just("transfer"), agent_ids, st.sampled_from(CODES)),
    st.tuples(st.just("restart")),
)
STAFF = {
    "a0": {"q0": 0, "q1": 0, "q4": 1},
    "a1": {"q0": 0, "q2": 1, "q3": 0},
    "a2": {"q1": 0, "q2": 0, "q4": 0},
    "a3": {"q0": 2, "q1": 1, "q3": 1},
}


class Harness:
    def __init__(self) -> None:
        self.clock = VirtualClock()
        self.log = MemoryLog()
        self.acd = ACD(self.clock, random.Random(3), self.sink)
        for config in QUEUES:
            self.acd.add_queue(config)
        for agent, queues in STAFF.items():
            self.acd.login(agent, queues)
        self.calls: list[str] = []
        self.ended: set[str] = set()
        self.violations: list[str] = []

    def sink(self, event: CallEvent) -> None:
        self.log.append(event)
        if (
            event.kind in (ev.ABANDON, ev.EXIT_FULL)
            or (event.kind == ev.COMPLETE and event.data["by"] != "transfer")
            or (event.kind == ev.OVERFLOW and event.data["to"] in ("voicemail", "callback"))
        ):
            self.ended.add(event.call)
        elif event.kind == ev.OFFER:
            self._check_order(event)

    def _check_order(self, event: CallEvent) -> None:
        """At the moment a call is offered to an agent, no caller waits in any of the agent's
        queues, eligible for it (its tier reached), with a higher priority or the same priority
        and an earlier enter time — except the call this agent has just let ring out, which goes
        to another agent first. (A call overflowing keeps its enter time.)"""
        acd = self.acd
        offered = acd._calls[event.call]
        agent = acd._agents[event.agent]
        now = self.clock.now()
        for code, penalty in agent.queues.items():
            queue = acd._queues[code]
            for _p, _entered, _s, call in queue.waiting:
                other = acd._calls[call]
                if other.key >= offered.key or event.agent in other.excluded:
                    continue
                if penalty * queue.config.tier_step <= now - other.queue_entered + 1e-9:
                    self.violations.append(f"{event.call} offered to {event.agent} before {call}")

    def apply(self, op: tuple[Any, ...]) -> None:
        acd = self.acd
        kind = op[0]
        if kind == "login":
            acd.login(op[1], op[2], paused=op[3])
        elif kind == "logout":
            acd.logout(op[1])
        elif kind == "pause":
            acd.pause(op[1], "break")
        elif kind == "ready":
            acd.ready(op[1])
        elif kind == "move":
            acd.set_queues(op[1], op[2])
        elif kind == "enqueue":
            call = f"c{len(self.calls)}"
            self.calls.append(call)
            acd.enqueue(call, op[1], priority=op[2])
        elif kind == "answer":
            view = acd.agent_state(op[1])
            call = view.call if view is not None and view.call and op[2] % 3 else self._call(op[2])
            if call:
                acd.answer(op[1], call)
        elif kind == "decline":
            view = acd.agent_state(op[1])
            if view is not None and view.call:
                acd.decline(op[1], view.call)
        elif kind == "hangup":
            call = self._call(op[1])
            if call:
                acd.hangup(call)
        elif kind == "complete":
            view = acd.agent_state(op[1])
            if view is not None and view.call:
                acd.complete(op[1], view.call)
        elif kind == "transfer":
            view = acd.agent_state(op[1])
            if view is not None and view.call and view.state == ON_CALL:
                acd.transfer(view.call, op[2], agent=op[1])
        elif kind == "advance":
            self.clock.advance(op[1])
        elif kind == "restart":
            self.restart()

    def restart(self) -> None:
        """The process stops and starts again: the state is rebuilt from the log alone (a fresh
        clock at the same time, so the old ACD's timers are gone with it)."""
        self.clock = VirtualClock(self.clock.now())
        self.acd = ACD.replay(list(self.log), self.clock, random.Random(5), QUEUES, self.sink)
        self.clock.advance(0)  # the deferred matching of calls put back in their queues

    def _call(self, index: int) -> str:
        return self.calls[index % len(self.calls)] if self.calls else ""

    def check(self) -> None:
        acd = self.acd
        now = self.clock.now()
        holders: dict[str, list[str]] = {}
        for agent in acd._agents.values():
            if agent.state in (RESERVED, ON_CALL):
                assert agent.call, f"{agent.id} {agent.state} without a call"
                assert agent.call not in self.ended, f"{agent.id} holds ended call {agent.call}"
                record = acd._calls.get(agent.call)
                assert record is not None
                assert agent.id in record.offered
                if agent.state == ON_CALL:
                    holders.setdefault(agent.call, []).append(agent.id)
                    assert record.state == "connected"
                    assert record.agent == agent.id
                else:
                    assert record.state == "ringing"
                    ring_timeout = acd._queues[record.queue].config.ring_timeout
                    assert now - agent.since <= ring_timeout + 1e-9, "a reservation outlived its time-out"
            else:
                assert not agent.call, f"{agent.id} {agent.state} still holds {agent.call}"
        assert all(len(agents) == 1 for agents in holders.values())
        seen: set[str] = set()
        for queue in acd._queues.values():
            for _p, _e, _s, call in queue.waiting:
                assert call not in seen, f"{call} waits twice"
                seen.add(call)
                assert call not in self.ended, f"ghost {call}"
                assert acd._calls[call].state == "queued"
                assert call not in holders
            for agent in queue.available:
                assert acd._agents[agent].state == AVAILABLE
        for call, record in acd._calls.items():
            if record.state == "queued":
                assert call in seen
        assert not self.violations, self.violations


def _quiesce(harness: Harness) -> None:
    """Pause everyone free or ringing, so no offer is pending (replay sends those back to the
    queue, by design) before comparing the snapshots."""
    acd = harness.acd
    for state in (AVAILABLE, RESERVED):
        for agent in sorted(acd._agents):
            if acd._agents[agent].state == state:
                acd.pause(agent, "end")


@settings(max_examples=200, deadline=None)
@given(st.lists(operations, min_size=20, max_size=80))
def test_invariants_hold_and_replay_reproduces(ops: list[tuple[Any, ...]]) -> None:
    harness = Harness()
    for op in ops:
        harness.apply(op)
        harness.check()
    _quiesce(harness)
    harness.check()
    before = harness.acd.snapshot()
    quiet = MemoryLog()
    again = ACD.replay(list(harness.log), harness.clock, random.Random(3), QUEUES, quiet.append, stale_after=math.inf)
    assert again.snapshot() == before
    assert len(quiet) == 0
