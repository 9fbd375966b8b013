"""KZiS occupation suggestions (issue 19 item 3, ADR 0064): accuracy by 5-fold cross-validation
and the latency of ``suggest()``.

    .venv/bin/python bench/kzis_classifier.py [--folds 5] [--latency-n 2000]

Accuracy: the 9,963 hand-coded ads with a valid code (../shared/data/pl-job-ads-kzis), split into
5 folds stratified by code where a code has enough ads (StratifiedGroupKFold), with identical ad
texts grouped so that the same text never sits in training and test; each fold's model is trained
exactly as ``tools/train_kzis.py`` trains the shipped one (ads of the other folds + the KZiS/GUS/
ESCO titles, the same pruning) and scored with the package's own numpy code. Top-1 and top-3 at
the 6-, 4- and 1-digit levels: a top-3 hit at 4 digits is any of the 3 suggested occupations in
the right 4-digit group. Latency: the shipped model, ``suggest(title, description, k=3)`` one
offer at a time over real ads (title + full description), one process; wall clock and the
thread's CPU time (the latter shows the cost without the other processes of a shared machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "src"))

import train_kzis  # noqa: E402

from okienko.jobs import classifier  # noqa: E402

LEVELS = (6, 4, 1)


def hits(model: classifier.Model, docs: list[train_kzis.Doc]) -> dict[str, float]:
    counts = dict.fromkeys((f"top{k}@{n}" for n in LEVELS for k in (1, 3)), 0)
    for d in docs:
        codes = [s.code for s in model.suggest(d.title, d.description, 3)]
        for n in LEVELS:
            truth = d.code[:n]
            counts[f"top1@{n}"] += bool(codes) and codes[0][:n] == truth
            counts[f"top3@{n}"] += any(c[:n] == truth for c in codes)
    return {key: value / len(docs) for key, value in counts.items()}


def cross_validate(folds: int) -> dict[str, float]:
    from sklearn.model_selection import StratifiedGroupKFold

    ads, coder_names = train_kzis.load_ads()
    names = {**coder_names, **train_kzis.load_names()}
    extra = train_kzis.load_extra_titles()
    codes = np.array([d.code for d in ads])
    groups = np.array([d.group for d in ads])
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=19)
    results = []
    for i, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(ads)), codes, groups), 1):
        started = time.perf_counter()
        train = [ads[j] for j in train_idx]
        test = [ads[j] for j in test_idx]
        assert not {d.group for d in train} & {d.group for d in test}
        model = train_kzis.fit(train + extra, names)
        fold = hits(model, test)
        results.append(fold)
        unseen = np.mean([d.code not in set(model.codes) for d in test])
        print(
            f"fold {i}: train {len(train)} test {len(test)} (code unseen in training {unseen:.1%}) "
            + " ".join(f"{k} {v:.3f}" for k, v in fold.items())
            + f"  {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    return {key: statistics.mean(r[key] for r in results) for key in results[0]} | {
        f"sd {key}": statistics.stdev(r[key] for r in results) for key in results[0]
    }


def latency(n: int) -> dict[str, float]:
    ads, _ = train_kzis.load_ads()
    rng = np.random.default_rng(7)
    sample = [ads[i] for i in rng.choice(len(ads), size=min(n, len(ads)), replace=False)]
    started = time.perf_counter()
    classifier.reset_model()
    classifier.get_model()
    load = time.perf_counter() - started
    times, cpu = [], []
    for d in sample:
        t, c = time.perf_counter(), time.thread_time()
        classifier.suggest(d.title, d.description, 3)
        cpu.append(time.thread_time() - c)
        times.append(time.perf_counter() - t)
    times.sort()
    cpu.sort()
    return {
        "cpu_p50_ms": 1000 * cpu[len(cpu) // 2],
        "cpu_p95_ms": 1000 * cpu[int(len(cpu) * 0.95)],
        "load_s": load,
        "p50_ms": 1000 * times[len(times) // 2],
        "p95_ms": 1000 * times[int(len(times) * 0.95)],
        "max_ms": 1000 * times[-1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="KZiS classifier: cross-validated accuracy and latency")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--latency-n", type=int, default=2000)
    parser.add_argument("--skip-cv", action="store_true")
    args = parser.parse_args()
    if not args.skip_cv:
        summary = cross_validate(args.folds)
        print("mean over folds:")
        for n in LEVELS:
            print(
                f"  {n} digit(s): top-1 {summary[f'top1@{n}']:.3f} (± {summary[f'sd top1@{n}']:.3f}), "
                f"top-3 {summary[f'top3@{n}']:.3f} (± {summary[f'sd top3@{n}']:.3f})"
            )
    files = [classifier.model.MODEL_FILE, classifier.model.META_FILE, classifier.model.NAMES_FILE]
    size = sum(f.stat().st_size for f in files if f.exists())
    lat = latency(args.latency_n)
    print(
        f"shipped model {size / 1e6:.2f} MB; load {lat['load_s']:.2f} s; suggest() per offer "
        f"p50 {lat['p50_ms']:.2f} ms, p95 {lat['p95_ms']:.2f} ms, max {lat['max_ms']:.1f} ms "
        f"(CPU time of the thread: p50 {lat['cpu_p50_ms']:.2f} ms, p95 {lat['cpu_p95_ms']:.2f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
