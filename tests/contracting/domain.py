"""Kontraktor test fixtures (import ``world_fixture`` into a test module to use ``world``).

A small Kontraktor world: a WUP with two PUPs (pup-a, pup-b), two agencies, their staff, a
three-tranche scheme and one running contract per PUP."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.contracting import actions, sharing
from okienko.contracting.models import (
    Contract,
    ContractAgreement,
    DataSharingRequest,
    Direction,
    Participant,
    SharingPurpose,
    TrancheDefinition,
    TrancheScheme,
    TriggerEvent,
)
from okienko.contracting.states import ContractStatus
from okienko.core import clock

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
_serial = itertools.count(1)


@dataclass
class World:
    wup: Organisation
    pup: Organisation
    pup_b: Organisation
    agency_org: Organisation
    agency_b_org: Organisation
    office: User
    office_b: User
    agency: User
    agency_b: User
    consultant: User
    scheme: TrancheScheme
    contract: Contract
    contract_b: Contract

    def person(self, office: Organisation | None = None, **extra: Any) -> Any:
        person_model = apps.get_model("contracting_registry", "RegisteredPerson")
        n = next(_serial)
        values: dict[str, Any] = {
            "office": office or self.pup,
            "registry_id": f"S{n:06d}",
            "pesel": f"900101{n:05d}"[:11],
            "first_name": f"Jan{n}",
            "last_name": f"Kowalski{n}",
            "birth_date": dt.date(1990, 1, 1),
            "email": f"jan{n}@example.pl",
            "phone": "600100200",
            "street": "ul. Lipowa 1",
            "postcode": "15-001",
            "city": "Białystok",
            "registered_on": dt.date(2026, 1, 5),
            "status": "unemployed",
            "education_level": "secondary",
            "occupations": [{"code": "411004", "edition": "2023"}],
            "work_history": [{"employer": "Firma", "position": "magazynier", "from": "2020-01-01", "to": "2022-12-31"}],
            "qualifications": ["prawo jazdy kat. B"],
            "past_activation": [{"form": "staż", "from": "2023-01-01", "to": "2023-06-30"}],
            **extra,
        }
        return person_model.objects.create(**values)

    def participants(self, n: int = 1, contract: Contract | None = None) -> list[Participant]:
        target = contract or self.contract
        actor = self.office if target.office_id == self.pup.pk else self.office_b
        return actions.nominate(actor=actor, contract=target, persons=[self.person(target.office) for _ in range(n)])

    def share(
        self,
        participants: list[Participant],
        *,
        fields: list[str] | None = None,
        approve: list[str] | None = None,
        purpose: str = "activation",
        contract: Contract | None = None,
    ) -> DataSharingRequest:
        """The office offers its registry data to the agency and approves it (first sync)."""
        target = contract or self.contract
        actor = self.office if target.office_id == self.pup.pk else self.office_b
        wanted = fields or ["first_name", "last_name", "email", "education_level"]
        request = sharing.create_request(
            actor=actor,
            contract=target,
            direction=Direction.OFFICE_TO_AGENCY,
            purpose=SharingPurpose.objects.get(code=purpose),
            fields=wanted,
            participants=participants,
            valid_from=today() - dt.timedelta(days=1),
            valid_until=today() + dt.timedelta(days=100),
            submit=True,
        )
        sharing.decide_request(actor=actor, request=request, approved_fields=approve or wanted)
        request.refresh_from_db()
        return request


def today() -> dt.date:
    return clock.local_now().date()


def make_scheme(code: str = "test-2014") -> TrancheScheme:
    scheme = TrancheScheme.objects.create(code=code, name="Test 20/30/50")
    TrancheDefinition.objects.create(
        scheme=scheme,
        order=1,
        name="Admission and plan",
        trigger=TriggerEvent.INDIVIDUAL_PLAN,
        minimum_days=0,
        percent=Decimal("20.00"),
        evidence_required=True,
    )
    TrancheDefinition.objects.create(
        scheme=scheme,
        order=2,
        name="Placement kept 14 days",
        trigger=TriggerEvent.PLACEMENT,
        minimum_days=14,
        percent=Decimal("30.00"),
        evidence_required=False,
    )
    TrancheDefinition.objects.create(
        scheme=scheme,
        order=3,
        name="Retained 90 days",
        trigger=TriggerEvent.PLACEMENT,
        minimum_days=90,
        percent=Decimal("50.00"),
        evidence_required=True,
    )
    return scheme


def make_contract(
    world_office: User, office: Organisation, agency: Organisation, scheme: TrancheScheme, number: str
) -> Contract:
    contract = actions.create_contract(
        actor=world_office,
        office=office,
        agency=agency,
        number=number,
        scheme=scheme,
        start_date=today() - dt.timedelta(days=200),
        end_date=today() + dt.timedelta(days=365),
        legal_basis="art. 61b ustawy",
        agency_role=Contract.AgencyRole.PROCESSOR,
        end_policy=Contract.EndPolicy.ARCHIVE,
        planned_participants=100,
        price_per_participant=Decimal("5000.00"),
        indicators={"referred": 100, "admitted": 80, "placed": 40, "retained": 30},
    )
    actions.attach_agreement(
        actor=world_office, contract=contract, kind=ContractAgreement.Kind.DATA_AGREEMENT, data=PDF, name="umowa.pdf"
    )
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.ACTIVE)
    contract.refresh_from_db()
    return contract


@pytest.fixture(name="world")
def world_fixture(region: Organisation, make_user: Callable[..., User], settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path
    pup = Organisation.objects.get(code="pup-a")
    pup_b = Organisation.objects.get(code="pup-b")
    agency_org = Organisation.objects.create(code="agency-a", name="Agency A", kind=Organisation.Kind.AGENCY)
    agency_b_org = Organisation.objects.create(code="agency-b", name="Agency B", kind=Organisation.Kind.AGENCY)
    office = make_user("office-a", roles=[(pup, Role.CONTRACT_MANAGER)])
    office_b = make_user("office-b", roles=[(pup_b, Role.CONTRACT_MANAGER)])
    agency = make_user("agency-a-worker", roles=[(agency_org, Role.AGENCY_WORKER)])
    agency_b = make_user("agency-b-worker", roles=[(agency_b_org, Role.AGENCY_WORKER)])
    consultant = make_user("consultant-a", roles=[(pup, Role.CONSULTANT)])
    scheme = make_scheme()
    contract = make_contract(office, pup, agency_org, scheme, "ZL/1/2026")
    contract_b = make_contract(office_b, pup_b, agency_b_org, scheme, "ZL/2/2026")
    return World(
        wup=region,
        pup=pup,
        pup_b=pup_b,
        agency_org=agency_org,
        agency_b_org=agency_b_org,
        office=office,
        office_b=office_b,
        agency=agency,
        agency_b=agency_b,
        consultant=consultant,
        scheme=scheme,
        contract=contract,
        contract_b=contract_b,
    )
