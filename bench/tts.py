"""Prompt speech: how long a 20-word Polish sentence takes to speak (espeak-ng to WAV, then sox
to 8 kHz — and 16 kHz, which ``audio.synthesise`` renders in the same go) when it is not cached,
and how long a cached prompt takes to find.

    .venv/bin/python bench/tts.py --runs 30

Each cold run empties the cache folder first (a temporary ``OKIENKO_VAR_DIR``), so espeak-ng and
sox run every time; each warm run asks for the same sentence again. Prints median, p95 and max
of both and one line for ``docs/benchmarks.md``. Target: cold p95 ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

SENTENCE = (
    "Dzień dobry, dodzwonili się Państwo do Powiatowego Urzędu Pracy w Białymstoku, "
    "wszyscy konsultanci są teraz zajęci, prosimy pozostać na linii."
)


def _stats(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="okienko-bench-tts-"))
    os.environ["OKIENKO_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from okienko.telephony import audio

    missing = audio.tools_missing()
    if missing:
        raise SystemExit(f"not installed: {', '.join(missing)}")
    words = len(SENTENCE.split())
    cold, warm = [], []
    try:
        for _run in range(args.runs):
            shutil.rmtree(audio.tts_dir(), ignore_errors=True)
            start = time.perf_counter()
            path = audio.synthesise(SENTENCE, sample_rate=8000)
            cold.append((time.perf_counter() - start) * 1000)
        seconds = audio.wav_seconds(path.read_bytes())
        for _run in range(args.runs * 10):
            start = time.perf_counter()
            audio.synthesise(SENTENCE, sample_rate=8000)
            warm.append((time.perf_counter() - start) * 1000)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(
        f"{words} words, {seconds:.1f} s of speech; {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(f"cold (espeak-ng + sox to 8 and 16 kHz), {args.runs} runs: {_stats(cold)}")
    print(f"cached, {len(warm)} lookups: {_stats(warm)}")


if __name__ == "__main__":
    main()
