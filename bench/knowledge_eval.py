"""Search quality of the knowledge base: Recall@1, Recall@5 and MRR on the Polish evaluation sets.

    .venv/bin/python bench/knowledge_eval.py --database-url sqlite:////tmp/kb_eval.sqlite3
    .venv/bin/python bench/knowledge_eval.py --database-url postgres://postgres@127.0.0.1:5432/okienko_kb_bench

Builds a fresh database (migrate + the accounts, catalogue and knowledge demo data = the labour
office's FAQ and the Łódź answers, linked to their catalogue services), then for each analyser
rebuilds the index and runs every query of the sets in ``bench/data/knowledge_eval*.jsonl`` over
all live articles (the staff view). A query counts as
found at rank k when any of its relevant slugs is among the first k results.
Sets: ``project`` (``knowledge_eval.jsonl``, 226 queries written with the search) and
``residents-2026-12`` (``knowledge_eval_residents.jsonl``, written as residents and job seekers
type, before the search was tuned for them — issue 11 item 10); figures are printed per set and
for all of them together (``--sets`` picks some). ``heldout-2026-12``
(``knowledge_eval_heldout.jsonl``, 52 queries) was written after the tuning and committed before
it was first run, to see how much of the gain carries over to questions the tuning never saw.
Configurations: ``plain`` (folded words only, no synonyms, no typo correction: the unstemmed
baseline), ``snowball`` and ``morfeusz`` (each with synonyms and typo correction), and
``morfeusz-bare`` (lemmas, without synonyms and typo correction).
``--rankings FILE`` writes every query's top-5 so two backends can be compared (``--compare``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "knowledge_eval.jsonl"
SETS = {
    "project": ROOT / "bench" / "data" / "knowledge_eval.jsonl",
    "residents-2026-12": ROOT / "bench" / "data" / "knowledge_eval_residents.jsonl",
    "heldout-2026-12": ROOT / "bench" / "data" / "knowledge_eval_heldout.jsonl",
}
# The widened evaluation set of issue 11 (item 10); ``heldout-2026-12`` only on request.
DEFAULT_SETS = ["project", "residents-2026-12"]


def load_queries(sets: list[str]) -> list[dict[str, Any]]:
    queries = []
    for name in sets:
        for line in SETS[name].read_text(encoding="utf-8").splitlines():
            if line.strip():
                queries.append({"set": name} | json.loads(line))
    return queries


CONFIGS = [
    ("plain", "plain", False),
    ("snowball", "snowball", True),
    ("morfeusz-bare", "morfeusz", False),
    ("morfeusz", "morfeusz", True),
]


def setup(database_url: str, *, fresh: bool = True) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")  # as served in production: no query log
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-knowledge"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    sys.path.insert(0, str(ROOT / "src"))
    if not fresh:
        pass
    elif database_url.startswith("postgres"):
        import psycopg

        base, name = database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not fresh:
        return
    call_command("demo", only=["accounts", "catalogue", "knowledge"], stdout=open(os.devnull, "w"))  # noqa: SIM115


def evaluate(
    queries: list[dict[str, Any]], analyser_name: str, expand: bool
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    from django.db import transaction

    from okienko.knowledge.models import Article
    from okienko.knowledge.search import rebuild, search
    from okienko.knowledge.search.analysis import get_analyser

    analyser = get_analyser(analyser_name)
    with transaction.atomic():
        rebuild(analyser=analyser)
    scope = Article.objects.live()
    ranks: list[int | None] = []
    by_category: dict[str, list[int | None]] = defaultdict(list)
    by_set: dict[str, list[int | None]] = defaultdict(list)
    rankings: dict[str, list[str]] = {}
    misses: list[str] = []
    started = time.perf_counter()
    for q in queries:
        results = search(q["query"], scope=scope, analyser=analyser, expand=expand, limit=10)
        slugs = [r.article.slug for r in results.results]
        rankings[q["query"]] = slugs[:5]
        rank = next((i + 1 for i, s in enumerate(slugs) if s in q["relevant"]), None)
        ranks.append(rank)
        by_category[f"{q['set']}: {q['category']}"].append(rank)
        by_set[q["set"]].append(rank)
        if rank is None or rank > 5:
            misses.append(f"{q['query']!r} → {slugs[:3]} (want {q['relevant'][0]})")
    elapsed = time.perf_counter() - started

    def metrics(rs: list[int | None]) -> dict[str, float]:
        n = len(rs)
        return {
            "n": n,
            "R@1": sum(1 for r in rs if r == 1) / n,
            "R@5": sum(1 for r in rs if r is not None and r <= 5) / n,
            "MRR": sum(1 / r for r in rs if r is not None) / n,
        }

    summary = metrics(ranks) | {
        "mean_ms": 1000 * elapsed / len(queries),
        "categories": {c: metrics(rs) for c, rs in sorted(by_category.items())},
        "sets": {name: metrics(rs) for name, rs in by_set.items()},
        "misses": misses,
    }
    return summary, rankings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:////tmp/kb_eval.sqlite3")
    parser.add_argument("--configs", nargs="*", default=[c[0] for c in CONFIGS])
    parser.add_argument("--rankings", type=Path, help="write top-5 per query (morfeusz config) to this JSON file")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="compare two rankings files")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--sets", nargs="*", default=DEFAULT_SETS, choices=list(SETS))
    args = parser.parse_args()
    if args.compare:
        a, b = (json.loads(p.read_text()) for p in args.compare)
        same_top1 = sum(1 for q in a if a[q][:1] == b.get(q, [])[:1])
        same_top5 = sum(1 for q in a if set(a[q]) == set(b.get(q, [])))
        same_order = sum(1 for q in a if a[q] == b.get(q))
        print(f"queries {len(a)}: same top-1 {same_top1}, same top-5 set {same_top5}, identical top-5 {same_order}")
        return
    setup(args.database_url)
    queries = load_queries(args.sets)
    from django.db import connection

    print(f"backend: {connection.vendor}, queries: {len(queries)}")
    print(f"{'config':<14} {'R@1':>6} {'R@5':>6} {'MRR':>6} {'ms/q':>6}")
    for name, analyser_name, expand in CONFIGS:
        if name not in args.configs:
            continue
        summary, rankings = evaluate(queries, analyser_name, expand)
        print(f"{name:<14} {summary['R@1']:6.3f} {summary['R@5']:6.3f} {summary['MRR']:6.3f} {summary['mean_ms']:6.1f}")
        for set_name, m in summary["sets"].items():
            print(f"  set {set_name:<18} n={m['n']:<4} R@1 {m['R@1']:.3f} R@5 {m['R@5']:.3f} MRR {m['MRR']:.3f}")
        for category, m in summary["categories"].items():
            print(f"    {category:<32} n={m['n']:<4} R@1 {m['R@1']:.3f} R@5 {m['R@5']:.3f} MRR {m['MRR']:.3f}")
        if args.show_misses:
            for miss in summary["misses"]:
                print("      miss:", miss)
        if args.rankings and name == "morfeusz":
            args.rankings.write_text(json.dumps(rankings, ensure_ascii=False, indent=0))


if __name__ == "__main__":
    main()
