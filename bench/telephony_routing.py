"""ACD routing decisions: how long one decision takes with many agents and queues.

    .venv/bin/python bench/telephony_routing.py --agents 1000 --queues 100 --decisions 20000 --seed 1

Pure engine, virtual clock, no I/O. Each agent serves ``--per-agent`` random queues (penalty 0 in
the first, 1 or 2 in the others, so tiers matter); the queues cycle through the strategies. The
load is kept near saturation so both kinds of decision happen all the time:

- ``enqueue``: a call arrives (``ACD.enqueue``) — matched at once to an eligible available agent
  by the queue's strategy (``enqueue→offer``) or queued (``enqueue→wait``);
- ``release``: an agent ends a call (``ACD.complete``, no wrap-up) and becomes available — it
  takes the best call across its queues (``release→offer``) or stays idle (``release→idle``).

Phases of 1,000 decisions alternate: *fill* (calls pile up to ``--backlog`` waiting) and *drain*
(agents free up until a fifth is idle, then calls arrive to idle agents).

Each decision is timed on its own (``perf_counter_ns``); offers are answered outside the timed
part. Prints p50, p99 and max per kind and overall, and one line for ``docs/benchmarks.md``.
Target: p99 ≤ 1 ms with 1,000 agents and 100 queues.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time

from okienko.telephony.engine import events as ev
from okienko.telephony.engine.acd import ACD, QueueConfig
from okienko.telephony.engine.clock import VirtualClock
from okienko.telephony.engine.events import CallEvent

STRATEGIES = ["longest_idle", "fewest_calls", "least_talk_time", "round_robin", "random", "balanced"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--queues", type=int, default=100)
    parser.add_argument("--per-agent", type=int, default=5, help="queues each agent serves")
    parser.add_argument("--decisions", type=int, default=20000)
    parser.add_argument("--backlog", type=int, default=300, help="calls kept waiting (near saturation)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    clock = VirtualClock()
    offers: list[tuple[str, str]] = []
    connected: list[tuple[str, str]] = []

    def sink(event: CallEvent) -> None:
        if event.kind == ev.OFFER:
            offers.append((event.agent, event.call))

    acd = ACD(clock, random.Random(args.seed + 1), sink)
    codes = [f"q{n:03d}" for n in range(args.queues)]
    for index, code in enumerate(codes):
        acd.add_queue(
            QueueConfig(
                code,
                strategy=STRATEGIES[index % len(STRATEGIES)],
                wrap_up=0.0,
                ring_timeout=60.0,
                tier_step=5.0,
                overflow_when_no_agents=False,
            )
        )
    for number in range(args.agents):
        chosen = rng.sample(codes, min(args.per_agent, len(codes)))
        acd.login(f"a{number:04d}", {code: (0 if i == 0 else rng.choice((1, 2))) for i, code in enumerate(chosen)})

    timings: dict[str, list[float]] = {"enqueue→offer": [], "enqueue→wait": [], "release→offer": [], "release→idle": []}
    waiting = 0
    counter = 0

    def settle() -> None:
        """Answer every pending offer (outside the timed part)."""
        while offers:
            agent, call = offers.pop()
            if acd.answer(agent, call):
                connected.append((agent, call))

    for step in range(args.decisions):
        # phases of 1,000 decisions: fill (calls pile up to the backlog) and drain (agents free)
        filling = (step // 1000) % 2 == 0
        idle = args.agents - len(connected)
        if not connected or (waiting < args.backlog if filling else waiting == 0 and idle >= args.agents // 5):
            counter += 1
            call = f"c{counter}"
            started = time.perf_counter_ns()
            acd.enqueue(call, rng.choice(codes), priority=rng.choice((0, 0, 0, 1)))
            elapsed = (time.perf_counter_ns() - started) / 1e6
            timings["enqueue→offer" if offers else "enqueue→wait"].append(elapsed)
        else:
            agent, call = connected.pop(rng.randrange(len(connected)))
            started = time.perf_counter_ns()
            acd.complete(agent, call)
            elapsed = (time.perf_counter_ns() - started) / 1e6
            timings["release→offer" if offers else "release→idle"].append(elapsed)
        settle()
        clock.advance(0.05)  # tiers widen; timers run outside the timed part
        settle()
        waiting = len(acd._calls) - len(connected)

    everything = [value for values in timings.values() for value in values]
    for name, values in (*timings.items(), ("all", everything)):
        if values:
            print(
                f"{name:14} n={len(values):6d}  p50={statistics.median(values):.3f} ms  "
                f"p99={percentile(values, 0.99):.3f} ms  max={max(values):.3f} ms"
            )
    print(
        f"docs: ACD routing decision, {args.agents} agents × {args.queues} queues ({args.per_agent} each), "
        f"{len(everything)} decisions: p50 {statistics.median(everything):.3f} ms, "
        f"p99 {percentile(everything, 0.99):.3f} ms, max {max(everything):.3f} ms "
        f"(Python {platform.python_version()}, seed {args.seed})"
    )


if __name__ == "__main__":
    main()
