"""Command-line front of the simulator, kept in the engine (no Django) so that
``okienko telephony simulate …`` and the benchmark parse the same options.

    okienko telephony simulate --calls-per-hour 200 --hours 8 --agents 14 --aht 180 \\
        --target-seconds 20 --seed 1 [--patience 120] [--profile hours.json] [--warmup 3600] --json

Bad options end in ``SystemExit(2)`` with a message on stderr (argparse's way); the caller prints
the returned dict as JSON.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from okienko.telephony.engine import simulate


def _positive(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number > 0")
    return number


def _non_negative(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number >= 0")
    return number


def _agents(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: at least one agent")
    return number


def simulate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okienko telephony simulate",
        description="Simulate calls through the real ACD on a virtual clock and compare with Erlang C/A.",
    )
    parser.add_argument("--calls-per-hour", type=_positive, required=True, help="mean arrival rate")
    parser.add_argument("--hours", type=_positive, default=24.0, help="simulated hours (default 24)")
    parser.add_argument("--agents", type=_agents, required=True)
    parser.add_argument("--aht", type=_positive, required=True, help="mean handling time, seconds")
    parser.add_argument("--target-seconds", type=_non_negative, default=15.0, help="service level target")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--patience", type=_positive, default=None, help="callers' mean patience, seconds")
    parser.add_argument("--profile", default=None, help="JSON file: relative call volume per hour of day")
    parser.add_argument("--warmup", type=_non_negative, default=0.0, help="seconds left out of the figures")
    parser.add_argument("--json", action="store_true", help="print one JSON object (the only output format)")
    return parser


def _load_profile(parser: argparse.ArgumentParser, path: str) -> list[float]:
    try:
        with open(path, encoding="utf-8") as source:
            raw = json.load(source)
    except (OSError, ValueError) as exc:
        parser.error(f"--profile {path}: {exc}")
    if not isinstance(raw, list) or not raw or not all(isinstance(v, int | float) for v in raw):
        parser.error(f"--profile {path}: expected a JSON list of numbers (one per hour)")
    return [float(v) for v in raw]


def simulate_main(argv: list[str]) -> dict[str, Any]:
    """Parse ``argv`` (without the program name) and run the simulation."""
    parser = simulate_parser()
    args = parser.parse_args(argv)
    profile = _load_profile(parser, args.profile) if args.profile else None
    try:
        return simulate.run(
            calls_per_hour=args.calls_per_hour,
            hours=args.hours,
            agents=args.agents,
            aht=args.aht,
            target_seconds=args.target_seconds,
            seed=args.seed,
            patience=args.patience,
            profile=profile,
            warmup=args.warmup,
        )
    except ValueError as exc:
        parser.error(str(exc))
