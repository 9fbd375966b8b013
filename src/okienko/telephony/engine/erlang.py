"""Staffing arithmetic: Erlang B, Erlang C (M/M/N, callers wait for ever) and Erlang A (M/M/N+M,
callers hang up after an exponentially distributed patience).

Why both: Erlang C is what every workforce planner knows and quotes, and a correct simulator must
reproduce it exactly for an M/M/N queue; Erlang A is closer to a real public-administration line,
where callers give up, and Erlang C then overstaffs (it assumes the queue keeps everybody).

Units: calls per hour, seconds for handling and waiting; ``traffic`` is in Erlangs
(calls per second times the average handling time). Pure stdlib, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

# Truncation of the Erlang A birth-death chain: states whose stationary weight is below
# e^-_LOG_TAIL times the largest one are dropped (e^-45 ≈ 3e-20 of the mass each).
_LOG_TAIL = 45.0
_MAX_QUEUE_STATES = 1_000_000


def _check(calls_per_hour: float, aht: float, agents: int | None = None) -> None:
    if not math.isfinite(calls_per_hour) or calls_per_hour < 0:
        raise ValueError("calls per hour must be a finite number >= 0")
    if not math.isfinite(aht) or aht <= 0:
        raise ValueError("the average handling time must be a finite number > 0")
    if agents is not None and agents < 0:
        raise ValueError("the number of agents must be >= 0")


def traffic(calls_per_hour: float, aht: float) -> float:
    """Offered load in Erlangs: the average number of calls in progress if none waited."""
    _check(calls_per_hour, aht)
    return calls_per_hour / 3600.0 * aht


def erlang_b(traffic_erlangs: float, agents: int) -> float:
    """Blocking probability of an M/M/N/N loss system, by the recursion
    ``B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1))`` — every term is in [0, 1], so it neither
    overflows nor loses precision for thousands of agents (the factorial formula does both)."""
    if traffic_erlangs < 0 or not math.isfinite(traffic_erlangs):
        raise ValueError("traffic must be a finite number >= 0")
    if agents < 0:
        raise ValueError("the number of agents must be >= 0")
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic_erlangs * blocking / (n + traffic_erlangs * blocking)
    return blocking


def erlang_c(traffic_erlangs: float, agents: int) -> float:
    """Probability that a call waits (M/M/N), ``C = N·B / (N − A·(1 − B))`` from Erlang B.

    1.0 when ``agents <= traffic``: the queue is unstable and, in the long run, everybody waits."""
    if traffic_erlangs == 0:
        return 0.0
    if agents <= traffic_erlangs:
        return 1.0
    blocking = erlang_b(traffic_erlangs, agents)
    return agents * blocking / (agents - traffic_erlangs * (1.0 - blocking))


def service_level(calls_per_hour: float, aht: float, agents: int, target_seconds: float) -> float:
    """Share of calls answered within ``target_seconds`` (Erlang C):
    ``1 − C·exp(−(N − A)·T / AHT)``."""
    _check(calls_per_hour, aht, agents)
    load = traffic(calls_per_hour, aht)
    if load == 0:
        return 1.0
    if agents <= load:
        return 0.0
    return 1.0 - erlang_c(load, agents) * math.exp(-(agents - load) * target_seconds / aht)


def asa(calls_per_hour: float, aht: float, agents: int) -> float:
    """Average speed of answer in seconds over all calls (Erlang C): ``C·AHT / (N − A)``;
    infinite when the queue is unstable."""
    _check(calls_per_hour, aht, agents)
    load = traffic(calls_per_hour, aht)
    if load == 0:
        return 0.0
    if agents <= load:
        return math.inf
    return erlang_c(load, agents) * aht / (agents - load)


def occupancy(calls_per_hour: float, aht: float, agents: int) -> float:
    """Share of the agents' time on calls, ``A / N`` (1.0 when they cannot keep up)."""
    _check(calls_per_hour, aht, agents)
    load = traffic(calls_per_hour, aht)
    if agents == 0:
        return 1.0 if load > 0 else 0.0
    return min(1.0, load / agents)


@dataclass(frozen=True, slots=True)
class ErlangA:
    """The figures of an M/M/N+M queue (callers' patience exponential with mean ``patience``)."""

    agents: int
    traffic: float
    probability_of_waiting: float
    probability_of_abandonment: float
    service_level: float  # answered within the target / offered (abandons count as not answered)
    asa_seconds: float  # mean wait of the answered calls (zero waits included)
    average_wait_seconds: float  # mean time in queue of all calls, those who hung up included
    occupancy: float  # answered traffic / agents


def erlang_a(calls_per_hour: float, aht: float, agents: int, patience: float, target_seconds: float) -> ErlangA:
    """Erlang A (Palm 1946; Garnett, Mandelbaum & Reiman 2002, "Designing a call center with
    impatient customers"), computed from the birth-death chain rather than the closed form with
    incomplete gamma functions, which needs special functions the stdlib lacks.

    With arrival rate λ, service rate μ = 1/AHT, patience rate θ = 1/patience and N agents, the
    number of calls in the system is a birth-death chain with birth rate λ and death rate
    ``min(n, N)·μ + max(n − N, 0)·θ``. Its stationary distribution π (computed in logarithms and
    truncated where the weights fall below e^-45 of the peak) gives, by PASTA:

    - P(wait) = Σ_{n≥N} π_n;
    - a caller who finds k calls queued ahead is answered with probability
      ``Π_{i=0..k} (Nμ + iθ) / (Nμ + (i+1)θ) = Nμ / (Nμ + (k+1)θ)`` (the queue ahead shrinks at
      rate Nμ + iθ, the caller leaves at rate θ), hence P(abandon); the same figure also equals
      θ·E[queue]/λ (Little), which the tests check;
    - the answered caller's mean wait is ``P(answered | k) · Σ_{i=0..k} 1/(Nμ + (i+1)θ)`` summed
      over k (holding times of a CTMC are independent of where it jumps);
    - P(answered within T) from the caller's own pure-death chain (k ahead → … → 0 ahead →
      answered, or → abandoned) solved by uniformisation; states that cannot reach the agents
      within T except with negligible (Poisson-tail) probability are left out.
    """
    _check(calls_per_hour, aht, agents)
    if not math.isfinite(patience) or patience <= 0:
        raise ValueError("patience must be a finite number of seconds > 0")
    if target_seconds < 0:
        raise ValueError("the target must be >= 0 seconds")
    lam = calls_per_hour / 3600.0
    mu = 1.0 / aht
    theta = 1.0 / patience
    load = lam * aht
    if lam == 0:
        return ErlangA(agents, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return ErlangA(0, load, 1.0, 1.0, 0.0, 0.0, patience, 0.0)
    queued = _queue_distribution(lam, mu, theta, agents)
    p_wait = math.fsum(queued)
    server_rate = agents * mu
    p_abandon = 0.0
    answered_wait = 0.0
    queue_length = 0.0
    cumulative_time = 0.0
    for k, mass in enumerate(queued):
        answered = server_rate / (server_rate + (k + 1) * theta)
        cumulative_time += 1.0 / (server_rate + (k + 1) * theta)
        p_abandon += mass * (1.0 - answered)
        answered_wait += mass * answered * cumulative_time
        queue_length += mass * k
    p_answered = 1.0 - p_abandon
    asa_seconds = answered_wait / p_answered if p_answered > 0 else math.inf
    within = _answered_within(queued, server_rate, theta, target_seconds)
    return ErlangA(
        agents=agents,
        traffic=load,
        probability_of_waiting=min(1.0, p_wait),
        probability_of_abandonment=min(1.0, max(0.0, p_abandon)),
        service_level=min(1.0, (1.0 - p_wait) + within),
        asa_seconds=asa_seconds,
        # Little's law over the queue: E[time in queue] = E[queue length] / λ
        average_wait_seconds=queue_length / lam,
        occupancy=min(1.0, load * p_answered / agents),
    )


def _log_weights(lam: float, mu: float, theta: float, agents: int) -> tuple[list[float], list[float]]:
    """Unnormalised log stationary weights of states 0..N−1 and N, N+1, … (truncated)."""
    log_lam = math.log(lam)
    below = [0.0]
    for n in range(1, agents):
        below.append(below[-1] + log_lam - math.log(n * mu))
    top = below[-1] + log_lam - math.log(agents * mu)
    above = [top]
    peak = max(max(below), top)
    k = 0
    while k < _MAX_QUEUE_STATES:
        k += 1
        nxt = above[-1] + log_lam - math.log(agents * mu + k * theta)
        peak = max(peak, nxt)
        if nxt < above[-1] and nxt < peak - _LOG_TAIL:
            break
        above.append(nxt)
    return below, above


def _queue_distribution(lam: float, mu: float, theta: float, agents: int) -> list[float]:
    """π_{N+k} for k = 0, 1, …: the probability that an arriving caller finds all agents busy and
    k callers queued ahead."""
    below, above = _log_weights(lam, mu, theta, agents)
    peak = max(max(below), max(above))
    total = math.fsum(math.exp(w - peak) for w in below) + math.fsum(math.exp(w - peak) for w in above)
    return [math.exp(w - peak) / total for w in above]


def _poisson_cutoff(mean: float) -> int:
    return int(mean + 12.0 * math.sqrt(mean) + 40.0)


def _answered_within(queued: list[float], server_rate: float, theta: float, target: float) -> float:
    """P(the caller waited and was answered within ``target``) by uniformisation of the caller's
    pure-death chain over the number of callers ahead."""
    if target <= 0 or not queued:
        return 0.0
    # States more than ``reach`` ahead need more jumps than a Poisson(Λ·T) count gives, except
    # with probability far below 1e-15; iterate because Λ grows with the states kept.
    reach = _poisson_cutoff(server_rate * target)
    for _ in range(60):
        rate = server_rate + (reach + 1) * theta
        wanted = _poisson_cutoff(rate * target)
        if wanted <= reach:
            break
        reach = wanted
    size = min(len(queued), reach + 1)
    mass = queued[:size]
    uniform = server_rate + size * theta  # the largest total exit rate, from state size−1
    stay = [1.0 - (server_rate + (k + 1) * theta) / uniform for k in range(size)]
    move = [(server_rate + k * theta) / uniform for k in range(size)]  # from k to k−1 (0: answered)
    mean = uniform * target
    tails = _poisson_tails(mean, _poisson_cutoff(mean))
    within = 0.0
    for m in range(1, len(tails)):
        gained = mass[0] * move[0]
        if gained == 0.0 and not any(mass):
            break
        new = [mass[k] * stay[k] + mass[k + 1] * move[k + 1] for k in range(size - 1)]
        new.append(mass[size - 1] * stay[size - 1])
        mass = new
        # answered at the m-th jump of the uniformised chain: within T iff the Poisson clock
        # (rate Λ) has ticked at least m times by T
        within += gained * tails[m]
    return within


def _poisson_tails(mean: float, cutoff: int) -> list[float]:
    """``P(Poisson(mean) >= m)`` for m = 0..cutoff, from the pmf in logarithms (no underflow of
    e^-mean at large means) summed from the top so that small tails keep their precision."""
    log_mean = math.log(mean)
    pmf = [math.exp(-mean + j * log_mean - math.lgamma(j + 1)) for j in range(cutoff + 1)]
    tails = [0.0] * (cutoff + 1)
    running = 0.0
    for j in range(cutoff, -1, -1):
        running += pmf[j]
        tails[j] = running
    return [min(1.0, t) for t in tails]


@dataclass(frozen=True, slots=True)
class Staffing:
    """How many agents a queue needs, and what they achieve."""

    agents: int  # on the phones
    scheduled: int  # on the rota, after shrinkage: ceil(agents / (1 − shrinkage))
    service_level: float
    probability_of_waiting: float
    asa_seconds: float
    occupancy: float
    traffic: float
    model: str  # "erlang_c" | "erlang_a"
    probability_of_abandonment: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def agents_for(
    calls_per_hour: float,
    aht: float,
    target_sl: float,
    target_seconds: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    patience: float | None = None,
) -> Staffing:
    """The fewest agents meeting the service level (answered within ``target_seconds`` /
    offered) without going above ``max_occupancy``; Erlang A when ``patience`` is given."""
    _check(calls_per_hour, aht)
    if not 0.0 < target_sl < 1.0:
        raise ValueError("the target service level must be between 0 and 1 (exclusive)")
    if not math.isfinite(target_seconds) or target_seconds < 0:
        raise ValueError("the target must be a finite number of seconds >= 0")
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError("shrinkage must be in [0, 1)")
    if not 0.0 < max_occupancy <= 1.0:
        raise ValueError("the maximum occupancy must be in (0, 1]")
    if patience is not None and (not math.isfinite(patience) or patience <= 0):
        raise ValueError("patience must be a finite number of seconds > 0")
    load = traffic(calls_per_hour, aht)
    if load == 0:
        model = "erlang_c" if patience is None else "erlang_a"
        return Staffing(0, 0, 1.0, 0.0, 0.0, 0.0, 0.0, model)
    if patience is None:
        return _with_shrinkage(
            _erlang_c_staffing(calls_per_hour, aht, target_sl, target_seconds, max_occupancy), shrinkage
        )
    return _with_shrinkage(
        _erlang_a_staffing(calls_per_hour, aht, target_sl, target_seconds, max_occupancy, patience), shrinkage
    )


def _with_shrinkage(staffing: Staffing, shrinkage: float) -> Staffing:
    scheduled = math.ceil(staffing.agents / (1.0 - shrinkage) - 1e-9)
    return Staffing(
        agents=staffing.agents,
        scheduled=scheduled,
        service_level=staffing.service_level,
        probability_of_waiting=staffing.probability_of_waiting,
        asa_seconds=staffing.asa_seconds,
        occupancy=staffing.occupancy,
        traffic=staffing.traffic,
        model=staffing.model,
        probability_of_abandonment=staffing.probability_of_abandonment,
    )


def _erlang_c_staffing(
    calls_per_hour: float, aht: float, target_sl: float, target_seconds: float, max_occupancy: float
) -> Staffing:
    """Walk up from the smallest stable N, carrying Erlang B's recursion along (O(N) in all)."""
    load = traffic(calls_per_hour, aht)
    agents = math.floor(load) + 1
    blocking = erlang_b(load, agents)
    while True:
        wait = agents * blocking / (agents - load * (1.0 - blocking))
        sl = 1.0 - wait * math.exp(-(agents - load) * target_seconds / aht)
        if sl >= target_sl and load / agents <= max_occupancy + 1e-12:
            return Staffing(
                agents=agents,
                scheduled=agents,
                service_level=sl,
                probability_of_waiting=wait,
                asa_seconds=wait * aht / (agents - load),
                occupancy=load / agents,
                traffic=load,
                model="erlang_c",
            )
        agents += 1
        blocking = load * blocking / (agents + load * blocking)


def _erlang_a_staffing(
    calls_per_hour: float, aht: float, target_sl: float, target_seconds: float, max_occupancy: float, patience: float
) -> Staffing:
    """Service level and occupancy are monotone in N: double until met, then bisect."""
    load = traffic(calls_per_hour, aht)

    def good(agents: int) -> bool:
        figures = erlang_a(calls_per_hour, aht, agents, patience, target_seconds)
        return figures.service_level >= target_sl and figures.occupancy <= max_occupancy + 1e-12

    high = max(1, math.ceil(load))
    while not good(high):
        high *= 2
    low = 0  # never good: zero agents answer nobody
    while high - low > 1:
        middle = (low + high) // 2
        if good(middle):
            high = middle
        else:
            low = middle
    figures = erlang_a(calls_per_hour, aht, high, patience, target_seconds)
    return Staffing(
        agents=high,
        scheduled=high,
        service_level=figures.service_level,
        probability_of_waiting=figures.probability_of_waiting,
        asa_seconds=figures.asa_seconds,
        occupancy=figures.occupancy,
        traffic=load,
        model="erlang_a",
        probability_of_abandonment=figures.probability_of_abandonment,
    )
