"""The simulator runs the real ACD; queueing theory says what it must find.

The M/M/N check is statistical, so its size was chosen from measured spread, not from a lucky
seed. For FCFS M/M/N the waits are fixed by the arrival and handling times alone, so a throwaway
minimal ACD gave the very same figures as ``engine.acd`` per seed, and was used to run many seeds
fast. Error of the simulated P(wait) against Erlang C, standard deviation over seeds:

- N=10, load 0.8: 0.0078 at 100,000 calls, 0.0062 at 200,000, 0.0046 at 600,000 (12 seeds; worst
  0.008) — the queue's long busy periods make calls strongly correlated, so ±0.01 would be only
  about two standard deviations even at 600,000 calls (16 s);
- N=10, load 0.7: 0.0015 at 400,000 calls (10 seeds; worst 0.0026; service level 0.0013, worst
  0.0030) — ±0.01 is over six standard deviations. That is the check below, at 300,000 calls.
"""

from __future__ import annotations

import json

import pytest

from okienko.telephony.engine import erlang, simulate
from okienko.telephony.engine.events import MemoryLog
from okienko.telephony.engine.reports import interval_report, totals

# M/M/10 at load 0.7: 7 Erlangs, AHT 100 s → 252 calls per hour; P(wait) = 0.222.
AGENTS = 10
AHT = 100.0
CALLS_PER_HOUR = 7 * 3600 / AHT
TARGET = 20.0
CALLS = 300_000
HOURS = CALLS / CALLS_PER_HOUR
WARMUP = 3600.0


@pytest.fixture(scope="module")
def mmn() -> dict[str, object]:
    return simulate.run(CALLS_PER_HOUR, HOURS, AGENTS, AHT, TARGET, seed=2026, warmup=WARMUP)


def test_mmn_matches_erlang_c(mmn: dict[str, object]) -> None:
    """M/M/N, no abandonment: P(wait) and the service level within ±0.01 of Erlang C."""
    load = CALLS_PER_HOUR * AHT / 3600
    assert mmn["calls"] == pytest.approx(CALLS, rel=0.02)
    assert mmn["abandoned"] == 0
    assert mmn["answered"] == mmn["calls"]
    assert mmn["probability_of_waiting"] == pytest.approx(erlang.erlang_c(load, AGENTS), abs=0.01)
    assert mmn["service_level"] == pytest.approx(erlang.service_level(CALLS_PER_HOUR, AHT, AGENTS, TARGET), abs=0.01)
    assert mmn["asa_seconds"] == pytest.approx(erlang.asa(CALLS_PER_HOUR, AHT, AGENTS), rel=0.05)
    assert mmn["occupancy"] == pytest.approx(0.7, abs=0.01)
    theory = mmn["erlang_c"]
    assert isinstance(theory, dict)
    assert theory["probability_of_waiting"] == pytest.approx(erlang.erlang_c(load, AGENTS))
    assert theory["service_level"] == pytest.approx(erlang.service_level(CALLS_PER_HOUR, AHT, AGENTS, TARGET))
    json.dumps(mmn, allow_nan=False)


def test_with_patience_it_matches_erlang_a() -> None:
    """M/M/N+M: callers hang up after an exponential patience; Erlang A's abandonment rate and
    service level (a shorter run, so ±0.02)."""
    result = simulate.run(CALLS_PER_HOUR * 1.15, 60_000 / (CALLS_PER_HOUR * 1.15), AGENTS, AHT, TARGET, seed=5,
                          patience=120.0, warmup=WARMUP)  # fmt: skip
    theory = erlang.erlang_a(CALLS_PER_HOUR * 1.15, AHT, AGENTS, 120.0, TARGET)
    assert result["abandoned"] > 0
    assert result["answered"] + result["abandoned"] == result["calls"]
    assert result["abandonment_rate"] == pytest.approx(theory.probability_of_abandonment, abs=0.02)
    assert result["service_level"] == pytest.approx(theory.service_level, abs=0.02)
    assert result["probability_of_waiting"] == pytest.approx(theory.probability_of_waiting, abs=0.02)
    assert result["erlang_a"]["probability_of_abandonment"] == pytest.approx(theory.probability_of_abandonment)
    assert result["service_level_excluding_early_abandons"] >= result["service_level"]


def test_the_same_seed_gives_the_same_day() -> None:
    first = simulate.run(200, 5, 14, 180, 20, seed=11, patience=90)
    again = simulate.run(200, 5, 14, 180, 20, seed=11, patience=90)
    other = simulate.run(200, 5, 14, 180, 20, seed=12, patience=90)
    assert first == again
    assert first != other


def test_profile_shapes_the_arrivals() -> None:
    # all the day's volume in hour 2 of 3: the mean rate stays calls_per_hour
    result = simulate.run(300, 3, 20, 60, 15, seed=4, profile=[0.0, 3.0, 0.0])
    assert result["calls"] == pytest.approx(900, rel=0.12)
    assert result["simulated_seconds"] < 2 * 3600 + 3600  # last arrival in hour 2, then drained


def test_warmup_leaves_early_calls_out() -> None:
    whole = simulate.run(360, 2, 8, 60, 15, seed=9)
    later = simulate.run(360, 1, 8, 60, 15, seed=9, warmup=3600)
    assert later["calls"] < whole["calls"]
    assert later["calls"] == pytest.approx(360, rel=0.2)


@pytest.mark.parametrize(
    "kwargs",
    [{"calls_per_hour": 0}, {"hours": -1}, {"agents": 0}, {"aht": 0}, {"patience": 0.0}, {"profile": [0.0, 0.0]}],
)
def test_bad_parameters(kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {"calls_per_hour": 100, "hours": 1, "agents": 2, "aht": 60, "target_seconds": 15,
                                    "seed": 1} | kwargs  # fmt: skip
    with pytest.raises(ValueError):  # noqa: PT011 — each case has its own message
        simulate.run(**arguments)  # type: ignore[arg-type]


def test_the_reports_of_the_simulated_log_agree() -> None:
    """The interval report, a pure function of the ACD's log, finds the simulator's own figures."""
    memory = MemoryLog()
    result = simulate.run(250, 4, 8, 100, 15, seed=21, patience=60, log=memory.append)
    [row] = interval_report(memory, interval=86400, by="queue", short_abandon=0.0, target_seconds=15)
    assert row.key == simulate.QUEUE
    assert (row.offered, row.answered, row.abandoned) == (result["calls"], result["answered"], result["abandoned"])
    assert row.service_level == pytest.approx(result["service_level"])
    assert row.asa == pytest.approx(result["asa_seconds"])
    assert row.completed == result["answered"]
    agents = totals(interval_report(memory, interval=3600, by="agent"))
    assert agents.answered == result["answered"]
    assert 0 < (agents.occupancy or 0) < 1
