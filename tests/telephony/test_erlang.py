"""Erlang B, C and A against textbook values, an exact rational formula and each other."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from okienko.telephony.engine import erlang


def exact_erlang_c(traffic: int, agents: int) -> float:
    """The factorial formula in exact rationals (only usable for small N, hence the recursion)."""
    a = Fraction(traffic)
    top = a**agents / math.factorial(agents) * Fraction(agents, agents - traffic)
    below = sum(a**k / math.factorial(k) for k in range(agents))
    return float(top / (below + top))


def test_erlang_b_table_values() -> None:
    # Published Erlang B tables: 10 Erlangs on 10 and 15 trunks; 1 Erlang on 1 trunk = 1/2.
    assert erlang.erlang_b(10, 10) == pytest.approx(0.2146, abs=5e-5)
    assert erlang.erlang_b(10, 15) == pytest.approx(0.0365, abs=5e-5)
    assert erlang.erlang_b(1, 1) == pytest.approx(0.5)
    assert erlang.erlang_b(5, 0) == 1.0


@pytest.mark.parametrize(("traffic", "agents"), [(1, 2), (10, 11), (10, 14), (20, 25), (50, 60)])
def test_erlang_c_matches_the_exact_formula(traffic: int, agents: int) -> None:
    assert erlang.erlang_c(traffic, agents) == pytest.approx(exact_erlang_c(traffic, agents), rel=1e-12)


def test_erlang_c_from_erlang_b_identity() -> None:
    for traffic, agents in [(3.3, 5), (100.0, 110), (800.0, 850)]:
        b = erlang.erlang_b(traffic, agents)
        rho = traffic / agents
        assert erlang.erlang_c(traffic, agents) == pytest.approx(b / (1 - rho * (1 - b)), rel=1e-12)


def test_mm1_closed_form() -> None:
    # M/M/1: P(wait) = ρ, ASA = ρ/(1−ρ)·AHT, SL(T) = 1 − ρ·e^{−(1−ρ)T/AHT}.
    rho, aht = 0.75, 240.0
    calls = rho * 3600 / aht
    assert erlang.erlang_c(rho, 1) == pytest.approx(rho)
    assert erlang.asa(calls, aht, 1) == pytest.approx(rho / (1 - rho) * aht)
    assert erlang.service_level(calls, aht, 1, 30) == pytest.approx(1 - rho * math.exp(-(1 - rho) * 30 / aht))


def test_the_classic_worked_example() -> None:
    """100 calls in 30 minutes, 3-minute calls, 80 % in 20 s: 10 Erlangs. Per agent count the
    well-known figures (P(wait), service level, ASA): 11 → 68.2 %, 39.0 %, 122.8 s;
    13 → 28.5 %, 79.6 %, 17.1 s; 14 → 17.4 %, 88.8 %, 7.8 s — so 14 agents."""
    assert erlang.traffic(200, 180) == pytest.approx(10.0)
    assert erlang.erlang_c(10, 11) == pytest.approx(0.6821, abs=5e-5)
    assert erlang.service_level(200, 180, 11, 20) == pytest.approx(0.3896, abs=5e-5)
    assert erlang.asa(200, 180, 11) == pytest.approx(122.8, abs=0.05)
    assert erlang.erlang_c(10, 13) == pytest.approx(0.2853, abs=5e-5)
    assert erlang.service_level(200, 180, 13, 20) == pytest.approx(0.7956, abs=5e-5)
    assert erlang.erlang_c(10, 14) == pytest.approx(0.1741, abs=5e-5)
    assert erlang.service_level(200, 180, 14, 20) == pytest.approx(0.8884, abs=5e-5)
    assert erlang.asa(200, 180, 14) == pytest.approx(7.84, abs=0.005)
    assert erlang.occupancy(200, 180, 14) == pytest.approx(10 / 14)
    staffing = erlang.agents_for(200, 180, 0.8, 20)
    assert (staffing.agents, staffing.scheduled, staffing.model) == (14, 14, "erlang_c")
    assert staffing.service_level == pytest.approx(0.8884, abs=5e-5)
    assert staffing.probability_of_waiting == pytest.approx(0.1741, abs=5e-5)
    assert staffing.asa_seconds == pytest.approx(7.84, abs=0.005)
    assert staffing.traffic == pytest.approx(10.0)


def test_unstable_and_empty_queues() -> None:
    assert erlang.erlang_c(10, 10) == 1.0
    assert erlang.service_level(200, 180, 9, 20) == 0.0
    assert erlang.asa(200, 180, 10) == math.inf
    assert erlang.erlang_c(0, 3) == 0.0
    assert erlang.service_level(0, 180, 0, 20) == 1.0
    assert erlang.agents_for(0, 180, 0.8, 20).agents == 0


def test_thousands_of_agents_stay_finite() -> None:
    c = erlang.erlang_c(1000.0, 1100)
    assert 0 < c < 0.01
    staffing = erlang.agents_for(277_000 / 24, 180, 0.8, 20)
    assert staffing.traffic == pytest.approx(577.083, abs=1e-3)
    assert 578 <= staffing.agents <= 600
    below = erlang.service_level(277_000 / 24, 180, staffing.agents - 1, 20)
    assert below < 0.8 <= staffing.service_level


def test_shrinkage_and_occupancy_cap() -> None:
    staffing = erlang.agents_for(200, 180, 0.8, 20, shrinkage=0.3)
    assert staffing.agents == 14
    assert staffing.scheduled == 20  # ceil(14 / 0.7) = 20 exactly, not 21
    capped = erlang.agents_for(200, 180, 0.5, 20, max_occupancy=0.7)
    assert capped.occupancy <= 0.7
    assert capped.agents == 15


@pytest.mark.parametrize(
    "kwargs",
    [
        {"calls_per_hour": -1},
        {"aht": 0},
        {"target_sl": 1.0},
        {"target_sl": 0.0},
        {"target_seconds": -5},
        {"shrinkage": 1.0},
        {"max_occupancy": 0.0},
        {"patience": 0.0},
        {"calls_per_hour": math.nan},
    ],
)
def test_bad_input_is_a_value_error(kwargs: dict[str, float]) -> None:
    arguments = {"calls_per_hour": 200.0, "aht": 180.0, "target_sl": 0.8, "target_seconds": 20.0} | kwargs
    with pytest.raises(ValueError):  # noqa: PT011 — each case has its own message
        erlang.agents_for(**arguments)


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    figures = erlang.erlang_a(200, 180, 14, 1e8, 20)
    assert figures.probability_of_waiting == pytest.approx(erlang.erlang_c(10, 14), abs=1e-6)
    assert figures.service_level == pytest.approx(erlang.service_level(200, 180, 14, 20), abs=1e-6)
    assert figures.asa_seconds == pytest.approx(erlang.asa(200, 180, 14), abs=1e-3)
    assert figures.probability_of_abandonment < 1e-6
    big = erlang.erlang_a(10_000, 180, 520, 1e8, 15)
    assert big.service_level == pytest.approx(erlang.service_level(10_000, 180, 520, 15), abs=1e-6)


def test_erlang_a_abandonment_agrees_with_littles_law() -> None:
    # Two independent routes to P(abandon): the caller's own chain, and θ·E[queue]/λ.
    for calls, aht, agents, patience in [(200, 180, 10, 60), (200, 180, 8, 120), (3000, 240, 180, 90)]:
        figures = erlang.erlang_a(calls, aht, agents, patience, 20)
        assert figures.probability_of_abandonment == pytest.approx(figures.average_wait_seconds / patience, rel=1e-9)
        # answered traffic = offered × (1 − P(abandon)) is what keeps the agents busy
        assert figures.occupancy == pytest.approx(
            calls / 3600 * aht * (1 - figures.probability_of_abandonment) / agents, rel=1e-9
        )


def test_erlang_a_service_level_limits() -> None:
    # With a target far beyond everybody's patience, "answered within T" is "answered".
    figures = erlang.erlang_a(200, 180, 10, 30, 3600)
    assert figures.service_level == pytest.approx(1 - figures.probability_of_abandonment, abs=1e-9)
    # A target of 0 s counts only the calls that did not wait.
    zero = erlang.erlang_a(200, 180, 10, 30, 0)
    assert zero.service_level == pytest.approx(1 - zero.probability_of_waiting, abs=1e-12)


def test_erlang_a_mm1_with_abandonment_by_hand() -> None:
    """M/M/1+M, λ = μ = θ = 1/100 s: π_n ∝ 1/n! for n ≥ 1 from π_1 = π_0 (rates λ/(μ + (n−1)θ)
    = 1/n), so π_n = e^{-1}/n!; P(wait) = 1 − e^{-1}; a caller finding k ahead is answered with
    probability 1/(k + 2)."""
    figures = erlang.erlang_a(36, 100, 1, 100, 0)
    e = math.exp(-1)
    assert figures.probability_of_waiting == pytest.approx(1 - e, rel=1e-12)
    answered_after_wait = sum(e / math.factorial(k + 1) / (k + 2) for k in range(40))
    assert figures.probability_of_abandonment == pytest.approx(1 - e - answered_after_wait, rel=1e-12)


def test_erlang_a_staffing_needs_fewer_agents_than_erlang_c() -> None:
    c = erlang.agents_for(2000, 240, 0.8, 20)
    a = erlang.agents_for(2000, 240, 0.8, 20, patience=120, shrinkage=0.25)
    assert a.model == "erlang_a"
    assert a.agents <= c.agents
    assert a.service_level >= 0.8
    assert erlang.erlang_a(2000, 240, a.agents - 1, 120, 20).service_level < 0.8
    assert a.scheduled == math.ceil(a.agents / 0.75)
    assert a.as_dict()["probability_of_abandonment"] == a.probability_of_abandonment
