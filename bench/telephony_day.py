"""A simulated day at NYC 311's record volume through the real ACD, timed on one core.

    .venv/bin/python bench/telephony_day.py                      # 277,000 calls, 650 agents, 24 h
    .venv/bin/python bench/telephony_day.py --calls 27700 --agents 65 --hours 24   # a tenth of it

Flat arrivals over ``--hours`` (Poisson), exponential handling with mean ``--aht`` (180 s by
default: 277,000 × 180 / 86,400 = 577 Erlangs on 650 agents, 89 % occupancy), optional
exponential ``--patience``. Everything goes through ``okienko.telephony.engine.acd`` on the
virtual clock (``engine.simulate``); prints the wall time, the rate in calls per second and the
result (simulated figures beside Erlang C's) as JSON. Target: ≤ 120 s for the full day.
"""

from __future__ import annotations

import argparse
import json
import time

from okienko.telephony.engine import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=277_000, help="calls in the simulated period")
    parser.add_argument("--agents", type=int, default=650)
    parser.add_argument("--aht", type=float, default=180.0, help="mean handling time, seconds")
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--target-seconds", type=float, default=15.0)
    parser.add_argument("--patience", type=float, default=None, help="callers' mean patience, seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    calls_per_hour = args.calls / args.hours
    started = time.perf_counter()
    result = simulate.run(
        calls_per_hour=calls_per_hour,
        hours=args.hours,
        agents=args.agents,
        aht=args.aht,
        target_seconds=args.target_seconds,
        seed=args.seed,
        patience=args.patience,
    )
    wall = time.perf_counter() - started
    print(
        f"{result['calls']} calls, {args.agents} agents, {args.hours:g} h simulated in {wall:.1f} s wall "
        f"({result['calls'] / wall:,.0f} calls/s, {result['events'] / wall:,.0f} events/s)"
    )
    print(json.dumps({"wall_seconds": round(wall, 2), **result}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
