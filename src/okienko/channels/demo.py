"""Demo mailboxes (delivered to the listener ``make run`` starts on 127.0.0.1:2525) and a few
received e-mails waiting in their triage queues. Idempotent: mailboxes are matched by address,
messages by the pipeline's duplicate check."""

from __future__ import annotations

from typing import Any

from okienko.accounts.models import Organisation
from okienko.channels.email.pipeline import ingest
from okienko.channels.models import Mailbox
from okienko.clients.models import ClientContact

VERSION = 2  # 2: SMS senders, e-forms and chat availability (issue 14)

# address, organisation code, name, automatic receipt
MAILBOXES = [
    ("kontakt@lodz.okienko.localhost", "lodz-ckzm", "Centrum Kontaktu z Mieszkańcami — e-mail", True),
    ("kontakt@wup.bialystok.okienko.localhost", "wup-bialystok", "WUP w Białymstoku — e-mail", True),
]

SAMPLES = {
    "kontakt@lodz.okienko.localhost": [
        (
            "Ewa Zielińska <ewa.zielinska@poczta.example.pl>",
            "Nieodebrane odpady wielkogabarytowe",
            "Dzień dobry,\r\nod dwóch tygodni przy ul. Zgierskiej 12 stoją meble zgłoszone do odbioru.\r\n"
            "Proszę o informację, kiedy zostaną zabrane.\r\n\r\nPozdrawiam\r\nEwa Zielińska",
        ),
    ],
    "kontakt@wup.bialystok.okienko.localhost": [
        (
            "Marek Wysocki <m.wysocki@poczta.example.pl>",
            "Zaświadczenie o okresie rejestracji",
            "Dzień dobry,\r\nproszę o wydanie zaświadczenia o okresach rejestracji do ZUS.\r\n\r\n"
            "Z poważaniem\r\nMarek Wysocki",
        ),
    ],
}


def _sample(sender: str, to: str, subject: str, body: str, number: int) -> bytes:
    from email.header import Header

    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {Header(subject, 'utf-8').encode()}",
        f"Message-ID: <demo-{number}.{to.split('@')[0]}@okienko-demo.localhost>",
        "Date: Fri, 04 Dec 2026 09:00:00 +0100",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        body,
        "",
    ]
    return "\r\n".join(lines).encode()


def load(*, stdout: Any) -> None:
    for address, code, name, auto_reply in MAILBOXES:
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            continue
        mailbox, _created = Mailbox.objects.update_or_create(
            address=address,
            defaults={
                "organisation": organisation,
                "name": name,
                "kind": Mailbox.Kind.SMTP,
                "active": True,
                "auto_reply": auto_reply,
                "create_case": False,
            },
        )
        samples = list(SAMPLES.get(address, []))
        known = (
            ClientContact.objects.filter(
                kind=ClientContact.Kind.EMAIL, client__home_office__path__startswith=organisation.controller_path
            )
            .select_related("client")
            .order_by("id")
            .first()
        )
        if known is not None:
            samples.append(
                (
                    f"{known.client.display_name} <{known.value}>",
                    "Pytanie o moją sprawę",
                    "Dzień dobry,\r\nczy mogę prosić o informację, na jakim etapie jest moja sprawa?\r\n\r\n"
                    f"Pozdrawiam\r\n{known.client.display_name}",
                )
            )
        for number, (sender, subject, body) in enumerate(samples, start=1):
            ingest(mailbox, _sample(sender, address, subject, body, number), transport="demo")
    stdout.write(f"  {Mailbox.objects.count()} mailboxes: " + ", ".join(a for a, *_rest in MAILBOXES))
    from okienko.channels.eforms import demo as eforms_demo  # the e-forms part (ADR 0056)

    eforms_demo.load(stdout=stdout)
