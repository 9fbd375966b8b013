"""Two installations' exchange in one database, both ways (issue 18, transports).

``Pair`` (exchange_helpers) keeps the sender's keys in memory, so messages go one way. ``Mirror``
makes both institutions local (each with its keys) and gives each a *stand-in* partner for the
other — an organisation without the NIP, as a separate installation would hold it — so a message
queued by one is exported, imported by the other, and its acknowledgement travels back."""

from __future__ import annotations

from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.contracting.exchange import inbound, keys, partners
from okienko.contracting.exchange.envelope import Opened
from okienko.contracting.exchange.models import ExchangeMessage, Partner
from okienko.contracting.models import InstitutionProfile
from okienko.core import clock
from tests.contracting.exchange_helpers import CONTRACT

A_NIP, B_NIP = "5422859599", "9662112843"
A_ID, B_ID = f"PL-NIP-{A_NIP}", f"PL-NIP-{B_NIP}"


def _institution(code: str, nip: str, kind: str) -> Organisation:
    org = Organisation.objects.create(code=code, name=f"Instytucja {code}", kind=kind)
    InstitutionProfile.objects.create(organisation=org, nip=nip)
    keys.ensure_keys(org)
    return org


def stand_in(of: Organisation, code: str, *, endpoint: str = "", trusted: bool = True) -> Partner:
    """``of`` as the other installation knows it: a partner with its card's keys."""
    card = partners.card_of(of)
    organisation = Organisation.objects.create(code=code, name=f"Partner {of.name}", kind=of.kind)
    now = clock.now()
    partner = Partner.objects.create(
        organisation=organisation,
        institution_id=card["institution_id"],
        endpoint=endpoint,
        card=card,
        status=Partner.Status.TRUSTED if trusted else Partner.Status.PENDING,
        created_at=now,
        updated_at=now,
    )
    partners._sync_keys(partner, card)
    return partner


class Mirror:
    def __init__(self, admin: User) -> None:
        self.a = _institution("pup-m", A_NIP, Organisation.Kind.COUNTY_OFFICE)
        self.b = _institution("agencja-m", B_NIP, Organisation.Kind.AGENCY)
        self.b_at_a = stand_in(self.b, "partner-b")  # how A knows B
        self.a_at_b = stand_in(self.a, "partner-a")  # how B knows A
        self.admin = admin

    @staticmethod
    def status_body(note: str = "") -> dict[str, Any]:
        return {"from": "active", "to": "ended", "at": "2026-12-06T10:00:00+01:00", **({"note": note} if note else {})}

    def queue(self, note: str = "", **kw: Any) -> ExchangeMessage:
        from okienko.contracting.exchange import outbound

        kw.setdefault("contract", CONTRACT)
        return outbound.queue_message(
            sender=self.a, partner=self.b_at_a, type="contract.status", body=self.status_body(note), **kw
        )


@pytest.fixture(name="mirror")
def mirror_fixture(db: Any) -> Mirror:
    return Mirror(User.objects.create_user(username="admin-m", password="x"))


@pytest.fixture(name="recorder")
def recorder_fixture() -> Any:
    """``contract.status`` applied by a recorder (the real handler needs a whole contract)."""
    seen: list[Opened] = []

    def apply(opened: Opened, message: ExchangeMessage) -> None:
        from okienko.contracting.exchange.envelope import Refused

        if opened.body.get("note") == "refuse":
            raise Refused("state_refused", "not now")
        if opened.body.get("note") == "later":
            raise inbound.Waiting("the contract first")
        seen.append(opened)

    before = inbound.HANDLERS.get("contract.status")
    inbound.HANDLERS["contract.status"] = apply
    yield seen
    if before is None:
        inbound.HANDLERS.pop("contract.status", None)
    else:
        inbound.HANDLERS["contract.status"] = before
