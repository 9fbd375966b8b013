"""Electronic forms: how many signed submissions one worker validates and stores per second.

    .venv/bin/python bench/eforms_intake.py --submissions 500
    .venv/bin/python bench/eforms_intake.py --submissions 100 --database-url sqlite:///var/bench-eforms.sqlite3

PostgreSQL by default (``--database-url``, created and migrated when missing). A bench city with
the example report form (``lodz-zgloszenie-problemu``, its XSD and field mapping) registered for
an illegal-dump service is set up once. Then ``--submissions`` envelopes are generated and signed
beforehand, each by one of 20 signers with their own P-256 key and certificate:

- 60 % XMLDSig enveloped signatures, 30 % XAdES-BES, 10 % unsigned;
- 20 % carry a ~40 kB PDF attachment the form refers to.

Only the intake loop is timed (``intake.receive``, what the drop folder and the HTTP endpoint
call): the hardened parse, the envelope and form schemas, the signature check, the contact, the
case with its attachment, the signed receipt, the audit entry and the event, one process, one
database connection; the Celery broker woken after each commit is Redis at 127.0.0.1:6379 when it
answers, as in production, else the embedded SQLite file. The target (issue 14): ≥ 20 signed submissions/s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_eforms"
SIGNERS = 20
TEXTS = [
    "Sterta worków ze śmieciami i stare opony na skraju parku, od tygodnia nikt ich nie zabrał.",
    "Ktoś wyrzucił gruz budowlany na trawnik przy przystanku tramwajowym.",
    "Porzucone meble i lodówka w lesie przy ścieżce rowerowej, zagrażają zwierzętom.",
    "Rozsypane odpady przy altanie śmietnikowej, kontenery są przepełnione od kilku dni.",
]


def ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    import socket

    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    if "REDIS_URL" not in os.environ and redis_reachable():
        # As in production: the outbox wake-up after each submission goes to Redis, not a SQLite broker.
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")  # as served in production: no query log
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-eforms"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_form() -> Any:
    """The bench city and its report form (created once)."""
    from okienko.accounts.models import Organisation
    from okienko.catalogue.models import Service, ServiceCategory
    from okienko.channels.eforms import demo
    from okienko.channels.eforms.models import EForm

    city, _ = Organisation.objects.get_or_create(
        code="bench-eforms-city", defaults={"name": "Miasto Testowe", "kind": Organisation.Kind.CITY}
    )
    category, _ = ServiceCategory.objects.get_or_create(organisation=city, code="general", defaults={"name": "Ogólne"})
    service, _ = Service.objects.get_or_create(
        organisation=city, code="dzikie-wysypisko", defaults={"category": category, "public_name": "Dzikie wysypisko"}
    )
    row = next(r for r in demo.FORMS if r[0] == "lodz-zgloszenie-problemu")
    form, _ = EForm.objects.update_or_create(
        code=row[0],
        defaults={
            "organisation": city,
            "name": row[1],
            "service": service,
            "schema": demo.package_file(row[4]).decode(),
            "field_mapping": row[5],
        },
    )
    return form


def generate(count: int, seed: int) -> list[bytes]:
    from okienko.channels.eforms import sample

    rng = random.Random(seed)
    run = uuid.uuid4().hex[:8]
    signers = [sample.make_signer(f"Mieszkaniec {i}") for i in range(SIGNERS)]
    pdf = b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(40_000)) + b"\n%%EOF\n"
    out = []
    for n in range(count):
        with_file = rng.random() < 0.2
        form_data = sample.lodz_report(
            description=f"{TEXTS[n % len(TEXTS)]} (zgłoszenie {run}-{n})",
            address=f"ul. Piotrkowska {n % 300 + 1}, Łódź",
            files=["zdjecie.pdf"] if with_file else None,
        )
        document = sample.envelope(
            "lodz-zgloszenie-problemu",
            form_data,
            title="Dzikie wysypisko",
            attachments=[("zdjecie.pdf", pdf)] if with_file else None,
        )
        roll = rng.random()
        if roll < 0.6:
            document = sample.sign(document, signers[n % SIGNERS])
        elif roll < 0.9:
            document = sample.sign(document, signers[n % SIGNERS], xades=True)
        out.append(document)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seed", type=int, default=14)
    options = parser.parse_args()
    ensure_database(options.database_url)
    setup_django(options.database_url)
    from okienko.channels.eforms import intake, receipts
    from okienko.core import context

    form = bench_form()
    receipts.seal_key()  # generated once, outside the timed loop
    raws = generate(options.submissions, options.seed)
    size = sum(len(r) for r in raws)
    print(f"{len(raws)} submissions, {size / 1e6:.1f} MB, database {options.database_url.split('@')[-1]}")
    statuses: Counter[str] = Counter()
    signatures: Counter[str] = Counter()
    started = time.perf_counter()
    with context.channel("eform"):
        for raw in raws:
            submission, _new = intake.receive(raw, transport="folder")
            statuses[submission.status] += 1
            signatures[submission.signature] += 1
    elapsed = time.perf_counter() - started
    print(f"validated and stored in {elapsed:.1f} s: {len(raws) / elapsed:.1f} submissions/s (target ≥ 20)")
    print("outcomes:", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    print("signatures:", ", ".join(f"{k} {v}" for k, v in sorted(signatures.items())))
    print(f"stored for the form in total: {form.submissions.count()}")


if __name__ == "__main__":
    main()
