"""Contact-centre interval reports as pure functions of the event log (like reports built on
Asterisk's queue_log): nothing is stored twice, so a report can be recomputed for any period,
any interval length and any grouping, and the simulator's log gives the same figures.

Definitions (each one is a choice; they are stated here because centres differ):

- A *visit* is a call's stay with one key (a queue, an office, or — for ``by="agent"`` — an agent
  whose phone rang). A call is counted in the interval in which it *entered the queue* (for agents:
  the queue entry of the call they were offered), even if answered in the next one.
- ``offered``: visits. A call overflowing from queue A to queue B is offered to both; with
  ``by="office"`` an overflow between two queues of one office is one visit of that office.
- ``answered``: CONNECT; the wait is the time from entering (the first queue of the visit) to the
  connection — what the caller lived through, ringing included.
- ``abandoned``: the caller hung up while queued (or, for agents, while that agent's phone rang);
  ``short_abandoned``: of those, the ones who waited less than ``short_abandon`` seconds
  (misdials and callers who changed their minds — most centres leave them out of the service level).
- ``service_level`` = answered within T / (offered − short abandons); ``service_level_answered`` =
  answered within T / answered (the other common definition, blind to abandons).
- ``aht`` = (talk + wrap-up) / completed calls; ``talk`` = talk / completed calls.
- ``occupancy`` (agent rows only) = busy (on a call or in wrap-up) / staffed time in the interval,
  staffed meaning logged in and not paused — or busy (a pause requested during a call starts when
  the call ends). It is spread over the intervals by the clock, not by queue entry. Best effort:
  a login or a call still open at the end of the log is closed at the log's last event.
- Ratios with nothing to divide by are ``None`` (shown empty in CSV).
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from okienko.telephony.engine import events as ev

GROUPINGS = ("queue", "office", "agent")


@dataclass(slots=True)
class Row:
    start: float  # interval start, seconds on the log's clock
    key: str
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_within: int = 0
    service_level: float | None = None
    service_level_answered: float | None = None
    asa: float | None = None
    aht: float | None = None
    talk: float | None = None
    occupancy: float | None = None
    overflowed_out: int = 0
    overflowed_in: int = 0
    max_wait: float = 0.0
    # the sums behind the averages, so that totals() can recompute them exactly
    completed: int = 0
    wait_seconds: float = 0.0
    talk_seconds: float = 0.0
    wrap_seconds: float = 0.0
    busy_seconds: float = 0.0
    staffed_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def finish(self, *, agents: bool) -> Row:
        """Compute the ratios from the counts and sums."""
        counted = self.offered - self.short_abandoned
        self.service_level = self.answered_within / counted if counted > 0 else None
        self.service_level_answered = self.answered_within / self.answered if self.answered else None
        self.asa = self.wait_seconds / self.answered if self.answered else None
        self.aht = (self.talk_seconds + self.wrap_seconds) / self.completed if self.completed else None
        self.talk = self.talk_seconds / self.completed if self.completed else None
        if agents:
            self.occupancy = self.busy_seconds / self.staffed_seconds if self.staffed_seconds > 0 else None
        return self


@dataclass(slots=True)
class _Visit:
    key: str
    call: str
    entered: float  # when the call entered the queue (the interval it is counted in)
    overflowed_in: bool = False
    outcome: str = ""  # answered | abandoned | overflowed | refused | no_answer | "" (still open)
    waited: float = 0.0
    talk: float = 0.0
    wrap: float = 0.0
    completed: bool = False


def interval_report(
    events: Iterable[ev.CallEvent],
    *,
    interval: int,
    by: str,
    short_abandon: float = 5.0,
    target_seconds: float = 15.0,
    offices: dict[str, str] | None = None,
    utc_offset: float = 0.0,
) -> list[Row]:
    """Rows per (interval, key), ordered by interval then key.

    ``interval`` in seconds (900, 1800, 3600 or 86400 usually); intervals are aligned to the
    log's clock shifted by ``utc_offset`` seconds (3600 for Polish winter time, so that a day is a
    Polish day). ``offices`` maps queue codes to office codes for ``by="office"``; a queue not in
    it is its own office.
    """
    if interval <= 0:
        raise ValueError("the interval must be a positive number of seconds")
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    log = sorted(events, key=lambda event: event.at)  # stable: equal times keep the log's order
    if by == "agent":
        visits = _agent_visits(log)
    else:
        mapping = offices or {}

        def key_of(queue: str) -> str:
            return mapping.get(queue, queue) if by == "office" else queue

        visits = _queue_visits(log, key_of)
    rows: dict[tuple[float, str], Row] = {}

    def row(start: float, key: str) -> Row:
        found = rows.get((start, key))
        if found is None:
            found = rows[(start, key)] = Row(start=start, key=key)
        return found

    def bucket(at: float) -> float:
        return float(math.floor((at + utc_offset) / interval) * interval - utc_offset)

    for visit in visits:
        _count(row(bucket(visit.entered), visit.key), visit, short_abandon, target_seconds)
    if by == "agent":
        for agent, start, busy, staffed in _agent_time(log, interval, utc_offset):
            target = row(start, agent)
            target.busy_seconds += busy
            target.staffed_seconds += staffed
    return [rows[k].finish(agents=by == "agent") for k in sorted(rows)]


def _count(row: Row, visit: _Visit, short_abandon: float, target_seconds: float) -> None:
    row.offered += 1
    row.overflowed_in += visit.overflowed_in
    if visit.outcome:
        row.max_wait = max(row.max_wait, visit.waited)
    if visit.outcome == "answered":
        row.answered += 1
        row.wait_seconds += visit.waited
        row.answered_within += visit.waited <= target_seconds
    elif visit.outcome == "abandoned":
        row.abandoned += 1
        row.short_abandoned += visit.waited < short_abandon
    elif visit.outcome == "overflowed":
        row.overflowed_out += 1
    if visit.completed:
        row.completed += 1
        row.talk_seconds += visit.talk
        row.wrap_seconds += visit.wrap


def _queue_visits(log: list[ev.CallEvent], key_of: Any) -> list[_Visit]:
    """One visit per (call, key): entering, overflowing out of the key, and the outcome."""
    visits: list[_Visit] = []
    open_visits: dict[tuple[str, str], _Visit] = {}  # (call, key) while the call is with the key
    overflowing: dict[str, str] = {}  # call → the key it just overflowed from
    answered_by_call: dict[str, tuple[_Visit, float]] = {}  # call → (visit, connect time)
    for event in log:
        kind, call = event.kind, event.call
        if kind == ev.QUEUE_ENTER:
            key = key_of(event.queue)
            if (call, key) in open_visits:
                continue  # overflow inside one office: the same visit goes on
            came_from = overflowing.pop(call, None)
            visit = _Visit(key=key, call=call, entered=event.at, overflowed_in=came_from not in (None, key))
            visits.append(visit)
            open_visits[(call, key)] = visit
        elif kind == ev.OVERFLOW:
            key = key_of(event.queue)
            target = str(event.data.get("to", ""))
            if target and key_of(target) == key:
                continue
            visit_or_none = open_visits.pop((call, key), None)
            if visit_or_none is not None:
                _close(visit_or_none, "overflowed", event.at)
            overflowing[call] = key
        elif kind in (ev.CONNECT, ev.ABANDON, ev.EXIT_FULL):
            visit_or_none = open_visits.pop((call, key_of(event.queue)), None)
            if visit_or_none is None:
                continue
            outcome = {ev.CONNECT: "answered", ev.ABANDON: "abandoned", ev.EXIT_FULL: "refused"}[kind]
            _close(visit_or_none, outcome, event.at)
            if kind == ev.CONNECT:
                answered_by_call[call] = (visit_or_none, event.at)
        else:
            _after_answer(event, answered_by_call)
    return visits


def _agent_visits(log: list[ev.CallEvent]) -> list[_Visit]:
    """One visit per offer: the agent's phone rang with the call."""
    visits: list[_Visit] = []
    entered: dict[str, float] = {}  # call → when it (first) entered a queue
    ringing: dict[str, _Visit] = {}  # call → the visit of the agent whose phone rings
    answered_by_call: dict[str, tuple[_Visit, float]] = {}
    for event in log:
        kind, call = event.kind, event.call
        if kind == ev.QUEUE_ENTER:
            entered.setdefault(call, event.at)
        elif kind == ev.OFFER:
            visit = _Visit(key=event.agent, call=call, entered=entered.get(call, event.at))
            visits.append(visit)
            ringing[call] = visit
        elif kind == ev.RING_NO_ANSWER:
            visit_or_none = ringing.pop(call, None)
            if visit_or_none is not None:
                _close(visit_or_none, "no_answer", event.at)
        elif kind in (ev.CONNECT, ev.ABANDON):
            visit_or_none = ringing.pop(call, None)
            if visit_or_none is None:
                continue
            _close(visit_or_none, "answered" if kind == ev.CONNECT else "abandoned", event.at)
            if kind == ev.CONNECT:
                answered_by_call[call] = (visit_or_none, event.at)
        else:
            _after_answer(event, answered_by_call)
    return visits


def _close(visit: _Visit, outcome: str, at: float) -> None:
    visit.outcome = outcome
    visit.waited = max(0.0, at - visit.entered)


def _after_answer(event: ev.CallEvent, answered_by_call: dict[str, tuple[_Visit, float]]) -> None:
    """Talk time from COMPLETE (its ``talk``, else the time since CONNECT) and wrap-up."""
    found = answered_by_call.get(event.call)
    if found is None:
        return
    visit, connected = found
    if event.kind == ev.COMPLETE and not visit.completed:
        visit.completed = True
        visit.talk = float(event.data.get("talk", event.at - connected))
    elif event.kind == ev.AGENT_WRAPUP:
        visit.wrap += float(event.data.get("seconds", 0.0))


def _agent_time(log: list[ev.CallEvent], interval: int, utc_offset: float) -> list[tuple[str, float, float, float]]:
    """(agent, interval start, busy seconds, staffed seconds) from a sweep over each agent's
    changes of state: logged in, paused, on a call, in wrap-up."""
    if not log:
        return []
    horizon = log[-1].at
    changes: dict[str, list[tuple[float, str, float]]] = defaultdict(list)
    for event in log:
        if not event.agent:
            continue
        change = {
            ev.AGENT_LOGIN: "login",
            ev.AGENT_LOGOUT: "logout",
            ev.AGENT_PAUSE: "pause",
            ev.AGENT_READY: "ready",
            ev.CONNECT: "busy+",
            ev.COMPLETE: "busy-",
        }.get(event.kind)
        if change is not None:
            changes[event.agent].append((event.at, change, 0.0))
        elif event.kind == ev.AGENT_WRAPUP:
            seconds = float(event.data.get("seconds", 0.0))
            changes[event.agent].append((event.at, "busy+", 0.0))
            changes[event.agent].append((event.at + seconds, "busy-", 0.0))
            horizon = max(horizon, event.at + seconds)
    totals: dict[tuple[str, float], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for agent, points in changes.items():
        points.sort(key=lambda point: point[0])
        logged_in = paused = False
        busy = 0
        previous = points[0][0]
        for at, change, _ in [*points, (horizon, "end", 0.0)]:
            if at > previous and (logged_in or busy):
                staffed = busy > 0 or not paused
                _spread(totals, agent, previous, at, busy > 0, staffed, interval, utc_offset)
            previous = max(previous, at)
            if change == "login":
                logged_in, paused = True, False
            elif change == "logout":
                logged_in = paused = False
            elif change == "pause":
                paused = True
            elif change == "ready":
                paused = False
            elif change == "busy+":
                busy += 1
            elif change == "busy-":
                busy = max(0, busy - 1)
    return [(agent, start, busy_s, staffed_s) for (agent, start), (busy_s, staffed_s) in totals.items()]


def _spread(
    totals: dict[tuple[str, float], list[float]],
    agent: str,
    begin: float,
    end: float,
    busy: bool,
    staffed: bool,
    interval: int,
    utc_offset: float,
) -> None:
    """Add the span [begin, end) to the intervals it overlaps."""
    at = begin
    while at < end:
        start = math.floor((at + utc_offset) / interval) * interval - utc_offset
        stop = min(end, start + interval)
        cell = totals[(agent, float(start))]
        if busy:
            cell[0] += stop - at
        if staffed:
            cell[1] += stop - at
        at = stop


_SUMMED = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within",
    "overflowed_out",
    "overflowed_in",
    "completed",
    "wait_seconds",
    "talk_seconds",
    "wrap_seconds",
    "busy_seconds",
    "staffed_seconds",
)


def totals(rows: Iterable[Row], key: str = "total") -> Row:
    """All rows summed, ratios recomputed from the sums (not averaged averages). Occupancy only
    when the rows are agents' (they have staffed time). A call overflowed between two queues is
    offered to both, so a queue total counts queue visits, not distinct calls."""
    listed = list(rows)
    total = Row(start=min((r.start for r in listed), default=0.0), key=key)
    for name in _SUMMED:
        setattr(total, name, sum(getattr(r, name) for r in listed))
    total.max_wait = max((r.max_wait for r in listed), default=0.0)
    return total.finish(agents=any(r.occupancy is not None for r in listed))


def to_csv(rows: Iterable[Row]) -> str:
    """CSV with a header row; ratios rounded to 4 places, empty where undefined."""
    names = [f.name for f in fields(Row)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for r in rows:
        values = r.as_dict()
        writer.writerow(["" if values[n] is None else _cell(values[n]) for n in names])
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return str(value)
