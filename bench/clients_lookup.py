"""Time the desk's client lookup on the PostgreSQL benchmark database (load it with clients_load.py).

    .venv/bin/python bench/clients_lookup.py --lookups 500

Runs exactly what the desk search box runs — ``lookup_clients(Client.objects.visible_to(user)...)``
as the WUP-wide consultant ``konsultant.wup`` (memberships already loaded, as the middleware does
for every desk request) — for six kinds of query taken from random existing
clients: client number, phone (typed with spaces and +48), PESEL, surname prefix (5 letters, with
Polish letters), and a surname with two letters swapped. Prints p50/p95/max per kind in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench"


def _typo(surname: str, rng: random.Random) -> str:
    if len(surname) < 5:
        return surname + "a"
    i = rng.randint(2, len(surname) - 3)
    return surname[:i] + surname[i + 1] + surname[i] + surname[i + 2 :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--lookups", type=int, default=500, help="lookups per kind of query")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-seconds", type=int, default=600)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")  # as served in production: no query log
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-clients"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection

    from okienko.accounts.models import User
    from okienko.clients.models import Client, ClientContact
    from okienko.clients.search import lookup_clients

    rng = random.Random(args.seed)
    user = User.objects.get(username="konsultant.wup")
    total = Client.objects.count()
    max_id = Client.objects.order_by("-id").values_list("id", flat=True).first() or 0
    sample_ids = [rng.randint(1, max_id) for _ in range(args.lookups * 2)]
    visible = Client.objects.visible_to(user)
    sample = list(visible.filter(id__in=sample_ids, kind="person").exclude(pesel="")[: args.lookups])
    phones = dict(ClientContact.objects.filter(client__in=sample, kind="phone").values_list("client_id", "normalized"))

    def number(c: Client) -> str:
        return c.number.lower().replace("k000", "k")

    def phone(c: Client) -> str:
        digits = phones.get(c.pk)
        return f"+48 {digits[:3]} {digits[3:6]} {digits[6:]}" if digits else c.pesel

    kinds: dict[str, Callable[[Client], str]] = {
        "client number": number,
        "phone (+48 601 234 567)": phone,
        "PESEL": lambda c: c.pesel,
        "surname prefix (5 letters)": lambda c: c.last_name[:5],
        "surname + first name": lambda c: f"{c.last_name} {c.first_name}",
        "surname with a typo": lambda c: _typo(c.last_name, rng),
    }
    print(f"{total:,} clients; {len(sample)} sampled; user {user.username} ({connection.vendor})")
    print("| query | lookups | p50 ms | p95 ms | max ms | sampled client among the 20 shown |")
    print("|---|---|---|---|---|---|")
    deadline = time.monotonic() + args.max_seconds
    for label, make in kinds.items():
        times: list[float] = []
        hits = 0
        for client in sample:
            if time.monotonic() > deadline:
                break
            query = make(client)
            started = time.perf_counter()
            found = lookup_clients(Client.objects.visible_to(user).select_related("home_office"), query)
            times.append((time.perf_counter() - started) * 1000)
            hits += any(f.pk == client.pk for f in found)
        if not times:
            break
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"| {label} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | {times[-1]:.1f} "
            f"| {hits / len(times):.0%} |"
        )


if __name__ == "__main__":
    main()
