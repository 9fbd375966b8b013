"""Open311 benchmark on PostgreSQL: intake rate and latency, listing latency, raw-SQL baseline.

    .venv/bin/python bench/open311_bench.py --workers 3 --rate 300 --duration 30

Uses the ``okienko_bench`` database (cases loaded by ``bench/cases_load.py`` into the jurisdiction
``bench-city``), migrates it (adds nothing else), issues a benchmark api_key, serves the app with
uvicorn on 127.0.0.1 with the intake worker beside it (``okienko open311_intake --loop``; the
intake mode is ``--intake``, default adaptive as in production, ADR 0040) and drives it from a
second process (``bench/open311_load.py``). After the fixed-rate phase it waits for the intake
queue to empty and reports how fast queued requests became cases. Every phase
is bounded in time; the servers this script starts are stopped by their process ids.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")
BENCH_KEY = "okn_bench0311_open311-benchmark-key"


def environment(url: str, intake: str = "adaptive") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        OKIENKO_OPEN311_INTAKE=intake,
        DATABASE_URL=url,
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        OKIENKO_PROFILE="dev",
        OKIENKO_DEBUG="false",
        OKIENKO_LOG_LEVEL="WARNING",
        OKIENKO_VAR_DIR=str(ROOT / "var" / "bench-open311"),
        DJANGO_SETTINGS_MODULE="okienko.conf.settings",
    )
    return env


def prepare(url: str) -> dict[str, Any]:
    os.environ.update(environment(url))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from okienko.accounts.models import Organisation
    from okienko.api.actions import issue_api_token
    from okienko.api.models import ApiToken
    from okienko.cases.models import Case
    from okienko.core import events

    call_command("migrate", verbosity=0)
    city = Organisation.objects.get(code="bench-city")
    if not ApiToken.objects.filter(prefix="bench0311").exists():
        issue_api_token(
            actor=None,
            organisation=city,
            name="Open311 benchmark",
            scopes=["open311:write"],
            rate_limit=10_000_000,
            secret=BENCH_KEY,
        )
    return {
        "cases_in_bench_city": Case.objects.filter(organisation=city).count(),
        "outbox_subscribers_case_created": [s.name for s in events.subscribers_for("case.created")],
    }


def serve(args: argparse.Namespace, app: list[str], port: int) -> subprocess.Popen[bytes]:
    command = [UVICORN, *app, "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
    command += ["--no-access-log", "--log-level", "warning", "--no-server-header", "--no-proxy-headers"]
    process = subprocess.Popen(command, cwd=ROOT, env=environment(args.database_url, args.intake))
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/open311/v2/discovery.json", timeout=2)
            return process
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error means the server answers
                return process
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("server did not start")


def load(port: int, mode: str, rate: float, duration: float, connections: int, extra: list[str] | None = None) -> Any:
    command = [PY, str(ROOT / "bench" / "open311_load.py"), mode, "--port", str(port), "--rate", str(rate)]
    command += ["--duration", str(duration), "--connections", str(connections), "--api-key", BENCH_KEY]
    out = subprocess.run(command + (extra or []), capture_output=True, text=True, timeout=duration + 120)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def intake_worker(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """The dedicated intake worker (``okienko open311_intake --loop``), bounded in time."""
    command = [PY, "-m", "okienko.manage", "open311_intake", "--loop", "--max-seconds", str(args.drain_timeout + 300)]
    command += ["--nice", str(args.worker_nice)]
    return subprocess.Popen(
        command, cwd=ROOT, env=environment(args.database_url, args.intake), stdout=subprocess.DEVNULL
    )


def queue_counts() -> dict[str, int]:
    from django.db.models import Count

    from okienko.integrations.open311.models import Open311Intake

    rows = Open311Intake.objects.values("state").annotate(n=Count("id"))
    return {r["state"]: r["n"] for r in rows}


def wait_for_drain(
    before: dict[str, int], started: float, timeout: float, after_load: tuple[dict[str, int], float] | None = None
) -> dict[str, Any]:
    """Poll the intake queue until it is empty (bounded); report how fast cases were opened, from
    the start of the load and (``after_load``: the counts and time when the load stopped) once the
    worker no longer yields to the intake."""
    deadline = time.monotonic() + timeout
    counts = queue_counts()
    while counts.get("queued", 0) and time.monotonic() < deadline:
        time.sleep(0.2)
        counts = queue_counts()
    finished = time.monotonic()
    elapsed = finished - started

    def handled(since: dict[str, int]) -> int:
        return sum(counts.get(k, 0) - since.get(k, 0) for k in ("opened", "rejected"))

    result = {
        "queued_requests": sum(counts.values()) - sum(before.values()),
        "opened": counts.get("opened", 0) - before.get("opened", 0),
        "rejected": counts.get("rejected", 0) - before.get("rejected", 0),
        "still_queued": counts.get("queued", 0),
        "seconds_from_load_start_to_empty": round(elapsed, 1),
        "drain_rate_per_s": round(handled(before) / elapsed, 1) if elapsed else None,
    }
    if after_load is not None and finished > after_load[1]:
        result["drain_rate_after_load_per_s"] = round(handled(after_load[0]) / (finished - after_load[1]), 1)
    return result


def delete_raw_receipts() -> None:
    from okienko.integrations.open311.models import Open311Intake

    Open311Intake.objects.filter(state="rawsql").delete()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/okienko_bench")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--get-rate", type=float, default=10)
    parser.add_argument("--get-duration", type=float, default=20)
    parser.add_argument("--max-duration", type=float, default=15, help="closed-loop runs for the raw-SQL ratio")
    parser.add_argument("--asgi", action="store_true", help="serve Django through its ASGI handler")
    parser.add_argument("--intake", default="adaptive", choices=["immediate", "queued", "adaptive"])
    parser.add_argument(
        "--drain-after", action="store_true", help="start the intake worker only after the fixed-rate phase"
    )
    parser.add_argument("--worker-nice", type=int, default=10, help="CPU priority offset of the intake worker")
    parser.add_argument("--drain-timeout", type=float, default=600, help="wait at most this long for the queue")
    parser.add_argument("--skip", default="", help="comma list of phases to skip: post,get,ratio")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    results: dict[str, Any] = {"setup": prepare(args.database_url), "workers": args.workers}
    # Django's ASGI handler runs each request in a new thread, and every thread keeps its own database
    # connection (CONN_MAX_AGE), which exhausts PostgreSQL under 64 concurrent clients; the WSGI interface
    # of uvicorn runs the same Django app on a fixed pool of threads (ADR 0034).
    app = ["okienko.conf.asgi:application"] if args.asgi else ["--interface", "wsgi", "okienko.conf.wsgi:application"]
    server = serve(args, app, args.port)
    posting = not {"post", "ratio"} <= skip
    worker = intake_worker(args) if posting else None
    try:
        if posting:
            load(args.port, "post", 0, 5, 8)  # warm-up
        else:
            load(args.port, "get", 10, 5, 4)  # warm-up without adding receipts for a worker to open
        if "post" not in skip:
            wait_for_drain({}, time.monotonic(), args.drain_timeout)  # start from an empty queue
            if args.drain_after and worker is not None:
                stop(worker)
                worker = None
            before, started = queue_counts(), time.monotonic()
            results["post_fixed_rate"] = load(args.port, "post", args.rate, args.duration, args.connections)
            if worker is None:
                worker = intake_worker(args)  # --drain-after: cases are opened after the burst
            results["post_intake_queue"] = wait_for_drain(before, started, args.drain_timeout)
        if "get" not in skip:
            results["get_1000"] = load(args.port, "get", args.get_rate, args.get_duration, 4)
        if "ratio" not in skip:
            before, started = queue_counts(), time.monotonic()
            results["post_max_django"] = load(args.port, "post", 0, args.max_duration, args.workers * 4)
            after_load = (queue_counts(), time.monotonic())
            results["post_max_intake_queue"] = wait_for_drain(before, started, args.drain_timeout, after_load)
    finally:
        stop(server)
        if worker is not None:
            stop(worker)
    if "ratio" not in skip:
        for raw_mode in ("receipt", "case"):
            os.environ["RAWSQL_MODE"] = raw_mode
            raw = serve(args, ["--app-dir", "bench", "open311_rawsql_app:app"], args.port + 1)
            try:
                load(args.port + 1, "post", 0, 5, 8)
                results[f"post_max_raw_sql_{raw_mode}"] = load(
                    args.port + 1, "post", 0, args.max_duration, args.workers * 4
                )
            finally:
                stop(raw)
        delete_raw_receipts()
        django_rps = results["post_max_django"]["throughput_rps"]
        receipt_rps = results["post_max_raw_sql_receipt"]["throughput_rps"]
        case_rps = results["post_max_raw_sql_case"]["throughput_rps"]
        # The same work on both sides: accepting a request (receipt), and opening its case.
        results["django_to_raw_sql_ratio_accept"] = round(django_rps / receipt_rps, 2) if receipt_rps else None
        queue_result = results.get("post_intake_queue", results.get("post_max_intake_queue", {}))
        drained = queue_result.get("drain_rate_per_s")
        results["django_to_raw_sql_ratio_case_opening"] = round(drained / case_rps, 2) if drained and case_rps else None
        # the worker's own pace, once it no longer yields the cores to the intake burst
        unpaced = queue_result.get("drain_rate_after_load_per_s")
        results["django_to_raw_sql_ratio_case_opening_after_load"] = (
            round(unpaced / case_rps, 2) if unpaced and case_rps else None
        )
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
