"""Bulk-load clients (with phones and e-mails) into the PostgreSQL benchmark database with COPY.

    .venv/bin/python bench/clients_load.py --count 1000000
    .venv/bin/python bench/clients_load.py --count 100000 --database-url postgres://postgres@127.0.0.1:5432/okienko_bench

Creates the database if it is missing, migrates it and loads the demo organisations (never drops
anything: other engineers load cases into the same database). Generates realistic Polish people
(valid PESEL, normalised search columns exactly as ``clients.search`` writes them) spread over the
14 Podlaskie county offices and Łódź, and appends them after the existing clients, continuing the
client-number counter, then fills the surname dictionary (``ClientNameWord``) used for typos.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

from benchlib import ensure_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench"
BATCH = 50_000
CLIENT_COLUMNS = (
    "id, uuid, number, kind, status, first_name, last_name, organisation_name, pesel, nip, birth_date, "
    "home_office_id, street, postal_code, city, gmina_id, pin_hash, pin_set_at, notes, search_name, search_text, "
    "merged_into_id, created_at, updated_at"
)
CONTACT_COLUMNS = "client_id, kind, value, normalized, label, is_primary"


def prepare(url: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "OKIENKO_PROFILE": "dev",
        "OKIENKO_VAR_DIR": str(ROOT / "var" / "bench-clients"),
    }
    python = sys.executable
    subprocess.run([python, "-m", "okienko.manage", "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    subprocess.run(
        [python, "-m", "okienko.manage", "demo", "--once", "--only", "accounts"], check=True, env=env, cwd=ROOT
    )


def _tsv(value: object) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seconds", type=int, default=1800, help="stop adding batches after this long")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    ensure_database(args.database_url)
    started = time.monotonic()
    prepare(args.database_url)
    print(f"migrated and loaded organisations in {time.monotonic() - started:.1f} s")

    import django
    import psycopg

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")  # as served in production: no query log
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-clients"))
    django.setup()
    from okienko.clients import demo, identifiers
    from okienko.clients.search import fold, format_number

    rng = random.Random(args.seed)
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        offices = conn.execute(
            "SELECT o.id, coalesce(min(l.postal_code), ''), array_agg(DISTINCT t.code) FROM accounts_organisation o "
            "JOIN accounts_organisation_territory ot ON ot.organisation_id = o.id "
            "JOIN accounts_territorialunit t ON t.code = ot.territorialunit_id "
            "LEFT JOIN accounts_location l ON l.organisation_id = o.id "
            "WHERE o.code LIKE 'pup-%%' OR o.code = 'lodz-ckzm' GROUP BY o.id"
        ).fetchall()
        gminy: dict[int, list[tuple[str, str]]] = {}
        for office_id, _postal, prefixes in offices:
            rows = conn.execute(
                "SELECT code, name FROM accounts_territorialunit WHERE kind = 'gmina' "
                "AND right(code, 1) IN ('1','2','3') AND left(code, 4) = ANY(%s)",
                [list(prefixes)],
            ).fetchall()
            gminy[office_id] = rows or [("", "")]
        next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM clients_client").fetchone()[0]  # type: ignore[index]
        counter = conn.execute("SELECT last_value FROM clients_clientnumbercounter WHERE prefix = 'K'").fetchone()
        next_number = (counter[0] if counter else 0) + 1
        conn.execute("DROP INDEX IF EXISTS client_search_name_trgm")  # from an early version of this loader
        now = dt.datetime.now(dt.UTC).isoformat()
        loaded = 0
        load_started = time.monotonic()
        while loaded < args.count and time.monotonic() - load_started < args.max_seconds:
            size = min(BATCH, args.count - loaded)
            clients, contacts = io.StringIO(), io.StringIO()
            for i in range(size):
                client_id, number = next_id + loaded + i, format_number(next_number + loaded + i)
                office_id, postal, _ = offices[(loaded + i) % len(offices)]
                gmina_code, gmina_name = rng.choice(gminy[office_id])
                female = rng.random() < 0.5
                surname = rng.choice(demo.SURNAMES)
                last = demo.feminine(surname) if female else surname
                first = rng.choice(demo.FEMALE if female else demo.MALE)
                birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 20000))
                pesel = identifiers.make_pesel(birth, rng.randint(0, 999), female=female)
                name = fold(f"{last} {first}")
                phone = f"{rng.choice('5678')}{rng.randint(0, 99_999_999):08d}"
                row = [
                    client_id,
                    uuid.uuid4(),
                    number,
                    "person",
                    rng.choice(("unemployed", "job_seeker", "resident")),
                    first,
                    last,
                    "",
                    pesel,
                    "",
                    birth,
                    office_id,
                    f"{rng.choice(demo.STREETS)} {rng.randint(1, 200)}",
                    postal or "00-000",
                    gmina_name,
                    gmina_code or None,
                    "",
                    None,
                    "",
                    name,
                    f"{number.lower()} {name} {pesel} {fold(gmina_name)} {phone}",
                    None,
                    now,
                    now,
                ]
                clients.write("\t".join(_tsv(v) for v in row) + "\n")
                if rng.random() < 0.85:
                    pretty = f"{phone[:3]} {phone[3:6]} {phone[6:]}"
                    contacts.write(f"{client_id}\tphone\t{pretty}\t{phone}\t\tt\n")
                if rng.random() < 0.4:
                    email = f"{fold(first)}.{fold(last)}{client_id}@example.pl".replace(" ", "")
                    contacts.write(f"{client_id}\temail\t{email}\t{email}\t\tt\n")
            with conn.cursor() as cur:
                with cur.copy(f"COPY clients_client ({CLIENT_COLUMNS}) FROM STDIN") as copy:
                    copy.write(clients.getvalue())
                with cur.copy(f"COPY clients_clientcontact ({CONTACT_COLUMNS}) FROM STDIN") as copy:
                    copy.write(contacts.getvalue())
            loaded += size
            rate = loaded / (time.monotonic() - load_started)
            print(f"  {loaded:>9,} clients ({rate:,.0f}/s)", flush=True)
        conn.execute(
            "INSERT INTO clients_clientnumbercounter (prefix, last_value) VALUES ('K', %s) "
            "ON CONFLICT (prefix) DO UPDATE SET last_value = excluded.last_value",
            [next_number + loaded - 1],
        )
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('clients_client', 'id'), (SELECT max(id) FROM clients_client))"
        )
        copied = time.monotonic() - load_started
        index_started = time.monotonic()
        conn.execute(
            "INSERT INTO clients_clientnameword (word) SELECT DISTINCT split_part(search_name, ' ', 1) "
            "FROM clients_client WHERE search_name <> '' ON CONFLICT (word) DO NOTHING"
        )
        conn.execute("ANALYZE clients_client")
        conn.execute("ANALYZE clients_clientcontact")
        total = conn.execute("SELECT count(*) FROM clients_client").fetchone()[0]  # type: ignore[index]
        indexed = time.monotonic() - index_started
        database = args.database_url.rsplit("/", 1)[1]
        print(f"loaded {loaded:,} clients in {copied:.1f} s, name dictionary + analyze {indexed:.1f} s")
        print(f"{total:,} clients in {database}")


if __name__ == "__main__":
    main()
