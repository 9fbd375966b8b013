"""Inbound e-mail: how many messages one worker parses, threads and stores as contacts per second.

    .venv/bin/python bench/inbound_email.py --messages 2000
    .venv/bin/python bench/inbound_email.py --messages 200 --database-url sqlite:///var/bench-inbound.sqlite3

PostgreSQL by default (``--database-url``, created and migrated when missing). A bench city with a
contact centre, a mailbox, 200 clients with e-mail addresses and 100 cases waiting for their
client is set up once. Then ``--messages`` real message shapes are generated and passed one after
another to ``pipeline.ingest`` (the function both the SMTP listener and the IMAP poller call):

- 35 % plain text from known clients and strangers (Polish, quoted history to strip);
- 25 % multipart/alternative with an HTML part (tables, a script to drop);
- 15 % with attachments (a ~40 kB PDF and a small PNG inline image);
- 25 % replies to Okienko's own messages about a case (``In-Reply-To`` with the case's message
  id), threaded onto the case: a note, a contact and, the first time, the status change.

Only the ingest loop is timed (one process, one database connection); every message gets a fresh
Message-ID, so nothing is skipped as a duplicate. The Celery broker (woken after each commit for the
outbox) is Redis at 127.0.0.1:6379 when it answers, as in production, else the embedded SQLite
file. The target (issue 13): ≥ 50 messages/s.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from benchlib import ensure_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench_inbound"
CLIENTS, CASES = 200, 100

PLAIN = """Dzień dobry,

{text}

Pozdrawiam serdecznie
{name}

W dniu 3.12.2026 o 10:15, Urząd Miasta <kontakt@bench.okienko.localhost> pisze:
> Dziękujemy za wiadomość. Prosimy o uzupełnienie informacji.
> Numer sprawy podamy w kolejnej wiadomości.
"""
HTML = """<html><head><style>td {{ padding: 4px }}</style><script>track()</script></head><body>
<p>Dzień dobry,</p><p>{text}</p>
<table><tr><td>Adres</td><td>ul. Piotrkowska {number}</td></tr><tr><td>Od kiedy</td><td>od tygodnia</td></tr></table>
<p>Z poważaniem<br>{name}</p></body></html>"""
TEXTS = [
    "na ulicy przed moim blokiem jest głęboka dziura w jezdni, samochody ją omijają po chodniku.",
    "od dwóch tygodni nikt nie odebrał odpadów wielkogabarytowych zgłoszonych do odbioru.",
    "latarnia przy przejściu dla pieszych nie świeci od kilku dni, wieczorem jest niebezpiecznie.",
    "proszę o wydanie zaświadczenia o okresach rejestracji w urzędzie pracy do ZUS.",
    "chciałbym zapytać o możliwość skierowania na szkolenie z obsługi wózków widłowych.",
]
FIRST = ["Jan", "Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Paweł", "Agnieszka"]
LAST = ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamińska", "Lewandowska", "Zielińska", "Szymański"]


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
        # As in production: the outbox wake-up after each message goes to Redis, not a SQLite broker.
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")  # as served in production: no query log
    os.environ.setdefault("OKIENKO_VAR_DIR", str(ROOT / "var" / "bench-inbound"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_post() -> tuple[Any, list[tuple[str, str]], list[Any]]:
    """The bench mailbox, the clients' (name, address) and the cases waiting for them (created once)."""
    from okienko.accounts.models import Organisation
    from okienko.cases.actions import open_case, transition_case
    from okienko.cases.models import Case
    from okienko.catalogue.models import Service, ServiceCategory
    from okienko.channels.models import Mailbox
    from okienko.clients.actions import register_client
    from okienko.clients.models import ClientContact

    city, _ = Organisation.objects.get_or_create(
        code="bench-inbound-city", defaults={"name": "Miasto Testowe", "kind": Organisation.Kind.CITY}
    )
    centre, _ = Organisation.objects.get_or_create(
        code="bench-inbound-ckm",
        defaults={"name": "Centrum Kontaktu", "kind": Organisation.Kind.CONTACT_CENTRE, "parent": city},
    )
    category, _ = ServiceCategory.objects.get_or_create(organisation=city, code="general", defaults={"name": "Ogólne"})
    service, _ = Service.objects.get_or_create(
        organisation=city,
        code="enquiry",
        defaults={"category": category, "public_name": "Zapytanie", "responsible_unit": centre},
    )
    mailbox, _ = Mailbox.objects.get_or_create(
        address="kontakt@bench.okienko.localhost",
        defaults={"organisation": centre, "name": "Bench", "auto_reply": True},
    )
    # Repeated runs send many messages per client within the hour: keep the sender limit (its query
    # runs for every message) but out of the way.
    Mailbox.objects.filter(pk=mailbox.pk).update(sender_limit_per_hour=1_000_000)
    mailbox.sender_limit_per_hour = 1_000_000
    existing = ClientContact.objects.filter(client__home_office=centre, kind="email").count()
    for i in range(existing, CLIENTS):
        name = (FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)])
        register_client(
            actor=None,
            home_office=centre,
            first_name=name[0],
            last_name=f"{name[1]}{i}",
            emails=[f"klient{i}@poczta.example.pl"],
            accept_duplicates=True,
        )
    clients = [
        (c.client.display_name, c.normalized)
        for c in ClientContact.objects.filter(client__home_office=centre, kind="email").select_related("client")
    ]
    cases = list(Case.objects.filter(organisation=city).select_related("client")[:CASES])
    for i in range(len(cases), CASES):
        client = ClientContact.objects.filter(normalized=clients[i][1]).select_related("client").get().client
        case = open_case(
            actor=None,
            organisation=city,
            service=service,
            description=TEXTS[i % len(TEXTS)],
            channel="email",
            client=client,
            reporter={"name": clients[i][0], "email": clients[i][1]},
            as_client=True,
        )
        # waiting for the client, as after "ask the client" (the first reply moves it back to work)
        cases.append(
            transition_case(
                actor=None, case=case, to_status="waiting_client", note="Prosimy o zdjęcie.", actor_kinds={"expert"}
            )
        )
    return mailbox, clients, cases


def pdf(size: int) -> bytes:
    body = b"%PDF-1.4\n" + os.urandom(size) + b"\n%%EOF\n"
    return body


def generate(count: int, mailbox: Any, clients: list[tuple[str, str]], cases: list[Any], seed: int) -> list[bytes]:
    from okienko.channels.email.threading import message_id_for_case

    rng = random.Random(seed)
    run = uuid.uuid4().hex[:8]
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(200)).decode()
    attachment = base64.encodebytes(pdf(40_000)).decode()
    out = []
    for n in range(count):
        roll = rng.random()
        name, address = (
            clients[rng.randrange(len(clients))] if rng.random() < 0.7 else ("Obcy Nadawca", f"obcy{n}@example.com")
        )
        text = TEXTS[rng.randrange(len(TEXTS))]
        headers = [
            f"From: {name} <{address}>",
            f"To: {mailbox.address}",
            f"Message-ID: <bench-{run}-{n}@poczta.example.pl>",
            "Date: Fri, 04 Dec 2026 12:00:00 +0100",
            "MIME-Version: 1.0",
        ]
        if roll < 0.25:  # a reply threading onto its case
            case = cases[rng.randrange(len(cases))]
            name, address = case.reporter_name, case.reporter_email
            headers[0] = f"From: {name} <{address}>"
            sent = message_id_for_case(case.uuid)
            headers += [f"Subject: Re: Sprawa {case.number}", f"In-Reply-To: {sent}", f"References: {sent}"]
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
            body = PLAIN.format(text="W załączeniu przesyłam brakujące informacje: " + text, name=name)
        elif roll < 0.60:
            headers += ["Subject: Zgłoszenie", "Content-Type: text/plain; charset=utf-8"]
            headers += ["Content-Transfer-Encoding: 8bit"]
            body = PLAIN.format(text=text, name=name)
        elif roll < 0.85:
            headers += ["Subject: Prośba o informację", 'Content-Type: multipart/alternative; boundary="alt"']
            html = HTML.format(text=text, name=name, number=n % 200)
            body = (
                f"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{PLAIN.format(text=text, name=name)}\r\n"
                f"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--alt--\r\n"
            )
        else:
            headers += ["Subject: Dokumenty do sprawy", 'Content-Type: multipart/mixed; boundary="mix"']
            body = (
                f"--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{PLAIN.format(text=text, name=name)}\r\n"
                "--mix\r\nContent-Type: image/png\r\nContent-ID: <img1@bench>\r\nContent-Disposition: inline\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n{png}\r\n"
                '--mix\r\nContent-Type: application/pdf; name="wniosek.pdf"\r\n'
                'Content-Disposition: attachment; filename="wniosek.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
                f"{attachment}\r\n--mix--\r\n"
            )
        raw = "\r\n".join(headers) + "\r\n\r\n" + body.replace("\r\n", "\n").replace("\n", "\r\n")
        out.append(raw.encode())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seed", type=int, default=13)
    options = parser.parse_args()
    ensure_database(options.database_url)
    setup_django(options.database_url)
    from okienko.channels.email.pipeline import ingest
    from okienko.channels.models import InboundMessage

    mailbox, clients, cases = bench_post()
    raws = generate(options.messages, mailbox, clients, cases, options.seed)
    size = sum(len(r) for r in raws)
    broker = "Redis" if os.environ.get("REDIS_URL") else "SQLite file"
    print(f"{len(raws)} messages, {size / 1e6:.1f} MB, database {options.database_url.split('@')[-1]}, broker {broker}")
    started = time.perf_counter()
    statuses: Counter[str] = Counter()
    for raw in raws:
        statuses[ingest(mailbox, raw).status] += 1
    elapsed = time.perf_counter() - started
    print(f"ingested in {elapsed:.1f} s: {len(raws) / elapsed:.1f} messages/s (target ≥ 50)")
    print("outcomes:", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    print(f"stored in total: {InboundMessage.objects.filter(mailbox=mailbox).count()}")


if __name__ == "__main__":
    main()
