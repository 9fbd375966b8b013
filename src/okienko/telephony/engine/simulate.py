"""A discrete-event simulation of one queue that runs the *real* ACD (``engine.acd``) on a
:class:`~okienko.telephony.engine.clock.VirtualClock`.

Why the real ACD and not a model of it: queueing theory gives exact figures for an M/M/N queue
(Erlang C), so a simulated day that matches them checks the engine's routing, timers and event
log end to end — and the same run sizes a centre when the arrivals are not Poisson (an hourly
``profile``) or callers hang up (``patience``, Erlang A).

The model: Poisson arrivals (exponential inter-arrival times; with a profile the rate is constant
within each hour of the day), exponential handling times with mean ``aht``, exponential patience
with mean ``patience`` (none: callers wait for ever). One queue, every agent at penalty 0, no
wrap-up; an agent answers the moment the phone rings (the answer is scheduled at delay 0 when the
OFFER event arrives), completes the call after its sampled handling time, and a caller still
queued when the patience runs out hangs up.

Figures (calls that entered the queue at or after ``warmup``; arrivals go on for
``warmup + hours`` and the clock then runs until every call has ended):

- ``service_level``: answered within ``target_seconds`` / offered — an abandoned call counts as
  not answered within the target, whenever it hung up (this is what Erlang A's service level is);
- ``service_level_excluding_early_abandons``: the same, but calls that hung up before the target
  are left out of the offered calls (the "short abandons" definition of the reports);
- ``probability_of_waiting``: share of offered calls that waited more than 0 s;
- ``asa_seconds``: mean wait of the answered calls; ``average_wait_seconds``: of all calls.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from okienko.telephony.engine import erlang
from okienko.telephony.engine import events as ev
from okienko.telephony.engine.acd import ACD, QueueConfig
from okienko.telephony.engine.clock import Timer, VirtualClock

QUEUE = "sim"
_EPSILON = 1e-9  # a wait shorter than this is no wait (the answer happens at the same instant)


@dataclass(slots=True)
class _Tally:
    """Running totals over the measured calls (kept instead of the log: a day is ~1.5 M events)."""

    warmup: float
    target: float
    entered: dict[str, float] = field(default_factory=dict)
    patience_timers: dict[str, Timer] = field(default_factory=dict)
    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    waited: int = 0
    abandoned: int = 0
    abandoned_early: int = 0
    wait_answered: float = 0.0
    wait_all: float = 0.0
    max_wait: float = 0.0
    busy_seconds: float = 0.0
    events: int = 0

    def measured(self, call: str) -> bool:
        return self.entered.get(call, -1.0) >= self.warmup

    def arrive(self, call: str, at: float) -> None:
        self.entered[call] = at
        if at >= self.warmup:
            self.offered += 1

    def wait_ended(self, call: str, at: float, answered: bool) -> None:
        entered = self.entered.pop(call, None)
        if entered is None or entered < self.warmup:
            return
        wait = max(0.0, at - entered)
        self.wait_all += wait
        self.max_wait = max(self.max_wait, wait)
        if wait > _EPSILON:
            self.waited += 1
        if answered:
            self.answered += 1
            self.wait_answered += wait
            self.answered_within += wait <= self.target + _EPSILON
        else:
            self.abandoned += 1
            self.abandoned_early += wait < self.target


def _rates(calls_per_hour: float, profile: Sequence[float] | None) -> list[float]:
    """Calls per second for each hour of the day (one rate when there is no profile); the
    profile is relative, scaled so that its mean is ``calls_per_hour``."""
    if not profile:
        return [calls_per_hour / 3600.0]
    if any(not math.isfinite(p) or p < 0 for p in profile) or sum(profile) <= 0:
        raise ValueError("the profile must be a list of numbers >= 0, not all zero")
    mean = sum(profile) / len(profile)
    return [calls_per_hour * p / mean / 3600.0 for p in profile]


def _next_arrival(rng: random.Random, rates: list[float], now: float, until: float) -> float | None:
    """The next Poisson arrival after ``now`` with a rate constant within each hour: draw with the
    current hour's rate and, when the draw crosses into the next hour, start again from there
    (exact, by memorylessness)."""
    at = now
    while at < until:
        hour_end = (math.floor(at / 3600.0) + 1) * 3600.0
        rate = rates[int(at // 3600.0) % len(rates)]
        if rate > 0:
            candidate = at + rng.expovariate(rate)
            if candidate < hour_end:
                return candidate if candidate < until else None
        at = hour_end
    return None


def _check(calls_per_hour: float, hours: float, agents: int, aht: float, target: float, patience: float | None) -> None:
    if not math.isfinite(calls_per_hour) or calls_per_hour <= 0:
        raise ValueError("calls per hour must be a number > 0")
    if not math.isfinite(hours) or hours <= 0:
        raise ValueError("hours must be a number > 0")
    if agents < 1:
        raise ValueError("at least one agent is needed")
    if not math.isfinite(aht) or aht <= 0:
        raise ValueError("the average handling time must be > 0 seconds")
    if not math.isfinite(target) or target < 0:
        raise ValueError("the target must be >= 0 seconds")
    if patience is not None and (not math.isfinite(patience) or patience <= 0):
        raise ValueError("patience must be > 0 seconds")


def run(
    calls_per_hour: float,
    hours: float,
    agents: int,
    aht: float,
    target_seconds: float,
    seed: int,
    patience: float | None = None,
    profile: list[float] | None = None,
    warmup: float = 0.0,
    log: ev.Sink | None = None,
) -> dict[str, Any]:
    """Simulate and return one JSON-able dict (see the module's docstring for the figures).

    ``log`` receives every event of the ACD (e.g. ``MemoryLog().append``, for reports); by
    default none is kept — a day at 277,000 calls is over a million events."""
    _check(calls_per_hour, hours, agents, aht, target_seconds, patience)
    if not math.isfinite(warmup) or warmup < 0:
        raise ValueError("the warm-up must be >= 0 seconds")
    rates = _rates(calls_per_hour, profile)
    clock = VirtualClock()
    rng = random.Random(seed)  # noqa: S311 — arrivals, handling times, patience: a seeded simulation
    tally = _Tally(warmup=warmup, target=target_seconds)
    acd: ACD

    def sink(event: ev.CallEvent) -> None:
        tally.events += 1
        if log is not None:
            log(event)
        kind = event.kind
        if kind == ev.OFFER:
            agent, call = event.agent, event.call
            clock.call_later(0.0, lambda: _answer(agent, call))
        elif kind == ev.CONNECT:
            call, agent = event.call, event.agent
            timer = tally.patience_timers.pop(call, None)
            if timer is not None:
                timer.cancel()
            handling = rng.expovariate(1.0 / aht)
            if tally.measured(call):
                tally.busy_seconds += handling
            tally.wait_ended(call, event.at, answered=True)
            clock.call_later(handling, lambda: acd.complete(agent, call))
        elif kind == ev.ABANDON:
            tally.patience_timers.pop(event.call, None)
            tally.wait_ended(event.call, event.at, answered=False)

    def _answer(agent: str, call: str) -> None:
        acd.answer(agent, call)

    acd = ACD(clock, random.Random(f"acd:{seed}"), sink)  # noqa: S311 — the ACD's own draws
    acd.add_queue(
        QueueConfig(
            QUEUE,
            ring_timeout=60.0,
            wrap_up=0.0,
            overflow_when_no_agents=False,
            overflow_when_all_busy=False,
            service_level_seconds=target_seconds,
        )
    )
    width = len(str(agents))
    for number in range(agents):
        acd.login(f"a{number:0{width}d}", {QUEUE: 0})

    end = warmup + hours * 3600.0
    counter = 0

    def arrive() -> None:
        nonlocal counter
        counter += 1
        call = f"c{counter}"
        now = clock.now()
        tally.arrive(call, now)
        acd.enqueue(call, QUEUE)
        if patience is not None and call in tally.entered:
            tally.patience_timers[call] = clock.call_later(rng.expovariate(1.0 / patience), lambda: _give_up(call))
        schedule()

    def _give_up(call: str) -> None:
        if tally.patience_timers.pop(call, None) is not None:
            acd.hangup(call)

    def schedule() -> None:
        upcoming = _next_arrival(rng, rates, clock.now(), end)
        if upcoming is not None:
            clock.call_at(upcoming, arrive)

    schedule()
    while clock.step():
        pass
    return _result(tally, calls_per_hour, hours, agents, aht, target_seconds, seed, patience, profile, warmup, clock)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _result(
    tally: _Tally,
    calls_per_hour: float,
    hours: float,
    agents: int,
    aht: float,
    target: float,
    seed: int,
    patience: float | None,
    profile: list[float] | None,
    warmup: float,
    clock: VirtualClock,
) -> dict[str, Any]:
    offered = tally.offered
    early = offered - tally.abandoned_early

    def share(part: float, whole: float) -> float | None:
        return part / whole if whole > 0 else None

    load = erlang.traffic(calls_per_hour, aht)
    result: dict[str, Any] = {
        "agents": agents,
        "calls": offered,
        "answered": tally.answered,
        "abandoned": tally.abandoned,
        "abandonment_rate": share(tally.abandoned, offered),
        "service_level": share(tally.answered_within, offered),
        "service_level_excluding_early_abandons": share(tally.answered_within, early),
        "probability_of_waiting": share(tally.waited, offered),
        "asa_seconds": share(tally.wait_answered, tally.answered),
        "average_wait_seconds": share(tally.wait_all, offered),
        "max_wait_seconds": tally.max_wait,
        "occupancy": share(tally.busy_seconds, agents * hours * 3600.0),
        "events": tally.events,
        "simulated_seconds": clock.now(),
        "parameters": {
            "calls_per_hour": calls_per_hour,
            "hours": hours,
            "aht": aht,
            "target_seconds": target,
            "seed": seed,
            "patience": patience,
            "profile": profile,
            "warmup": warmup,
        },
        "erlang_c": {
            "traffic": load,
            "probability_of_waiting": erlang.erlang_c(load, agents),
            "service_level": erlang.service_level(calls_per_hour, aht, agents, target),
            "asa_seconds": _finite(erlang.asa(calls_per_hour, aht, agents)),
            "occupancy": erlang.occupancy(calls_per_hour, aht, agents),
        },
    }
    if patience is not None:
        figures = erlang.erlang_a(calls_per_hour, aht, agents, patience, target)
        result["erlang_a"] = {
            "probability_of_waiting": figures.probability_of_waiting,
            "probability_of_abandonment": figures.probability_of_abandonment,
            "service_level": figures.service_level,
            "asa_seconds": _finite(figures.asa_seconds),
            "occupancy": figures.occupancy,
        }
    return result
