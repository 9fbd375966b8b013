"""Exchange test helpers (issue 18): two institutions as two installations see each other, in one
database. Import ``pair_fixture`` into a test module to use ``pair``."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.contracting.exchange import envelope, keys, partners
from okienko.contracting.exchange.models import InstitutionKey, KeyUse
from okienko.contracting.models import InstitutionProfile

CONTRACT = str(uuid.UUID(int=7))
REF = "P-ABCDEFGHIJKLMNOP"


def _institution(code: str, nip: str, kind: str) -> Organisation:
    org = Organisation.objects.create(code=code, name=f"Instytucja {code}", kind=kind)
    InstitutionProfile.objects.create(organisation=org, nip=nip)
    return org


class Pair:
    """Two institutions as two installations would see each other, in one database: the
    sender's keys are kept in memory, then its rows go and it becomes the receiver's partner."""

    def __init__(self, admin: User) -> None:
        self.sender = _institution("pup-x", "5422859599", Organisation.Kind.COUNTY_OFFICE)
        self.receiver = _institution("agencja-x", "9662112843", Organisation.Kind.AGENCY)
        keys.ensure_keys(self.sender)
        keys.ensure_keys(self.receiver)
        self.card_text = partners.signed_card(self.sender)
        self.sign_key = keys.current(self.sender, KeyUse.SIGN)
        self.receiver_card = partners.card_of(self.receiver)
        self.enc = next(k for k in self.receiver_card["keys"] if k["use"] == "enc")
        InstitutionKey.objects.filter(organisation=self.sender).delete()
        self.partner = partners.register(partners.read_card(self.card_text), actor=admin)
        self.admin = admin

    def trust(self) -> None:
        partners.confirm(self.partner, actor=self.admin, fingerprint=partners.signing_fingerprint(self.partner.card))

    def seal(self, type: str = "contract.status", body: dict[str, Any] | None = None, **kw: Any) -> envelope.Sealed:
        if body is None:
            body = {"from": "active", "to": "ended", "at": "2026-12-06T10:00:00+01:00"}
        kw.setdefault("contract", CONTRACT)
        return envelope.seal(
            sender=self.sender,
            receiver="PL-NIP-9662112843",
            type=type,
            body=body,
            signing=self.sign_key,
            **kw,
        )


@pytest.fixture(name="pair")
def pair_fixture(db: Any) -> Pair:
    admin = User.objects.create_user(username="admin-x", password="x")
    return Pair(admin)
