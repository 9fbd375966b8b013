"""A city with a contact centre, a mailbox, a known client and a case waiting for that client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.cases.models import Case
from okienko.catalogue.models import Service, ServiceCategory
from okienko.channels.models import Mailbox
from okienko.clients.actions import register_client
from okienko.clients.models import Client

EML = Path(__file__).parent / "eml"
CLIENT_EMAIL = "jan.kowalski@example.pl"


@dataclass
class Post:
    city: Organisation
    centre: Organisation
    roads: Organisation
    other_city: Organisation
    service: Service
    mailbox: Mailbox
    other_mailbox: Mailbox
    client: Client
    case: Case
    consultant: User
    expert: User
    outsider: User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assertions compare the English source messages."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    """Stored mail and files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture
def frozen() -> Iterator[Any]:
    # Friday 4 December 2026, 13:00 in Warsaw
    with time_machine.travel("2026-12-04 12:00:00+00:00", tick=True) as traveller:
        yield traveller


def load(name: str) -> bytes:
    return (EML / name).read_bytes()


@pytest.fixture
def post(db: None, make_user: Any) -> Post:
    city = Organisation.objects.create(code="lodz", name="Łódź", kind=Organisation.Kind.CITY)
    centre = Organisation.objects.create(
        code="lodz-ckm", name="Contact centre", kind=Organisation.Kind.CONTACT_CENTRE, parent=city
    )
    roads = Organisation.objects.create(code="lodz-roads", name="Roads", kind=Organisation.Kind.UNIT, parent=city)
    other = Organisation.objects.create(code="other", name="Other city", kind=Organisation.Kind.CITY)
    category = ServiceCategory.objects.create(organisation=city, code="general", name="General")
    service = Service.objects.create(
        organisation=city,
        code="enquiry",
        category=category,
        public_name="Enquiry",
        responsible_unit=roads,
        sla_basis=Service.SlaBasis.WORKING_DAYS,
        response_due=1,
        resolve_due=5,
    )
    mailbox = Mailbox.objects.create(
        organisation=centre,
        address="Kontakt@Lodz.Okienko.Localhost",
        name="Łódź contact centre",
        auto_reply=True,
        trusted_authserv_id="mx.lodz.okienko.localhost",
    )
    other_mailbox = Mailbox.objects.create(organisation=other, address="kontakt@other.okienko.localhost", name="Other")
    client = register_client(
        actor=None, home_office=city, first_name="Jan", last_name="Kowalski", emails=[CLIENT_EMAIL.upper()]
    )
    consultant = make_user("consultant", roles=[(centre, Role.CONSULTANT)])
    expert = make_user("expert", roles=[(roads, Role.EXPERT)])
    from okienko.cases.actions import ask_client, open_case

    case = open_case(
        actor=consultant,
        organisation=city,
        service=service,
        description="Pothole on Piotrkowska",
        channel="email",
        client=client,
        reporter={"name": "Jan Kowalski", "email": CLIENT_EMAIL},
    )
    case = ask_client(actor=expert, case=case, message="Please send a photo.")
    return Post(
        city=city,
        centre=centre,
        roads=roads,
        other_city=other,
        service=service,
        mailbox=mailbox,
        other_mailbox=other_mailbox,
        client=client,
        case=case,
        consultant=consultant,
        expert=expert,
        outsider=make_user("outsider", roles=[(other, Role.EXPERT)]),
    )


def message(
    *,
    sender: str = CLIENT_EMAIL,
    subject: str = "Question",
    body: str = "Dzień dobry, proszę o informację.",
    message_id: str = "<m-1@example.pl>",
    to: str = "kontakt@lodz.okienko.localhost",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A small plain-text message (CRLF line ends, as on the wire)."""
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "Date: Fri, 04 Dec 2026 12:59:00 +0100",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
        "",
        body,
        "",
    ]
    return "\r\n".join(lines).encode()
