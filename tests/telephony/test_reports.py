"""Interval reports from a hand-built event log, every figure worked out by hand."""

from __future__ import annotations

import csv
import io

import pytest

from okienko.telephony.engine import events as ev
from okienko.telephony.engine.events import CallEvent
from okienko.telephony.engine.reports import Row, interval_report, to_csv, totals

OFFICES = {"q1": "lodz", "q2": "lodz", "q3": "krakow"}


def E(at: float, kind: str, call: str = "", queue: str = "", agent: str = "", **data: object) -> CallEvent:
    return CallEvent(at=at, kind=kind, call=call, queue=queue, agent=agent, data=dict(data))


def log() -> list[CallEvent]:
    """Two agents, three queues (q1 and q2 in one office), seven calls:

    c1 answered in 4 s by a1 (talk 100, wrap 10); c2 hangs up after 3 s (short); c3 after 30 s,
    having rung a2 for 20 s; c4 overflows from q1 to q2 after 30 s and a2 answers 2 s later (talk
    100, wrap 20); c5 enters at 890 and a1 answers after 30 s, in the next interval (talk 60);
    c6 hangs up in q3 after 2 s; c7 answered by a1 in 10 s (COMPLETE without ``talk``: 30 s).
    a1 logs in at 0, pauses 500–800, logs out at 1200; a2 is logged in 30–400.
    """
    events = [
        E(0, ev.AGENT_LOGIN, agent="a1", queues={"q1": 0}),
        E(10, ev.QUEUE_ENTER, "c1", "q1", priority=0, position=1),
        E(12, ev.OFFER, "c1", "q1", "a1"),
        E(14, ev.CONNECT, "c1", "q1", "a1", waited=2, ring=2),
        E(20, ev.QUEUE_ENTER, "c2", "q1"),
        E(23, ev.ABANDON, "c2", "q1", waited=3, position=1),
        E(30, ev.AGENT_LOGIN, agent="a2", queues={"q1": 0, "q2": 0}),
        E(30, ev.QUEUE_ENTER, "c3", "q1"),
        E(35, ev.OFFER, "c3", "q1", "a2"),
        E(55, ev.RING_NO_ANSWER, "c3", "q1", "a2", seconds=20),
        E(60, ev.ABANDON, "c3", "q1", waited=30, position=1),
        E(100, ev.QUEUE_ENTER, "c4", "q1"),
        E(114, ev.COMPLETE, "c1", "q1", "a1", by="agent", talk=100, waited=2),
        E(114, ev.AGENT_WRAPUP, "c1", agent="a1", seconds=10),
        E(130, ev.OVERFLOW, "c4", "q1", to="q2", why="timeout"),
        E(130, ev.QUEUE_ENTER, "c4", "q2"),
        E(131, ev.OFFER, "c4", "q2", "a2"),
        E(132, ev.CONNECT, "c4", "q2", "a2", waited=1, ring=1),
        E(232, ev.COMPLETE, "c4", "q2", "a2", by="caller", talk=100, waited=1),
        E(232, ev.AGENT_WRAPUP, "c4", agent="a2", seconds=20),
        E(400, ev.AGENT_LOGOUT, agent="a2"),
        E(500, ev.AGENT_PAUSE, agent="a1", reason="lunch", auto=False),
        E(800, ev.AGENT_READY, agent="a1"),
        E(890, ev.QUEUE_ENTER, "c5", "q1"),
        E(919, ev.OFFER, "c5", "q1", "a1"),
        E(920, ev.CONNECT, "c5", "q1", "a1", waited=29, ring=1),
        E(980, ev.COMPLETE, "c5", "q1", "a1", by="agent", talk=60, waited=29),
        E(1000, ev.QUEUE_ENTER, "c6", "q3"),
        E(1000, ev.QUEUE_ENTER, "c7", "q1"),
        E(1002, ev.ABANDON, "c6", "q3", waited=2, position=1),
        E(1009, ev.OFFER, "c7", "q1", "a1"),
        E(1010, ev.CONNECT, "c7", "q1", "a1", waited=9, ring=1),
        E(1040, ev.COMPLETE, "c7", "q1", "a1", by="agent", waited=9),
        E(1200, ev.AGENT_LOGOUT, agent="a1"),
    ]
    return events


def by_key(rows: list[Row]) -> dict[tuple[float, str], Row]:
    return {(r.start, r.key): r for r in rows}


def test_queues_per_quarter_hour() -> None:
    rows = by_key(interval_report(log(), interval=900, by="queue", short_abandon=5, target_seconds=15))
    assert sorted(rows) == [(0.0, "q1"), (0.0, "q2"), (900.0, "q1"), (900.0, "q3")]
    q1 = rows[(0.0, "q1")]
    assert (q1.offered, q1.answered, q1.abandoned, q1.short_abandoned) == (5, 2, 2, 1)
    assert q1.answered_within == 1  # c1 (4 s); c5 waited 30 s
    assert q1.service_level == pytest.approx(1 / 4)  # c2's short abandon left out
    assert q1.service_level_answered == pytest.approx(1 / 2)
    assert q1.asa == pytest.approx((4 + 30) / 2)
    assert q1.completed == 2
    assert q1.aht == pytest.approx((100 + 60 + 10) / 2)
    assert q1.talk == pytest.approx(80)
    assert (q1.overflowed_out, q1.overflowed_in) == (1, 0)
    assert q1.max_wait == pytest.approx(30)
    assert q1.occupancy is None

    q2 = rows[(0.0, "q2")]
    assert (q2.offered, q2.answered, q2.answered_within, q2.overflowed_in, q2.overflowed_out) == (1, 1, 1, 1, 0)
    assert q2.service_level == 1.0
    assert q2.asa == pytest.approx(2)  # from entering q2, not q1
    assert q2.aht == pytest.approx(120)
    assert q2.max_wait == pytest.approx(2)

    late = rows[(900.0, "q1")]
    assert (late.offered, late.answered, late.answered_within) == (1, 1, 1)
    assert late.talk == pytest.approx(30)  # COMPLETE without talk: from CONNECT to COMPLETE
    assert late.aht == pytest.approx(30)

    q3 = rows[(900.0, "q3")]
    assert (q3.offered, q3.abandoned, q3.short_abandoned, q3.answered) == (1, 1, 1, 0)
    assert q3.service_level is None
    assert q3.service_level_answered is None
    assert q3.asa is None
    assert q3.aht is None
    assert q3.max_wait == pytest.approx(2)


def test_offices_merge_an_overflow_inside_the_office() -> None:
    rows = by_key(interval_report(log(), interval=900, by="office", offices=OFFICES))
    assert sorted(rows) == [(0.0, "lodz"), (900.0, "krakow"), (900.0, "lodz")]
    lodz = rows[(0.0, "lodz")]
    assert (lodz.offered, lodz.answered, lodz.abandoned, lodz.short_abandoned) == (5, 3, 2, 1)
    assert (lodz.overflowed_out, lodz.overflowed_in) == (0, 0)
    assert lodz.answered_within == 1  # c4 waited 32 s in the office
    assert lodz.service_level == pytest.approx(1 / 4)
    assert lodz.asa == pytest.approx((4 + 32 + 30) / 3)
    assert lodz.aht == pytest.approx((100 + 60 + 100 + 10 + 20) / 3)
    assert lodz.max_wait == pytest.approx(32)
    # without a mapping every queue is its own office
    alone = by_key(interval_report(log(), interval=900, by="office"))
    assert set(alone) == {(0.0, "q1"), (0.0, "q2"), (900.0, "q1"), (900.0, "q3")}


def test_agents_with_occupancy() -> None:
    rows = by_key(interval_report(log(), interval=900, by="agent", target_seconds=15))
    assert sorted(rows) == [(0.0, "a1"), (0.0, "a2"), (900.0, "a1")]
    a1 = rows[(0.0, "a1")]
    assert (a1.offered, a1.answered, a1.answered_within) == (2, 2, 1)  # c1, c5 (entered at 890)
    assert a1.asa == pytest.approx(17)
    assert a1.aht == pytest.approx(85)
    # staffed 0–500 and 800–900 = 600 s; busy 14–124 (talk and wrap-up) = 110 s; c5 is after 900
    assert a1.staffed_seconds == pytest.approx(600)
    assert a1.busy_seconds == pytest.approx(110)
    assert a1.occupancy == pytest.approx(110 / 600)

    a2 = rows[(0.0, "a2")]
    assert (a2.offered, a2.answered, a2.abandoned, a2.answered_within) == (2, 1, 0, 0)  # c3 rang, no answer
    assert a2.service_level == 0.0
    assert a2.asa == pytest.approx(32)  # c4 from its first queue entry
    assert a2.aht == pytest.approx(120)
    assert a2.max_wait == pytest.approx(32)
    assert a2.occupancy == pytest.approx(120 / 370)  # logged in 30–400, busy 132–252

    late = rows[(900.0, "a1")]
    assert (late.offered, late.answered) == (1, 1)  # c7
    assert late.staffed_seconds == pytest.approx(300)  # 900–1200
    assert late.busy_seconds == pytest.approx(90)  # c5 920–980 and c7 1010–1040
    assert late.occupancy == pytest.approx(0.3)


def test_a_call_abandoned_while_ringing_counts_for_the_agent() -> None:
    events = [
        E(0, ev.AGENT_LOGIN, agent="a", queues={"q": 0}),
        E(10, ev.QUEUE_ENTER, "c", "q"),
        E(11, ev.OFFER, "c", "q", "a"),
        E(13, ev.ABANDON, "c", "q", waited=3, position=1),
        E(20, ev.AGENT_LOGOUT, agent="a"),
    ]
    [row] = interval_report(events, interval=3600, by="agent", short_abandon=5)
    assert (row.offered, row.abandoned, row.short_abandoned, row.answered) == (1, 1, 1, 0)
    assert row.occupancy == 0.0
    assert row.staffed_seconds == pytest.approx(20)


def test_totals_recompute_ratios_from_sums() -> None:
    rows = interval_report(log(), interval=900, by="queue")
    total = totals(rows)
    assert total.key == "total"
    assert (total.offered, total.answered, total.abandoned, total.short_abandoned) == (8, 4, 3, 2)
    assert total.answered_within == 3  # c1, c4 in q2, c7
    assert total.service_level == pytest.approx(3 / 6)
    assert total.service_level_answered == pytest.approx(3 / 4)
    assert total.asa == pytest.approx((4 + 30 + 2 + 10) / 4)
    assert total.aht == pytest.approx((290 + 30) / 4)
    assert (total.overflowed_out, total.overflowed_in) == (1, 1)
    assert total.max_wait == pytest.approx(30)
    assert total.occupancy is None
    agents = totals(interval_report(log(), interval=900, by="agent"))
    assert agents.occupancy == pytest.approx((110 + 120 + 90) / (600 + 370 + 300))


def test_daily_intervals_and_offset() -> None:
    [q1, q2, q3] = interval_report(log(), interval=86400, by="queue")
    assert (q1.key, q1.offered, q2.key, q3.key) == ("q1", 6, "q2", "q3")
    assert {q1.start, q2.start, q3.start} == {0.0}
    shifted = interval_report([E(1800, ev.QUEUE_ENTER, "c", "q")], interval=3600, by="queue", utc_offset=3600)
    assert shifted[0].start == 0.0
    earlier = interval_report([E(1800, ev.QUEUE_ENTER, "c", "q")], interval=3600, by="queue", utc_offset=1800)
    assert earlier[0].start == 1800.0  # 1:00 local is 0:30 on the log's clock


def test_csv() -> None:
    rows = interval_report(log(), interval=900, by="queue")
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert len(parsed) == 4
    first = parsed[0]
    assert (first["start"], first["key"], first["offered"], first["service_level"]) == ("0", "q1", "5", "0.25")
    assert first["occupancy"] == ""
    assert first["asa"] == "17"
    assert parsed[3]["service_level"] == ""
    assert rows[0].as_dict()["offered"] == 5


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="by must be"):
        interval_report([], interval=900, by="team")
    with pytest.raises(ValueError, match="interval"):
        interval_report([], interval=0, by="queue")
    assert interval_report([], interval=900, by="agent") == []
