"""Pair two demo installations (``make run``'s PUP and ``make run-agency``'s agency): write this
installation's institution cards into ``<var>/exchange/cards/``, import the other installation's
cards (from its var directory, or one card file) and confirm their fingerprints at once.

Demo only: confirming a fingerprint without reading it to the other institution is exactly what
ADR 0063 forbids in real use, so the command refuses unless the demo data is loaded and the
installation does not run in the production profile."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from okienko.accounts.models import Organisation
from okienko.contracting.exchange import envelope, partners
from okienko.contracting.exchange.models import InstitutionKey, Partner
from okienko.core import audit, clock, edition
from okienko.core.actors import SystemActor
from okienko.core.models import AuditRecord, DemoLoad

ACTOR = SystemActor("demo-pairing")


def cards_dir(var_dir: Path) -> Path:
    return var_dir / "exchange" / "cards"


class Command(BaseCommand):
    help = "Demo only: exchange institution cards with another demo installation and trust them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--with", dest="other", required=True, help="the other installation's var dir, or a card")
        parser.add_argument(
            "--endpoint",
            default="",
            help="the other installation's exchange endpoint, e.g. http://127.0.0.1:8001/exchange/v1/messages",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not DemoLoad.objects.exists():
            raise CommandError("exchange_pair_demo pairs demo installations only (load the demo first)")
        if getattr(settings, "OKIENKO_PROFILE_NAME", os.environ.get("OKIENKO_PROFILE", "embedded")) == "production":
            raise CommandError("exchange_pair_demo is refused in the production profile")
        written = self._write_own_cards()
        self.stdout.write(f"pair: wrote {len(written)} card(s) to {cards_dir(Path(settings.VAR_DIR))}")
        other = Path(options["other"])
        files = sorted(cards_dir(other).glob("*.json")) if other.is_dir() else [other]
        if not files:
            self.stdout.write("pair: the other installation has no cards yet: run this command there, then here again")
            return
        for file in files:
            self._trust(file, endpoint=options["endpoint"])

    def _write_own_cards(self) -> list[Path]:
        """The PUP's installation speaks for its offices, the agency edition's for its agency."""
        folder = cards_dir(Path(settings.VAR_DIR))
        folder.mkdir(parents=True, exist_ok=True)
        kinds = (
            [Organisation.Kind.AGENCY]
            if edition.is_agency()
            else [Organisation.Kind.COUNTY_OFFICE, Organisation.Kind.REGION_OFFICE]
        )
        local = Organisation.objects.filter(
            kind__in=kinds, contracting_profile__isnull=False, exchange_partner__isnull=True
        ).exclude(contracting_profile__nip="")
        written = []
        for organisation in local:
            path = folder / f"{organisation.code}.json"
            path.write_text(partners.signed_card(organisation))
            written.append(path)
        return written

    def _trust(self, file: Path, *, endpoint: str) -> None:
        try:
            card = partners.read_card(file.read_text())
        except (OSError, partners.CardRefused) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        here = envelope.local_institution(card["institution_id"])
        if here is not None:
            own_kids = set(InstitutionKey.objects.filter(organisation=here).values_list("kid", flat=True))
            if edition.is_agency() or own_kids & {k["kid"] for k in card["keys"]}:
                return  # our own institution: never a partner of itself
            # The full demo hosted this agency too; now it runs its own installation.
            InstitutionKey.objects.filter(organisation=here).delete()
        existing = Partner.objects.filter(institution_id=card["institution_id"]).first()
        if existing is not None and existing.status == Partner.Status.TRUSTED:
            if endpoint and existing.endpoint != endpoint:
                # Paired before the other side's endpoint was known (its cards came first): set it now.
                with transaction.atomic():
                    before = existing.endpoint
                    existing.endpoint = endpoint
                    existing.updated_at = clock.now()
                    existing.save(update_fields=["endpoint", "updated_at"])
                    audit.record(
                        "contracting.exchange.partner.endpoint_changed",
                        actor=ACTOR,
                        obj=existing,
                        organisation_id=existing.organisation_id,
                        data={"institution": existing.institution_id, "from": before, "to": endpoint},
                        kind=AuditRecord.Kind.SECURITY,
                    )
                self.stdout.write(f"pair: {card['name']} already trusted, endpoint set to {endpoint}")
                return
            self.stdout.write(f"pair: {card['name']} already trusted")
            return
        partner = partners.register(card, actor=ACTOR, endpoint=endpoint)
        fingerprint = partners.signing_fingerprint(card)
        partners.confirm(partner, actor=ACTOR, fingerprint=fingerprint)
        self.stdout.write(f"pair: {card['name']} ({card['institution_id']}) trusted, fingerprint {fingerprint}")
