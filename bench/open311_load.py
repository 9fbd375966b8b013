"""Load generator for Open311 GeoReport v2 (and the raw-SQL baseline), from a second process.

Open loop at a fixed rate (latency counted from the scheduled send time, so a slow server cannot
hide its queueing) or closed loop (``--rate 0``: each connection sends as fast as answers come back).
Request bodies are real Boston 311 requests (``DATA_DIR/boston-311-open311``).

    .venv/bin/python bench/open311_load.py post --port 8091 --rate 300 --duration 30 \\
        --api-key okn_... --jurisdiction bench-city
    .venv/bin/python bench/open311_load.py get --port 8091 --rate 10 --duration 20 --jurisdiction bench-city
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import json
import re
import statistics
import time
import urllib.parse
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "boston-311-open311"
HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


def boston_bodies(limit: int, services: list[str], api_key: str, jurisdiction: str) -> list[bytes]:
    """Form bodies from real Boston requests (rows without a description or with markup skipped)."""
    bodies: list[bytes] = []
    with gzip.open(DATA / "boston311_requests_2019-2020.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            description = (row["description"] or "").strip()
            if not description or HTML.search(description) or not row["lat"]:
                continue
            fields = {
                "api_key": api_key,
                "jurisdiction_id": jurisdiction,
                "service_code": services[hash(row["service_name"]) % len(services)],
                "description": description[:4000],
                "lat": row["lat"],
                "long": row["long"],
                "address_string": row["address"][:300],
            }
            if row["media_url"]:
                fields["media_url"] = row["media_url"][:200]
            bodies.append(urllib.parse.urlencode(fields).encode())
            if len(bodies) >= limit:
                break
    return bodies


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        close = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value.strip())
            elif name.lower() == b"connection" and value.strip().lower() == b"close":
                close = True
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.writer.close()
            self.writer = None
        return status, body


def build(method: str, path: str, host: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive", "Accept: */*"]
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def run(args: argparse.Namespace, requests: list[bytes]) -> dict[str, object]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    sizes: list[int] = []
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    start = time.perf_counter() + 0.2
    end = start + args.duration

    async def worker() -> None:
        conn = Connection(args.host, args.port)
        i = 0
        while True:
            if args.rate:
                item = await queue.get()
                if item is None or time.perf_counter() > end + args.grace:
                    return  # what is still queued after the grace period counts as not served
                index, scheduled = item
            else:
                now = time.perf_counter()
                if now >= end:
                    return
                index, scheduled = i, now
                i += 1
            raw = requests[index % len(requests)]
            try:
                status, body = await conn.request(raw)
            except (OSError, asyncio.IncompleteReadError) as exc:
                statuses[599] += 1
                conn.writer = None
                if args.verbose:
                    print("connection error", exc)
                continue
            done = time.perf_counter()
            statuses[status] += 1
            if status >= 400 and args.verbose:
                print(status, body[:300])
            if done <= end + 5:
                latencies.append((done - scheduled) * 1000)
                sizes.append(len(body))

    async def dispatcher() -> None:
        n = 0
        while True:
            scheduled = start + n / args.rate
            if scheduled >= end:
                break
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait((n, scheduled))
            n += 1
        for _ in range(args.connections):
            queue.put_nowait(None)

    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    tasks = [asyncio.create_task(worker()) for _ in range(args.connections)]
    if args.rate:
        tasks.append(asyncio.create_task(dispatcher()))
    began = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) if latencies else 0.0

    ok = sum(c for s, c in statuses.items() if s < 400)
    scheduled_total = int(args.duration * args.rate) if args.rate else sum(statuses.values())
    return {
        "not_served": max(0, scheduled_total - sum(statuses.values())),
        "mode": args.mode,
        "target_rate": args.rate or "closed loop",
        "connections": args.connections,
        "seconds": round(elapsed, 1),
        "completed": len(latencies),
        "throughput_rps": round(ok / elapsed, 1),
        "errors": {str(s): c for s, c in statuses.items() if s >= 400},
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1], 1) if latencies else 0.0,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        "mean_body_bytes": round(statistics.fmean(sizes)) if sizes else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["post", "get"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--path", default="/open311/v2/requests.json")
    parser.add_argument("--rate", type=float, default=300, help="requests per second; 0 = closed loop")
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--api-key", default="")
    parser.add_argument("--jurisdiction", default="bench-city")
    parser.add_argument("--services", default=",".join(f"bench-{i}" for i in range(10)))
    parser.add_argument("--query", default="", help="extra query string for get, e.g. status=open")
    parser.add_argument("--grace", type=float, default=10, help="seconds after the run to finish queued requests")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    host = f"{args.host}:{args.port}"
    if args.mode == "post":
        bodies = boston_bodies(20_000, args.services.split(","), args.api_key, args.jurisdiction)
        requests = [build("POST", args.path, host, b) for b in bodies]
    else:
        query = f"jurisdiction_id={args.jurisdiction}" + (f"&{args.query}" if args.query else "")
        requests = [build("GET", f"{args.path}?{query}", host)]
    result = asyncio.run(run(args, requests))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
