"""IVR flow validation: how long ``validate_flow`` takes on a large flow (the editor checks the
whole flow on every "check", save and publication).

    .venv/bin/python bench/ivr_validate.py --nodes 200 --runs 200 --seed 1

Builds a valid flow of ``--nodes`` nodes — menus of up to nine options, conditions of every kind,
collects, authentications, plays and callbacks, ending in queues, transfers, voicemail and hang-ups
— where every node is reachable and menus loop back (so the loop check has cycles to look at),
then times ``validate_flow`` ``--runs`` times (each alone, ``perf_counter``). Prints the median, p95
and max and one line for ``docs/benchmarks.md``. Target: p95 ≤ 100 ms for 200 nodes. Pure Python,
no database.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from typing import Any

from okienko.telephony.engine.ivr import validate_flow

ENDINGS = ("enqueue", "transfer", "voicemail", "hangup")
MIDDLE = ("menu", "condition", "collect", "authenticate", "play", "callback")


def _ending(kind: str, i: int) -> dict[str, Any]:
    if kind == "enqueue":
        return {"type": "enqueue", "queue": f"tel-q{i % 17}", "priority": i % 10, "skills": ["ogolne"]}
    if kind == "transfer":
        return {"type": "transfer", "number": f"48{600000000 + i}"}
    if kind == "voicemail":
        return {"type": "voicemail", "box": "{office}", "text": "Zostaw wiadomość po sygnale."}
    return {"type": "hangup", "text": "Do widzenia."}


def build(nodes: int, seed: int) -> dict[str, Any]:
    """A flow of ``nodes`` nodes: a tree of decision nodes (built breadth first, so all are
    reachable) whose free exits lead to ending nodes; some menu options loop back up."""
    rng = random.Random(seed)
    endings = max(4, nodes // 4)
    middle = nodes - endings
    ids = [f"n{i}" for i in range(middle)]
    ends = [f"end{i}" for i in range(endings)]
    flow: dict[str, Any] = {"start": ids[0], "default_office": "pup-a", "nodes": {}}
    children: dict[int, list[str]] = {i: [] for i in range(middle)}
    for i in range(1, middle):  # each node hangs below an earlier one
        children[rng.randrange(max(1, i - 5), i) if i > 5 else i - 1].append(ids[i])

    def exit_of(i: int, k: int) -> str:
        own = children[i]
        return own[k] if k < len(own) else ends[(i * 7 + k) % endings]

    for i, node_id in enumerate(ids):
        own = len(children[i])
        # A node has as many exits as children: menus for more than two, then two-way nodes.
        kind = "menu" if own > 2 else MIDDLE[i % (4 if own == 2 else len(MIDDLE))]
        if kind == "menu":
            count = max(len(children[i]), 2)
            options = {str((k + 1) % 10): exit_of(i, k) for k in range(min(count, 9))}
            if i and rng.random() < 0.3:
                options["9"] = ids[rng.randrange(0, i)]  # back to an earlier menu: a cycle with exits
            node = {
                "type": "menu",
                "text": f"Menu {i}.",
                "options": options,
                "retries": 2,
                "on_fail": ends[i % endings],
            }
        elif kind == "condition":
            tests: list[dict[str, Any]] = [
                {"office_open": "{office}"},
                {"holiday": True},
                {"queue_waiting_over": [f"tel-q{i % 17}", 5]},
                {"queue_agents_available": f"tel-q{i % 17}"},
                {"authenticated": True},
            ]
            node = {"type": "condition", "test": tests[i % 5], "then": exit_of(i, 0), "else": exit_of(i, 1)}
        elif kind == "collect":
            node = {
                "type": "collect",
                "text": "Podaj numer.",
                "var": f"v{i}",
                "min": 1,
                "max": 10,
                "next": exit_of(i, 0),
            }
            node["on_fail"] = exit_of(i, 1)
        elif kind == "authenticate":
            node = {"type": "authenticate", "text_number": "Numer klienta?", "text_pin": "PIN?", "next": exit_of(i, 0)}
            node["on_fail"] = exit_of(i, 1)
        elif kind == "callback":
            node = {"type": "callback", "text": "Oddzwonimy.", "next": exit_of(i, 0)}
        else:
            node = {"type": "play", "text": f"Komunikat {i}.", "next": exit_of(i, 0)}
        flow["nodes"][node_id] = node
    for k, end_id in enumerate(ends):
        flow["nodes"][end_id] = _ending(ENDINGS[k % len(ENDINGS)], k)
    return flow


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    flow = build(args.nodes, args.seed)
    problems = validate_flow(flow)
    kinds: dict[str, int] = {}
    for node in flow["nodes"].values():
        kinds[node["type"]] = kinds.get(node["type"], 0) + 1
    print(f"flow: {len(flow['nodes'])} nodes {dict(sorted(kinds.items()))}; problems: {len(problems)}")
    for problem in problems[:5]:
        print("  ", problem)
    timings = []
    for _ in range(args.runs):
        began = time.perf_counter()
        validate_flow(flow)
        timings.append((time.perf_counter() - began) * 1000)
    median, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(f"validate_flow x{args.runs}: median {median:.2f} ms, p95 {p95:.2f} ms, max {max(timings):.2f} ms")
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(
        f"| `validate_flow`, {len(flow['nodes'])}-node flow | `.venv/bin/python bench/ivr_validate.py --nodes "
        f"{args.nodes} --runs {args.runs} --seed {args.seed}` | p95 ≤ 100 ms | **p95 {p95:.1f} ms** "
        f"(median {median:.1f}, max {max(timings):.1f}) |"
    )


if __name__ == "__main__":
    main()
