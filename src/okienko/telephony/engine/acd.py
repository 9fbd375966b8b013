"""The ACD: queues, agents and calls, and the one writer of their state.

Why one writer: contact-centre platforms built from several cooperating processes are known for
agents stuck "reserved", callers shown answered after hanging up and agents locked "in call".
Here every method mutates the state synchronously, timers come from the injected clock, and every
change of state is written as a :class:`~okienko.telephony.engine.events.CallEvent` to the sink,
from which :meth:`ACD.replay` rebuilds the state after a restart.

Choices worth knowing (see ``docs/telephony.md``):

- **Order of calls.** An agent takes the best call across all the queues it serves: the highest
  priority first, then the earliest *original* enter time. A call that overflows to another queue
  keeps its enter time and priority, so it does not lose its place to callers who came later.
  A call transferred by an agent enters the new queue afresh (its wait starts again).
- **Tiers and overflow time** are measured from the moment the call entered its *current*
  queue: a member with penalty ``p`` may take the call once it has waited ``p * tier_step`` there,
  and ``overflow_after`` counts the time spent there.
- **Strategies** choose among the eligible available agents. ``balanced`` minimises
  ``calls_taken / (mean_calls + 1) + talk_time / (mean_talk + 60)`` over the candidates (counts
  and talk time since login; the means are the candidates'), so both the number and the duration
  of calls even out; ties go to the longest idle agent, as for every strategy.
- **Expected wait** = ``ceil(position / agents) * AHT`` where ``agents`` is the number of logged-in,
  non-paused members and AHT the queue's mean talk + wrap-up time of the calls it completed
  (180 s + wrap-up before the first). With no agent at all it is ``position * AHT``.
- **Overflow chain.** A call overflowing out of queue X goes to the first target of X's chain
  followed by the rest of the chain that brought it to X, that it has not visited; a
  queue code enqueues it there, ``voicemail``/``callback`` end it in the ACD with an OVERFLOW event.
  Visited queues are remembered, so a chain cannot loop. At entry the checks are, in order:
  full (``max_length``), no member logged in, no member available; without a chain the call
  simply waits (or, when full, is refused with EXIT_FULL).
- **Misses.** A call that rang out (or was declined) goes first to another eligible agent; only
  if there is none may the agents who let it ring take it again. ``auto_pause_after``
  consecutive misses pause the agent (reason "no answer", ``auto``). Losing a ring-all race or a
  caller hanging up while it rings is not a miss.
- **Pause** takes effect at once when available or ringing (the offer goes back to its queue),
  after the wrap-up when on a call. **Logout** completes a call it holds (by the agent) first.
- **Transfer** writes COMPLETE with ``by: "transfer"`` (and ``to``), the agent's wrap-up, then
  QUEUE_TRANSFER and the call's QUEUE_ENTER in the new queue.
- **Replay** applies the logged events to a fresh state, writing nothing but the clean-ups
  (ABANDON with ``reason: "restart"`` for queued calls older than ``stale_after``). Calls that
  were ringing are back in their queue at their old place and matched on the clock's next turn
  (``call_later(0)``), so the replay itself writes no OFFER. A pause asked for during a call is
  not in the log and is lost by a restart.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from okienko.telephony.engine import events as ev
from okienko.telephony.engine.clock import Clock, Timer
from okienko.telephony.engine.events import CallEvent, Sink

LOGGED_OUT = "logged_out"
AVAILABLE = "available"
RESERVED = "reserved"
ON_CALL = "on_call"
WRAP_UP = "wrap_up"
PAUSED = "paused"

STRATEGIES = frozenset(
    {"longest_idle", "fewest_calls", "least_talk_time", "round_robin", "ring_all", "random", "balanced"}
)
EXITS = frozenset({"voicemail", "callback"})
DEFAULT_TALK = 180.0  # seconds of talk assumed for the expected wait before a queue's first call

_QUEUED = "queued"
_RINGING = "ringing"
_CONNECTED = "connected"


@dataclass
class QueueConfig:
    code: str
    office: str = ""
    name: str = ""
    strategy: str = "longest_idle"
    ring_timeout: float = 20.0
    wrap_up: float = 10.0
    max_length: int | None = None
    overflow_after: float | None = None
    overflow: list[str] = field(default_factory=list)
    overflow_when_no_agents: bool = True
    overflow_when_all_busy: bool = False
    tier_step: float = 30.0
    auto_pause_after: int = 3
    service_level_seconds: float = 15.0
    priority: int = 0


@dataclass
class QueueStats:
    waiting: int
    longest_wait: float
    logged_in: int
    available: int
    busy: int
    paused: int
    expected_wait: float


@dataclass
class AgentView:
    agent: str
    name: str
    state: str
    since: float
    reason: str
    call: str | None
    queues: dict[str, int]
    calls_taken: int
    talk_time: float


class _Call:
    __slots__ = (
        "agent",
        "connected",
        "data",
        "entered",
        "excluded",
        "id",
        "key",
        "offered",
        "overflow_timer",
        "priority",
        "queue",
        "queue_entered",
        "rest",
        "ring_started",
        "ring_timer",
        "state",
        "tier_timer",
        "visited",
    )

    def __init__(self, call: str, queue: str, priority: int, entered: float, data: dict[str, Any]) -> None:
        self.id = call
        self.queue = queue
        self.priority = priority
        self.entered = entered
        self.queue_entered = entered
        self.data = data
        self.state = _QUEUED
        self.key: tuple[int, float, int] = (0, 0.0, 0)
        self.offered: set[str] = set()
        self.ring_started = 0.0
        self.ring_timer: Timer | None = None
        self.tier_timer: Timer | None = None
        self.overflow_timer: Timer | None = None
        self.agent = ""
        self.connected = 0.0
        self.visited: set[str] = set()
        self.rest: list[str] = []
        self.excluded: frozenset[str] = frozenset()  # agents it skips while re-matched after a miss


class _Agent:
    __slots__ = (
        "auto",
        "call",
        "calls_taken",
        "id",
        "idle_since",
        "misses",
        "name",
        "pending_pause",
        "queues",
        "reason",
        "since",
        "state",
        "talk_time",
        "timer",
    )

    def __init__(self, agent: str, name: str, queues: dict[str, int], now: float) -> None:
        self.id = agent
        self.name = name
        self.state = AVAILABLE
        self.since = now
        self.reason = ""
        self.auto = False
        self.call = ""
        self.queues = dict(queues)
        self.calls_taken = 0
        self.talk_time = 0.0
        self.idle_since = now
        self.misses = 0
        self.timer: Timer | None = None
        self.pending_pause: str | None = None


class _Queue:
    __slots__ = ("available", "config", "handle_time", "handled", "members", "rr_last", "waiting")

    def __init__(self, config: QueueConfig) -> None:
        self.config = config
        self.members: dict[str, int] = {}  # logged-in agent → penalty
        self.available: dict[str, int] = {}  # available members → penalty
        self.waiting: list[tuple[int, float, int, str]] = []  # sorted (-priority, entered, seq, call)
        self.rr_last = ""
        self.handled = 0
        self.handle_time = 0.0


class ACD:
    """Automatic call distribution; see the module's docstring for the rules."""

    def __init__(self, clock: Clock, rng: random.Random, sink: Sink | None = None) -> None:
        self.clock = clock
        self.rng = rng
        self.sink = sink
        self._queues: dict[str, _Queue] = {}
        self._agents: dict[str, _Agent] = {}
        self._calls: dict[str, _Call] = {}
        self._seq = itertools.count(1)
        self._muted = False

    # -- events ---------------------------------------------------------------------------------

    def _emit(self, kind: str, call: str = "", queue: str = "", agent: str = "", **data: Any) -> None:
        if self.sink is not None and not self._muted:
            self.sink(CallEvent(self.clock.now(), kind, call, queue, agent, data))

    # -- configuration --------------------------------------------------------------------------

    def add_queue(self, config: QueueConfig) -> None:
        if config.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {config.strategy!r}")
        existing = self._queues.get(config.code)
        if existing is not None:
            existing.config = config
        else:
            queue = _Queue(config)
            self._queues[config.code] = queue
            for agent in self._agents.values():
                if config.code in agent.queues:
                    queue.members[agent.id] = agent.queues[config.code]
                    if agent.state == AVAILABLE:
                        queue.available[agent.id] = agent.queues[config.code]
        self._dispatch_queue(config.code)

    def login(self, agent: str, queues: dict[str, int], *, name: str = "", paused: bool = False) -> None:
        if agent in self._agents:
            self.set_queues(agent, queues)
            return
        now = self.clock.now()
        record = _Agent(agent, name, queues, now)
        self._agents[agent] = record
        self._emit(ev.AGENT_LOGIN, agent=agent, queues=dict(queues), name=name)
        for code, penalty in queues.items():
            queue = self._queues.get(code)
            if queue is not None:
                queue.members[agent] = penalty
        if paused:
            self._set_paused(record, "", auto=False)
        else:
            self._make_available(record, dispatch=True)

    def logout(self, agent: str) -> None:
        record = self._agents.get(agent)
        if record is None:
            return
        if record.state == ON_CALL:
            self._finish(record, "agent", wrap=False)
        elif record.state == RESERVED:
            self._withdraw_offer(record)
        self._cancel_timer(record)
        self._leave_available(record)
        for code in record.queues:
            queue = self._queues.get(code)
            if queue is not None:
                queue.members.pop(agent, None)
        del self._agents[agent]
        self._emit(ev.AGENT_LOGOUT, agent=agent)

    def pause(self, agent: str, reason: str) -> None:
        """Available or ringing: paused at once (a ringing offer goes back to its queue); on a
        call or in wrap-up: paused when the wrap-up ends."""
        record = self._agents.get(agent)
        if record is None:
            return
        if record.state in (ON_CALL, WRAP_UP):
            record.pending_pause = reason
            return
        if record.state == RESERVED:
            self._withdraw_offer(record)
        self._set_paused(record, reason, auto=False)

    def ready(self, agent: str) -> None:
        record = self._agents.get(agent)
        if record is None:
            return
        record.pending_pause = None
        if record.state == PAUSED:
            record.misses = 0
            self._make_available(record, dispatch=True)

    def set_queues(self, agent: str, queues: dict[str, int]) -> None:
        record = self._agents.get(agent)
        if record is None:
            return
        for code in record.queues:
            queue = self._queues.get(code)
            if queue is not None:
                queue.members.pop(agent, None)
                queue.available.pop(agent, None)
        record.queues = dict(queues)
        for code, penalty in queues.items():
            queue = self._queues.get(code)
            if queue is not None:
                queue.members[agent] = penalty
                if record.state == AVAILABLE:
                    queue.available[agent] = penalty
        self._emit(ev.AGENT_QUEUES, agent=agent, queues=dict(queues))
        if record.state == RESERVED:
            call = self._calls.get(record.call)
            if call is not None and call.queue not in queues:
                self._withdraw_offer(record)
                self._make_available(record, dispatch=False)
        if record.state == AVAILABLE:
            self._dispatch_agent(record)

    # -- calls ----------------------------------------------------------------------------------

    def enqueue(self, call: str, queue: str, *, priority: int | None = None, data: dict[str, Any] | None = None) -> str:
        """Returns ``queued``, ``overflow:<target>`` or ``full``."""
        if queue not in self._queues:
            raise KeyError(f"unknown queue {queue!r}")
        if call in self._calls:
            raise ValueError(f"call {call!r} is already in the ACD")
        config = self._queues[queue].config
        record = _Call(call, queue, config.priority if priority is None else priority, self.clock.now(), data or {})
        return self._enter(record, queue, [])

    def answer(self, agent: str, call: str) -> bool:
        record = self._agents.get(agent)
        target = self._calls.get(call)
        if record is None or target is None or target.state != _RINGING or agent not in target.offered:
            return False
        if record.state != RESERVED or record.call != call:
            return False
        now = self.clock.now()
        if target.ring_timer is not None:
            target.ring_timer.cancel()
            target.ring_timer = None
        target.state = _CONNECTED
        target.agent = agent
        target.connected = now
        record.state, record.since, record.misses = ON_CALL, now, 0
        record.calls_taken += 1
        self._emit(
            ev.CONNECT,
            call=call,
            queue=target.queue,
            agent=agent,
            waited=round(target.ring_started - target.entered, 3),
            ring=round(now - target.ring_started, 3),
        )
        self._stop_ringing(target, keep=agent)
        return True

    def decline(self, agent: str, call: str) -> None:
        record = self._agents.get(agent)
        target = self._calls.get(call)
        if record is None or target is None or record.state != RESERVED or record.call != call:
            return
        self._no_answer(target, [record])

    def hangup(self, call: str) -> None:
        target = self._calls.get(call)
        if target is None:
            return
        now = self.clock.now()
        if target.state == _CONNECTED:
            self._finish(self._agents[target.agent], "caller", wrap=True)
            return
        position = self._position(target)
        if target.state == _RINGING:
            self._drop(target)
            self._emit(ev.ABANDON, call=call, queue=target.queue, waited=round(now - target.entered, 3), position=1)
            self._stop_ringing(target, keep="")
            return
        self._drop(target)
        self._emit(
            ev.ABANDON, call=call, queue=target.queue, waited=round(now - target.entered, 3), position=position or 0
        )

    def complete(self, agent: str, call: str) -> None:
        record = self._agents.get(agent)
        if record is None or record.state != ON_CALL or record.call != call:
            return
        self._finish(record, "agent", wrap=True)

    def transfer(self, call: str, queue: str, *, agent: str = "") -> str:
        """A connected call to another queue (its wait there starts afresh); the agent wraps up."""
        target = self._calls.get(call)
        if target is None or target.state != _CONNECTED:
            return "unknown"
        if queue not in self._queues:
            raise KeyError(f"unknown queue {queue!r}")
        holder = self._agents[target.agent]
        source = target.queue
        self._finish(holder, "transfer", wrap=True, to=queue)
        self._emit(ev.QUEUE_TRANSFER, call=call, queue=queue, agent=agent or holder.id, **{"from": source})
        fresh = _Call(call, queue, target.priority, self.clock.now(), target.data)
        return self._enter(fresh, queue, [])

    # -- queries --------------------------------------------------------------------------------

    def queue_stats(self, queue: str) -> QueueStats:
        record = self._queues.get(queue)
        if record is None:
            return QueueStats(0, 0.0, 0, 0, 0, 0, 0.0)
        now = self.clock.now()
        longest = 0.0
        for _key, _entered, _seq, call in record.waiting:
            longest = max(longest, now - self._calls[call].entered)
        busy = paused = 0
        for agent in record.members:
            state = self._agents[agent].state
            if state == PAUSED:
                paused += 1
            elif state != AVAILABLE:
                busy += 1
        return QueueStats(
            waiting=len(record.waiting),
            longest_wait=round(longest, 3),
            logged_in=len(record.members),
            available=len(record.available),
            busy=busy,
            paused=paused,
            expected_wait=round(self._expected(record, len(record.waiting) + 1), 3),
        )

    def position(self, call: str) -> int | None:
        target = self._calls.get(call)
        if target is None or target.state != _QUEUED:
            return None
        return self._position(target)

    def expected_wait(self, call: str) -> float | None:
        position = self.position(call)
        if position is None:
            return None
        return round(self._expected(self._queues[self._calls[call].queue], position), 3)

    def agent_state(self, agent: str) -> AgentView | None:
        record = self._agents.get(agent)
        if record is None:
            return None
        return AgentView(
            agent=record.id,
            name=record.name,
            state=record.state,
            since=record.since,
            reason=record.reason,
            call=record.call or None,
            queues=dict(record.queues),
            calls_taken=record.calls_taken,
            talk_time=round(record.talk_time, 3),
        )

    def snapshot(self) -> dict[str, Any]:
        now = self.clock.now()
        queues: dict[str, Any] = {}
        for code, queue in sorted(self._queues.items()):
            stats = self.queue_stats(code)
            entry: dict[str, Any] = {
                "waiting": stats.waiting,
                "longest_wait": stats.longest_wait,
                "logged_in": stats.logged_in,
                "available": stats.available,
                "busy": stats.busy,
                "paused": stats.paused,
                "expected_wait": stats.expected_wait,
                "calls": [
                    {
                        "call": call,
                        "waited": round(now - self._calls[call].entered, 3),
                        "priority": self._calls[call].priority,
                        "position": index + 1,
                    }
                    for index, (_p, _e, _s, call) in enumerate(queue.waiting)
                ],
            }
            queues[code] = entry
        agents: dict[str, Any] = {}
        for agent in sorted(self._agents):
            view = self.agent_state(agent)
            assert view is not None
            agents[agent] = {
                "agent": view.agent,
                "name": view.name,
                "state": view.state,
                "since": view.since,
                "reason": view.reason,
                "call": view.call,
                "queues": dict(sorted(view.queues.items())),
                "calls_taken": view.calls_taken,
                "talk_time": view.talk_time,
            }
        return {"queues": queues, "agents": agents}

    # -- entering, overflowing ------------------------------------------------------------------

    def _enter(self, record: _Call, queue: str, rest: list[str]) -> str:
        """Put the call in ``queue`` (or overflow it on at once); the result for ``enqueue``."""
        config = self._queues[queue].config
        record.queue = queue
        record.rest = rest
        record.visited.add(queue)
        q = self._queues[queue]
        why = ""
        if config.max_length is not None and len(q.waiting) >= config.max_length:
            why = "full"
        elif config.overflow_when_no_agents and not q.members:
            why = "no_agents"
        elif config.overflow_when_all_busy and not q.available:
            why = "all_busy"
        if why:
            target = self._next_target(record, queue)
            if target is not None:
                return self._overflow(record, queue, target, why, entered=False)
            if why == "full":
                self._emit(ev.EXIT_FULL, call=record.id, queue=queue)
                return "full"
        now = self.clock.now()
        record.state = _QUEUED
        record.queue_entered = now
        if not record.key[2]:  # an overflowing call keeps its place among equals
            record.key = (-record.priority, record.entered, next(self._seq))
        bisect.insort(q.waiting, (*record.key, record.id))
        self._calls[record.id] = record
        self._emit(
            ev.QUEUE_ENTER,
            call=record.id,
            queue=queue,
            priority=record.priority,
            position=self._position(record) or 0,
            entered=record.entered,
        )
        if config.overflow_after is not None:
            record.overflow_timer = self.clock.call_later(
                config.overflow_after, lambda: self._overflow_timeout(record.id, queue)
            )
        self._match_call(record)
        if record.state == _QUEUED and record.id in self._calls:
            self._arm_tier(record)
        return "queued"

    def _next_target(self, record: _Call, queue: str) -> str | None:
        chain = [*self._queues[queue].config.overflow, *record.rest]
        for index, target in enumerate(chain):
            if target in EXITS:
                return target
            if target in self._queues and target not in record.visited:
                record.rest = list(chain[index + 1 :])
                return target
        return None

    def _overflow(self, record: _Call, queue: str, target: str, why: str, *, entered: bool) -> str:
        if entered:
            self._drop(record)
        self._emit(ev.OVERFLOW, call=record.id, queue=queue, to=target, why=why)
        if target in EXITS:
            return f"overflow:{target}"
        result = self._enter(record, target, record.rest)
        if result == "queued":
            return f"overflow:{target}"
        return result

    def _overflow_timeout(self, call: str, queue: str) -> None:
        record = self._calls.get(call)
        if record is None or record.state != _QUEUED or record.queue != queue:
            return
        record.overflow_timer = None
        target = self._next_target(record, queue)
        if target is not None:
            self._overflow(record, queue, target, "timeout", entered=True)

    def _arm_tier(self, record: _Call) -> None:
        """A timer for the moment the next tier of members becomes eligible."""
        queue = self._queues[record.queue]
        step = queue.config.tier_step
        waited = self.clock.now() - record.queue_entered
        upcoming = [p * step for p in set(queue.members.values()) if p * step > waited + 1e-9]
        if record.tier_timer is not None:
            record.tier_timer.cancel()
            record.tier_timer = None
        if upcoming:
            delay = min(upcoming) - waited
            record.tier_timer = self.clock.call_later(delay, lambda: self._tier_due(record.id))

    def _tier_due(self, call: str) -> None:
        record = self._calls.get(call)
        if record is None or record.state != _QUEUED:
            return
        record.tier_timer = None
        self._match_call(record)
        if record.state == _QUEUED and record.id in self._calls:
            self._arm_tier(record)

    def _position(self, record: _Call) -> int | None:
        queue = self._queues.get(record.queue)
        if queue is None or record.state != _QUEUED:
            return None
        index = bisect.bisect_left(queue.waiting, (*record.key, record.id))
        if index < len(queue.waiting) and queue.waiting[index][3] == record.id:
            return index + 1
        return None

    def _unqueue(self, record: _Call) -> None:
        queue = self._queues.get(record.queue)
        if queue is None:
            return
        item = (*record.key, record.id)
        index = bisect.bisect_left(queue.waiting, item)
        if index < len(queue.waiting) and queue.waiting[index] == item:
            del queue.waiting[index]

    def _drop(self, record: _Call) -> None:
        """The call leaves the ACD (or its queue, before overflowing): no timers, no entry."""
        if record.state == _QUEUED:
            self._unqueue(record)
        for name in ("tier_timer", "overflow_timer", "ring_timer"):
            timer = getattr(record, name)
            if timer is not None:
                timer.cancel()
                setattr(record, name, None)
        self._calls.pop(record.id, None)

    # -- matching -------------------------------------------------------------------------------

    def _eligible(self, record: _Call, penalty: int) -> bool:
        step = self._queues[record.queue].config.tier_step
        return penalty * step <= self.clock.now() - record.queue_entered + 1e-9

    def _match_call(self, record: _Call) -> None:
        """Offer a queued call to the eligible available agents (by the queue's strategy).

        An agent chosen for it who may take a better call (higher priority or waiting longer,
        in any of its queues — e.g. one whose tier widened at this same instant) takes that one
        instead, and the choice is made again among the others."""
        queue = self._queues[record.queue]
        while record.state == _QUEUED and queue.available:
            candidates = [
                self._agents[a]
                for a, p in queue.available.items()
                if a not in record.excluded and self._eligible(record, p)
            ]
            if not candidates:
                return
            if queue.config.strategy == "ring_all":
                elsewhere = [a for a in candidates if self._best_call_for(a) not in (None, record)]
                if not elsewhere:
                    self._offer(record, candidates)
                    return
                for agent in elsewhere:
                    self._dispatch_agent(agent)
                continue
            chosen = self._choose(queue, candidates)
            if self._best_call_for(chosen) in (None, record):
                self._offer(record, [chosen])
                return
            self._dispatch_agent(chosen)

    def _choose(self, queue: _Queue, candidates: list[_Agent]) -> _Agent:
        strategy = queue.config.strategy
        chosen: _Agent
        if strategy == "fewest_calls":
            chosen = min(candidates, key=lambda a: (a.calls_taken, a.idle_since, a.id))
        elif strategy == "least_talk_time":
            chosen = min(candidates, key=lambda a: (a.talk_time, a.idle_since, a.id))
        elif strategy == "random":
            chosen = self.rng.choice(sorted(candidates, key=lambda a: a.id))
        elif strategy == "round_robin":
            ordered = sorted(candidates, key=lambda a: a.id)
            chosen = next((a for a in ordered if a.id > queue.rr_last), ordered[0])
            queue.rr_last = chosen.id
        elif strategy == "balanced":
            mean_calls = sum(a.calls_taken for a in candidates) / len(candidates)
            mean_talk = sum(a.talk_time for a in candidates) / len(candidates)

            def score(a: _Agent) -> tuple[float, float, str]:
                load = a.calls_taken / (mean_calls + 1.0) + a.talk_time / (mean_talk + 60.0)
                return (round(load, 9), a.idle_since, a.id)

            chosen = min(candidates, key=score)
        else:  # longest_idle
            chosen = min(candidates, key=lambda a: (a.idle_since, a.id))
        return chosen

    def _best_call_for(self, agent: _Agent) -> _Call | None:
        """The best queued call the agent may take across its queues: priority, then enter time."""
        best: _Call | None = None
        for code, penalty in agent.queues.items():
            queue = self._queues.get(code)
            if queue is None:
                continue
            for item in queue.waiting:
                if best is not None and item[:3] >= best.key:
                    break
                record = self._calls[item[3]]
                if agent.id in record.excluded:
                    continue
                if self._eligible(record, penalty):
                    best = record
                    break
        return best

    def _dispatch_agent(self, agent: _Agent) -> None:
        if agent.state != AVAILABLE:
            return
        record = self._best_call_for(agent)
        if record is None:
            return
        queue = self._queues[record.queue]
        if queue.config.strategy == "ring_all":
            self._match_call(record)  # rings every eligible available member, this agent too
        else:
            self._offer(record, [agent])

    def _dispatch_queue(self, code: str) -> None:
        queue = self._queues[code]
        for item in list(queue.waiting):
            record = self._calls.get(item[3])
            if record is not None and record.state == _QUEUED:
                self._match_call(record)

    def _offer(self, record: _Call, agents: list[_Agent]) -> None:
        now = self.clock.now()
        self._unqueue(record)
        for name in ("tier_timer", "overflow_timer"):
            timer = getattr(record, name)
            if timer is not None:
                timer.cancel()
                setattr(record, name, None)
        record.state = _RINGING
        record.ring_started = now
        record.offered = {a.id for a in agents}
        for agent in agents:
            self._leave_available(agent)
            agent.state, agent.since, agent.call, agent.reason = RESERVED, now, record.id, ""
            self._emit(ev.OFFER, call=record.id, queue=record.queue, agent=agent.id, **self._offer_data(record))
        timeout = self._queues[record.queue].config.ring_timeout
        record.ring_timer = self.clock.call_later(timeout, lambda: self._ring_timeout(record.id, now))

    def _offer_data(self, record: _Call) -> dict[str, Any]:
        data = {"waited": round(self.clock.now() - record.entered, 3), "priority": record.priority}
        for key, value in record.data.items():
            data.setdefault(key, value)
        return data

    def _ring_timeout(self, call: str, started: float) -> None:
        record = self._calls.get(call)
        if record is None or record.state != _RINGING or record.ring_started != started:
            return
        record.ring_timer = None
        self._no_answer(record, [self._agents[a] for a in sorted(record.offered)])

    def _no_answer(self, record: _Call, agents: list[_Agent]) -> None:
        """Ringing agents did not answer: they are free (or auto-paused) and the call is
        re-matched — first without them, so another eligible agent gets it."""
        now = self.clock.now()
        for agent in agents:
            record.offered.discard(agent.id)
            self._emit(
                ev.RING_NO_ANSWER,
                call=record.id,
                queue=record.queue,
                agent=agent.id,
                seconds=round(now - record.ring_started, 3),
            )
            agent.call = ""
            agent.misses += 1
            limit = self._queues[record.queue].config.auto_pause_after
            if limit > 0 and agent.misses >= limit:
                self._set_paused(agent, "no answer", auto=True)
            else:
                self._make_available(agent, dispatch=False, event=False)
        if record.offered:  # ring_all: the others still ring; the freed take other calls
            for agent in agents:
                self._dispatch_agent(agent)
            return
        # first to the other eligible agents (not those who just let it ring): by the invariant
        # they had nothing better; then the freed agents take the best call they may, which may
        # be this one again if nobody else could take it
        self._requeue(record, excluded=frozenset(a.id for a in agents))
        for agent in agents:
            if agent.state == AVAILABLE:
                self._dispatch_agent(agent)

    def _requeue(self, record: _Call, excluded: frozenset[str] = frozenset()) -> None:
        """A ringing call back to its queue at its old place; matched again at once."""
        if record.ring_timer is not None:
            record.ring_timer.cancel()
            record.ring_timer = None
        record.state = _QUEUED
        record.offered = set()
        queue = self._queues[record.queue]
        bisect.insort(queue.waiting, (*record.key, record.id))
        record.excluded = excluded
        self._match_call(record)
        record.excluded = frozenset()
        if record.state == _QUEUED:
            config = queue.config
            if config.overflow_after is not None and record.overflow_timer is None:
                left = config.overflow_after - (self.clock.now() - record.queue_entered)
                code = record.queue
                record.overflow_timer = self.clock.call_later(left, lambda: self._overflow_timeout(record.id, code))
            self._arm_tier(record)

    def _stop_ringing(self, record: _Call, keep: str) -> None:
        """End the ringing: every offered agent but ``keep`` is released (no miss counted)."""
        if record.ring_timer is not None:
            record.ring_timer.cancel()
            record.ring_timer = None
        others = [self._agents[a] for a in sorted(record.offered) if a != keep]
        record.offered = {keep} if keep else set()
        for agent in others:
            agent.call = ""
            self._make_available(agent, dispatch=False, event=False)
        for agent in others:
            self._dispatch_agent(agent)

    def _withdraw_offer(self, agent: _Agent) -> None:
        """The agent leaves a ringing offer (pause, logout, move): the call goes back to its queue."""
        record = self._calls.get(agent.call)
        agent.call = ""
        agent.state = AVAILABLE  # transient; the caller sets the real state
        if record is None or record.state != _RINGING:
            return
        record.offered.discard(agent.id)
        if not record.offered:
            self._requeue(record, excluded=frozenset({agent.id}))

    # -- agent states ---------------------------------------------------------------------------

    def _finish(self, agent: _Agent, by: str, *, wrap: bool, to: str = "") -> None:
        """A connected call ends (or is transferred): COMPLETE, then wrap-up."""
        record = self._calls[agent.call]
        now = self.clock.now()
        talk = now - record.connected
        agent.talk_time += talk
        queue = self._queues.get(record.queue)
        wrap_seconds = queue.config.wrap_up if queue is not None else 0.0
        if queue is not None:
            queue.handled += 1
            queue.handle_time += talk + wrap_seconds
        extra: dict[str, Any] = {"to": to} if to else {}
        self._emit(
            ev.COMPLETE,
            call=record.id,
            queue=record.queue,
            agent=agent.id,
            by=by,
            talk=round(talk, 3),
            waited=round(record.connected - record.entered, 3),
            **extra,
        )
        self._drop(record)
        agent.call = ""
        if wrap and wrap_seconds > 0:
            agent.state, agent.since = WRAP_UP, now
            self._emit(ev.AGENT_WRAPUP, call=record.id, agent=agent.id, seconds=wrap_seconds)
            agent.timer = self.clock.call_later(wrap_seconds, lambda: self._wrap_done(agent.id, now))
        elif wrap:
            self._after_call(agent)
        else:
            agent.state, agent.since = AVAILABLE, now

    def _wrap_done(self, agent_id: str, started: float) -> None:
        agent = self._agents.get(agent_id)
        if agent is None or agent.state != WRAP_UP or agent.since != started:
            return
        agent.timer = None
        self._after_call(agent)

    def _after_call(self, agent: _Agent) -> None:
        if agent.pending_pause is not None:
            reason, agent.pending_pause = agent.pending_pause, None
            self._set_paused(agent, reason, auto=False)
        else:
            self._make_available(agent, dispatch=True)

    def _set_paused(self, agent: _Agent, reason: str, *, auto: bool) -> None:
        self._cancel_timer(agent)
        self._leave_available(agent)
        agent.state, agent.since, agent.reason, agent.auto, agent.call = PAUSED, self.clock.now(), reason, auto, ""
        self._emit(ev.AGENT_PAUSE, agent=agent.id, reason=reason, auto=auto)

    def _make_available(self, agent: _Agent, *, dispatch: bool, event: bool = True) -> None:
        now = self.clock.now()
        self._cancel_timer(agent)
        agent.state, agent.since, agent.reason, agent.auto, agent.call = AVAILABLE, now, "", False, ""
        agent.idle_since = now
        for code, penalty in agent.queues.items():
            queue = self._queues.get(code)
            if queue is not None:
                queue.available[agent.id] = penalty
        if event:
            agent.misses = 0
            self._emit(ev.AGENT_READY, agent=agent.id)
        if dispatch:
            self._dispatch_agent(agent)

    def _make_available_quiet(self, agent: _Agent) -> None:
        """Replay: an agent the log leaves available joins its queues' available sets."""
        for code, penalty in agent.queues.items():
            queue = self._queues.get(code)
            if queue is not None:
                queue.available[agent.id] = penalty

    def _dispatch_all(self) -> None:
        for code in sorted(self._queues):
            self._dispatch_queue(code)

    def _leave_available(self, agent: _Agent) -> None:
        for code in agent.queues:
            queue = self._queues.get(code)
            if queue is not None:
                queue.available.pop(agent.id, None)

    @staticmethod
    def _cancel_timer(agent: _Agent) -> None:
        if agent.timer is not None:
            agent.timer.cancel()
            agent.timer = None

    def _expected(self, queue: _Queue, position: int) -> float:
        aht = queue.handle_time / queue.handled if queue.handled else DEFAULT_TALK + queue.config.wrap_up
        staffed = sum(1 for a in queue.members if self._agents[a].state != PAUSED)
        if staffed == 0:
            return position * aht
        return math.ceil(position / staffed) * aht if position > 0 else 0.0

    # -- replay ---------------------------------------------------------------------------------

    @classmethod
    def replay(
        cls,
        events: Iterable[CallEvent],
        clock: Clock,
        rng: random.Random,
        queues: Iterable[QueueConfig],
        sink: Sink | None = None,
        *,
        stale_after: float = 300.0,
    ) -> ACD:
        """Rebuild the state from the log after a restart (see ``_Replayer``)."""
        acd = cls(clock, rng, sink)
        for config in queues:
            acd._queues[config.code] = _Queue(config)
        _Replayer(acd).run(events, stale_after)
        return acd


class _Replayer:
    """Applies logged events to a fresh ACD's state without writing anything, then cleans up:
    ringing calls back to their queue, stale queued calls abandoned, timers re-armed."""

    def __init__(self, acd: ACD) -> None:
        self.acd = acd
        self.calls: dict[str, _Call] = {}
        self.wrap_ends: dict[str, float] = {}

    def run(self, events: Iterable[CallEvent], stale_after: float) -> None:
        handlers: dict[str, Callable[[CallEvent], None]] = {
            ev.AGENT_LOGIN: self._login,
            ev.AGENT_LOGOUT: self._logout,
            ev.AGENT_PAUSE: self._pause,
            ev.AGENT_READY: self._ready,
            ev.AGENT_QUEUES: self._queues,
            ev.AGENT_WRAPUP: self._wrapup,
            ev.QUEUE_ENTER: self._enter,
            ev.OFFER: self._offer,
            ev.RING_NO_ANSWER: self._no_answer,
            ev.CONNECT: self._connect,
            ev.COMPLETE: self._end,
            ev.ABANDON: self._end,
            ev.OVERFLOW: self._overflow,
            ev.EXIT_FULL: self._refused,
        }
        for event in events:
            handler = handlers.get(event.kind)
            if handler is not None:
                handler(event)
        self._finish(stale_after)

    def _agent(self, event: CallEvent) -> _Agent | None:
        return self.acd._agents.get(event.agent)

    def _login(self, event: CallEvent) -> None:
        queues = {str(k): int(v) for k, v in dict(event.data.get("queues") or {}).items()}
        agent = _Agent(event.agent, str(event.data.get("name", "")), queues, event.at)
        self.acd._agents[event.agent] = agent

    def _release(self, agent: _Agent) -> None:
        """The agent leaves a ringing offer (paused, ready, logged out): the call rings on for
        the others or is back in its queue."""
        record = self.calls.get(agent.call)
        if record is not None and record.state == _RINGING:
            record.offered.discard(agent.id)
            if not record.offered:
                record.state = _QUEUED
        agent.call = ""

    def _logout(self, event: CallEvent) -> None:
        agent = self.acd._agents.pop(event.agent, None)
        if agent is not None and agent.state == RESERVED:
            self._release(agent)

    def _pause(self, event: CallEvent) -> None:
        agent = self._agent(event)
        if agent is not None:
            if agent.state == RESERVED:
                self._release(agent)
            agent.state, agent.since, agent.call = PAUSED, event.at, ""
            agent.reason, agent.auto = str(event.data.get("reason", "")), bool(event.data.get("auto", False))

    def _ready(self, event: CallEvent) -> None:
        agent = self._agent(event)
        if agent is not None:
            if agent.state == RESERVED:
                self._release(agent)
            agent.state, agent.since, agent.reason, agent.call, agent.idle_since = AVAILABLE, event.at, "", "", event.at
            agent.misses = 0

    def _queues(self, event: CallEvent) -> None:
        agent = self._agent(event)
        if agent is not None:
            agent.queues = {str(k): int(v) for k, v in dict(event.data.get("queues") or {}).items()}

    def _wrapup(self, event: CallEvent) -> None:
        agent = self._agent(event)
        if agent is not None:
            agent.state, agent.since, agent.call = WRAP_UP, event.at, ""
            self.wrap_ends[agent.id] = event.at + float(event.data.get("seconds", 0.0))

    def _enter(self, event: CallEvent) -> None:
        record = self.calls.get(event.call) or _Call(
            event.call, event.queue, 0, float(event.data.get("entered", event.at)), {}
        )
        record.queue = event.queue
        record.priority = int(event.data.get("priority", 0))
        record.entered = float(event.data.get("entered", record.entered))
        record.queue_entered = event.at
        record.state = _QUEUED
        if not record.key[2]:
            record.key = (-record.priority, record.entered, next(self.acd._seq))
        record.visited.add(event.queue)
        self.calls[event.call] = record

    def _offer(self, event: CallEvent) -> None:
        record = self.calls.get(event.call)
        agent = self._agent(event)
        if record is None or agent is None:
            return
        if agent.state == RESERVED and agent.call != record.id:
            self._release(agent)  # an earlier restart freed it silently
        if record.state == _RINGING and record.ring_started != event.at:
            # a new round of offers (ring-all offers of one round share their time): the
            # previous round was ended silently by a restart — its agents are free again
            for name in sorted(record.offered):
                holder = self.acd._agents.get(name)
                if holder is not None and holder.call == record.id:
                    holder.state, holder.since, holder.call = AVAILABLE, record.ring_started, ""
            record.state = _QUEUED
        if record.state != _RINGING:
            record.offered = set()
        record.state, record.ring_started = _RINGING, event.at
        record.offered.add(agent.id)
        agent.state, agent.since, agent.call, agent.reason = RESERVED, event.at, record.id, ""

    def _no_answer(self, event: CallEvent) -> None:
        record = self.calls.get(event.call)
        agent = self._agent(event)
        if agent is not None:
            agent.misses += 1
            agent.state, agent.since, agent.call, agent.idle_since = AVAILABLE, event.at, "", event.at
        if record is not None:
            record.offered.discard(event.agent)
            if not record.offered:
                record.state = _QUEUED

    def _connect(self, event: CallEvent) -> None:
        record = self.calls.get(event.call)
        agent = self._agent(event)
        if record is None or agent is None:
            return
        for other in record.offered - {agent.id}:
            released = self.acd._agents.get(other)
            if released is not None and released.call == record.id:
                released.state, released.since, released.call, released.idle_since = AVAILABLE, event.at, "", event.at
        record.state, record.agent, record.connected, record.offered = _CONNECTED, agent.id, event.at, {agent.id}
        agent.state, agent.since, agent.call, agent.misses = ON_CALL, event.at, record.id, 0
        agent.calls_taken += 1

    def _overflow(self, event: CallEvent) -> None:
        """Out of a queue: gone (voicemail, callback) or about to enter the next queue, keeping
        the queues it visited so that the chain cannot loop after a restart either."""
        if str(event.data.get("to", "")) in EXITS:
            self.calls.pop(event.call, None)

    def _refused(self, event: CallEvent) -> None:
        self.calls.pop(event.call, None)

    def _end(self, event: CallEvent) -> None:
        record = self.calls.pop(event.call, None)
        if record is None:
            return
        for name in sorted(record.offered):
            agent = self.acd._agents.get(name)
            if agent is None or agent.call != record.id:
                continue
            if event.kind == ev.COMPLETE:
                agent.talk_time += float(event.data.get("talk", 0.0))
                queue = self.acd._queues.get(record.queue)
                if queue is not None:
                    queue.handled += 1
                    queue.handle_time += float(event.data.get("talk", 0.0)) + queue.config.wrap_up
                agent.state, agent.since, agent.call, agent.idle_since = AVAILABLE, event.at, "", event.at
            else:  # abandoned while ringing: the phones stop ringing
                agent.state, agent.since, agent.call, agent.idle_since = AVAILABLE, event.at, "", event.at

    def _finish(self, stale_after: float) -> None:
        acd = self.acd
        now = acd.clock.now()
        for agent in acd._agents.values():
            for code, penalty in agent.queues.items():
                queue = acd._queues.get(code)
                if queue is not None:
                    queue.members[agent.id] = penalty
        stale: list[_Call] = []
        ringing: list[_Call] = []
        for record in sorted(self.calls.values(), key=lambda r: r.key):
            if record.queue not in acd._queues:
                continue
            if record.state == _CONNECTED:
                acd._calls[record.id] = record
                continue
            if record.state == _RINGING:
                ringing.append(record)
                for name in record.offered:
                    holder = acd._agents.get(name)
                    if holder is not None and holder.call == record.id:
                        holder.state, holder.call = AVAILABLE, ""
                record.offered = set()
                record.state = _QUEUED
            queue = acd._queues[record.queue]
            acd._calls[record.id] = record
            bisect.insort(queue.waiting, (*record.key, record.id))
            if now - record.entered > stale_after:
                stale.append(record)
        for agent in acd._agents.values():
            if agent.state == AVAILABLE:
                acd._make_available_quiet(agent)
            elif agent.state == WRAP_UP:
                end = self.wrap_ends.get(agent.id, now)
                started = agent.since
                agent.timer = acd.clock.call_later(end - now, functools.partial(acd._wrap_done, agent.id, started))
        for record in stale:
            position = acd._position(record) or 0
            acd._drop(record)
            acd._emit(
                ev.ABANDON,
                call=record.id,
                queue=record.queue,
                waited=round(now - record.entered, 3),
                position=position,
                reason="restart",
            )
        for record in list(acd._calls.values()):
            if record.state != _QUEUED:
                continue
            config = acd._queues[record.queue].config
            if config.overflow_after is not None:
                left = config.overflow_after - (now - record.queue_entered)
                code = record.queue
                record.overflow_timer = acd.clock.call_later(
                    left, functools.partial(acd._overflow_timeout, record.id, code)
                )
            acd._arm_tier(record)
        if ringing or acd._calls:
            acd.clock.call_later(0.0, acd._dispatch_all)
