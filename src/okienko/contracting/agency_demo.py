"""The demo of the agency edition (``OKIENKO_EDITION=agency``, issue 18 item 7): only the agency
Praca Plus — with the same NIP as on the labour office's demo installation, so the two demo
installations can be paired — its Kontraktor user ``agencja`` and an administrator ``admin``
(the demo password of ``accounts.demo``), its keys, and the catalogue of shareable fields. No
registry, no offices, no other modules: contracts arrive from the PUP's installation."""

from __future__ import annotations

from typing import Any

from okienko.accounts import actions as account_actions
from okienko.accounts.demo import DEMO_PASSWORD
from okienko.accounts.models import Membership, Organisation, User
from okienko.accounts.roles import Role
from okienko.contracting.catalogue import ensure_catalogue
from okienko.contracting.demo import AGENCY_INDEX, profile
from okienko.contracting.exchange import keys
from okienko.contracting.models import SharedField, SharingPurpose

VERSION = 1
USERS = (
    ("agencja", "Barbara", "Mazur", Role.AGENCY_WORKER, False),
    ("admin", "Adam", "Administrator", Role.ADMINISTRATOR, True),
)


def load(*, stdout: Any) -> None:
    agency, _created = Organisation.objects.get_or_create(
        code="agencja-praca-plus",
        defaults={
            "name": "Agencja Zatrudnienia Praca Plus sp. z o.o.",
            "short_name": "Praca Plus",
            "kind": Organisation.Kind.AGENCY,
        },
    )
    profile(agency, AGENCY_INDEX)
    ensure_catalogue(SharedField, SharingPurpose)
    for username, first, last, role, superuser in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, email=f"{username}@praca-plus.example.pl")
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = superuser
            user.save()
        if not Membership.objects.filter(user=user, organisation=agency, role=role).exists():
            account_actions.grant_role(actor=None, user=user, organisation=agency, role=role)
    keys.ensure_keys(agency)
    stdout.write(f"  agency edition: {agency.name} (NIP {agency.contracting_profile.nip}), users agencja and admin")
