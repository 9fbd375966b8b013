"""Kontraktor objects for the access matrix (tests/security/test_access_matrix.py): for a county
office, a running contract with the matrix's agency, one participant (from the office's registry)
shared with the agency and referred, an event, a placement with its checks, tranche lines and a
settlement, made on first use. Other offices have no contracts: the fillers answer with addresses
of nothing (the pages answer 404)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from okienko.accounts.models import Membership, Organisation, User
from okienko.accounts.roles import Role
from okienko.contracting import actions, settlement, sharing
from okienko.contracting.models import (
    ActivationEvent,
    Contract,
    ContractAgreement,
    Direction,
    SharingPurpose,
    TrancheDefinition,
    TrancheScheme,
    TriggerEvent,
)
from okienko.contracting.states import ContractStatus
from okienko.core import clock

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Objects:
    contract: Any
    ref: str
    request: Any
    event: Any
    check: int
    line: int
    settlement: Any


NOTHING = Objects(
    uuid.UUID(int=70), "P-AAAAAAAAAAAAAAAA", uuid.UUID(int=71), uuid.UUID(int=72), 999_999, 999_999, uuid.UUID(int=73)
)
_made: dict[int, Objects] = {}


def _user(username: str, org: Organisation, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=None)
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


def _scheme() -> TrancheScheme:
    scheme, created = TrancheScheme.objects.get_or_create(code="matrix", defaults={"name": "Matrix"})
    if created:
        TrancheDefinition.objects.create(
            scheme=scheme, order=1, name="Plan", trigger=TriggerEvent.INDIVIDUAL_PLAN, percent=Decimal(20)
        )
        TrancheDefinition.objects.create(
            scheme=scheme, order=2, name="14 dni", trigger=TriggerEvent.PLACEMENT, minimum_days=14, percent=Decimal(80)
        )
    return scheme


def objects(office: Organisation, person: Any) -> Objects:
    """The office's Kontraktor objects (``person``: one of its registered people)."""
    if office.kind != Organisation.Kind.COUNTY_OFFICE:
        return NOTHING
    contract = Contract.objects.filter(office=office, number="MATRIX/1").first()
    if contract is not None and contract.pk in _made:
        return _made[contract.pk]
    agency = Organisation.objects.get(code="agency")
    manager = _user(f"matrix.contracts.{office.code}", office, Role.CONTRACT_MANAGER)
    worker = _user("matrix.contracts.agency", agency, Role.AGENCY_WORKER)
    today = clock.local_now().date()
    contract = actions.create_contract(
        actor=manager,
        office=office,
        agency=agency,
        number="MATRIX/1",
        scheme=_scheme(),
        start_date=today - dt.timedelta(days=100),
        end_date=today + dt.timedelta(days=300),
        legal_basis="art. 61b",
        agency_role=Contract.AgencyRole.PROCESSOR,
        end_policy=Contract.EndPolicy.ARCHIVE,
        planned_participants=10,
        price_per_participant=Decimal("1000.00"),
    )
    actions.attach_agreement(
        actor=manager, contract=contract, kind=ContractAgreement.Kind.DATA_AGREEMENT, data=PDF, name="umowa.pdf"
    )
    actions.change_contract_status(actor=manager, contract=contract, to=ContractStatus.SIGNED)
    actions.change_contract_status(actor=manager, contract=contract, to=ContractStatus.ACTIVE)
    (participant,) = actions.nominate(actor=manager, contract=contract, persons=[person])
    request = sharing.create_request(
        actor=manager,
        contract=contract,
        direction=Direction.OFFICE_TO_AGENCY,
        purpose=SharingPurpose.objects.get(code="activation"),
        fields=["first_name", "last_name"],
        participants=[participant],
        valid_from=today - dt.timedelta(days=1),
        valid_until=today + dt.timedelta(days=100),
        submit=True,
    )
    sharing.decide_request(actor=manager, request=request, approved_fields=["first_name", "last_name"])
    participant.refresh_from_db()
    actions.refer(actor=manager, participant=participant)
    for to in ("admitted", "plan_agreed", "in_activation"):
        participant.refresh_from_db()
        actions.change_participant_status(actor=worker, participant=participant, to=to)
    event = actions.record_event(
        actor=worker,
        participant=participant,
        type=ActivationEvent.Type.INDIVIDUAL_PLAN,
        occurred_at=clock.now() - dt.timedelta(days=30),
    )
    placement = actions.record_placement(
        actor=worker,
        participant=participant,
        employer_nip="5261040828",
        position="magazynier",
        occupation_code="432103",
        contract_type="employment",
        working_time=Decimal(1),
        start_date=today - dt.timedelta(days=20),
        verified_by="employer",
    )
    settlement.refresh_tranche_lines(contract=contract)
    line = participant.tranche_lines.order_by("pk").first()
    opened = settlement.open_settlement(
        actor=worker, contract=contract, period_start=today - dt.timedelta(days=60), period_end=today
    )
    made = Objects(
        contract=contract.uuid,
        ref=participant.ref,
        request=request.uuid,
        event=event.uuid,
        check=placement.retention_checks.get().pk,
        line=line.pk if line else 999_999,
        settlement=opened.uuid,
    )
    _made[contract.pk] = made
    return made
