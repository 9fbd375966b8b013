"""Demo Kontraktor story: PUP Białystok and PUP Łomża with two agencies, contracts in several
states, participants nominated from the registry (the example Syriusz exports imported by the
registry's demo just before), data shared on approved requests, activation events, placements
with their employment checks, tranche lines claimed and a settlement.

Walk it as ``kontrakty.bialystok`` (the office) and ``agencja`` (Praca Plus); the second agency's
worker is ``agencja.nowystart``. Idempotent: a contract that exists is left as it is.
Identifiers (NIP, REGON, KRAZ) are valid-looking demo numbers, not real registrations.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.apps import apps

from okienko.accounts import actions as account_actions
from okienko.accounts.models import Membership, Organisation, User
from okienko.accounts.roles import Role
from okienko.clients.identifiers import make_nip
from okienko.contracting import actions, settlement, sharing
from okienko.contracting.catalogue import ensure_catalogue
from okienko.contracting.models import (
    ActivationEvent,
    Contract,
    ContractAgreement,
    Direction,
    InstitutionProfile,
    Participant,
    Placement,
    SharedField,
    SharingPurpose,
    TrancheDefinition,
    TrancheLine,
    TrancheScheme,
    TriggerEvent,
)
from okienko.contracting.states import ContractStatus, ParticipantStatus, TrancheStatus
from okienko.contracting.validators import make_regon
from okienko.core import clock

VERSION = 1
DEMO_PASSWORD = "okienko-demo-2026"  # noqa: S105 - the documented demo accounts' password
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

# code, percent-or-amount, name, trigger, minimum days, evidence
SCHEMES: dict[str, tuple[str, list[tuple[str, str, str, int, bool]]]] = {
    "zlecenie-2014-20-30-50": (
        "Zlecenie 2014: 20% IPD, 30% zatrudnienie 14 dni, 50% utrzymanie 90 dni",
        [
            ("20.00", "Przyjęcie, diagnoza i indywidualny plan działania", TriggerEvent.INDIVIDUAL_PLAN, 0, True),
            ("30.00", "Zatrudnienie utrzymane co najmniej 14 dni", TriggerEvent.PLACEMENT, 14, False),
            ("50.00", "Zatrudnienie utrzymane 90 dni", TriggerEvent.PLACEMENT, 90, True),
        ],
    ),
    "zlecenie-2014-180": (
        "Zlecenie 2014 (wariant 180 dni): 20% IPD, 40% 90 dni, 40% 180 dni",
        [
            ("20.00", "Przyjęcie, diagnoza i indywidualny plan działania", TriggerEvent.INDIVIDUAL_PLAN, 0, True),
            ("40.00", "Zatrudnienie utrzymane 90 dni", TriggerEvent.PLACEMENT, 90, True),
            ("40.00", "Zatrudnienie utrzymane 180 dni", TriggerEvent.PLACEMENT, 180, True),
        ],
    ),
}


def _schemes() -> dict[str, TrancheScheme]:
    found = {}
    for code, (name, tranches) in SCHEMES.items():
        scheme, created = TrancheScheme.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            for order, (percent, tranche_name, trigger, days, evidence) in enumerate(tranches, start=1):
                TrancheDefinition.objects.create(
                    scheme=scheme,
                    order=order,
                    name=tranche_name,
                    trigger=trigger,
                    minimum_days=days,
                    percent=Decimal(percent),
                    evidence_required=evidence,
                )
        found[code] = scheme
    return found


def _second_agency() -> Organisation:
    agency, _created = Organisation.objects.get_or_create(
        code="agencja-nowy-start",
        defaults={
            "name": "Agencja Pracy Nowy Start sp. z o.o.",
            "short_name": "Nowy Start",
            "kind": Organisation.Kind.AGENCY,
        },
    )
    user = User.objects.filter(username="agencja.nowystart").first()
    if user is None:
        user = User(
            username="agencja.nowystart",
            first_name="Karolina",
            last_name="Dąbrowska",
            email="agencja.nowystart@okienko.example.pl",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    if not Membership.objects.filter(user=user, organisation=agency, role=Role.AGENCY_WORKER).exists():
        account_actions.grant_role(actor=None, user=user, organisation=agency, role=Role.AGENCY_WORKER)
    return agency


# The agency's place in the list below: its NIP is the same on the PUP's demo and on the agency
# edition's demo (``agency_demo``), so the two demo installations can be paired.
AGENCY_INDEX = 4


def _profiles(orgs: list[Organisation]) -> None:
    for index, org in enumerate(orgs, start=1):
        profile(org, index)


def profile(org: Organisation, index: int) -> None:
    """The demo institution profile (NIP, REGON, KRAZ, contact) of the ``index``-th institution."""
    InstitutionProfile.objects.get_or_create(
        organisation=org,
        defaults={
            "nip": make_nip(542_000_000 + index * 7919),
            "regon": make_regon(50_000_000 + index * 104_729),
            "kraz_number": f"{1000 + index}" if org.kind == Organisation.Kind.AGENCY else "",
            "contact_name": "Dział Aktywizacji" if org.kind != Organisation.Kind.AGENCY else "Biuro projektu",
            "contact_email": f"kontraktor@{org.code}.example.pl",
            "contact_phone": "85 000 00 00",
        },
    )


def _persons(office: Organisation, count: int) -> list[Any]:
    """Registered people of ``office``: from the imported export, else a few created here."""
    person_model = apps.get_model("contracting_registry", "RegisteredPerson")
    people = list(
        person_model.objects.filter(office=office, status__in=["unemployed", "job_seeker"]).order_by("pk")[:count]
    )
    if people:
        return people
    names = [("Anna", "Malinowska"), ("Piotr", "Jabłoński"), ("Ewa", "Sadowska"), ("Marcin", "Kruk")]
    for n, (first, last) in enumerate(names, start=1):
        person_model.objects.get_or_create(
            office=office,
            registry_id=f"DEMO-{office.code}-{n}",
            defaults={
                "first_name": first,
                "last_name": last,
                "birth_date": dt.date(1988, n, 10),
                "registered_on": dt.date(2025, 10, n),
                "status": "unemployed",
                "education_level": "secondary",
                "city": "Białystok",
            },
        )
    return list(person_model.objects.filter(office=office).order_by("pk")[:count])


def _contract(
    *,
    actor: User,
    office: Organisation,
    agency: Organisation,
    number: str,
    scheme: TrancheScheme,
    start: dt.date,
    months: int,
    region_office: Organisation | None = None,
    price: str = "6000.00",
) -> tuple[Contract, bool]:
    existing = Contract.objects.filter(office=office, number=number).first()
    if existing is not None:
        return existing, False
    contract = actions.create_contract(
        actor=actor,
        office=office,
        agency=agency,
        region_office=region_office,
        number=number,
        title="Zlecenie działań aktywizacyjnych dla osób długotrwale bezrobotnych",
        scheme=scheme,
        start_date=start,
        end_date=start + dt.timedelta(days=30 * months),
        legal_basis="art. 61b ustawy z dnia 20 kwietnia 2004 r. o promocji zatrudnienia i instytucjach rynku pracy",
        procurement_reference=f"ZP/{number}",
        agency_role=Contract.AgencyRole.PROCESSOR,
        end_policy=Contract.EndPolicy.ARCHIVE,
        planned_participants=60,
        price_per_participant=Decimal(price),
        indicators={"referred": 60, "admitted": 50, "placed": 30, "retained": 20},
    )
    actions.attach_agreement(
        actor=actor,
        contract=contract,
        kind=ContractAgreement.Kind.DATA_AGREEMENT,
        data=PDF,
        name="umowa-powierzenia-przetwarzania-danych.pdf",
    )
    return contract, True


def _to(contract: Contract, actor: Any, *statuses: str) -> None:
    for status in statuses:
        actions.change_contract_status(actor=actor, contract=contract, to=status)


def _share(office_user: User, contract: Contract, participants: list[Participant]) -> None:
    purpose = SharingPurpose.objects.get(code="activation")
    today = clock.local_now().date()
    request = sharing.create_request(
        actor=office_user,
        contract=contract,
        direction=Direction.OFFICE_TO_AGENCY,
        purpose=purpose,
        fields=["first_name", "last_name", "phone", "email", "education_level", "occupations", "work_history"],
        participants=participants,
        valid_from=today - dt.timedelta(days=140),
        valid_until=contract.end_date,
        submit=True,
    )
    sharing.decide_request(
        actor=office_user,
        request=request,
        approved_fields=["first_name", "last_name", "phone", "education_level", "occupations", "work_history"],
        note="Bez adresu e-mail: kontakt telefoniczny wystarcza.",
    )


def _walk(agency_user: User, participant: Participant, *statuses: str) -> None:
    for status in statuses:
        participant.refresh_from_db()
        actions.change_participant_status(actor=agency_user, participant=participant, to=status)


def _event(agency_user: User, participant: Participant, kind: str, days_ago: int, **details: Any) -> ActivationEvent:
    return actions.record_event(
        actor=agency_user,
        participant=participant,
        type=kind,
        occurred_at=clock.now() - dt.timedelta(days=days_ago),
        details=details,
    )


def _bialystok_story(office_user: User, agency_user: User, contract: Contract, stdout: Any) -> None:
    people = _persons(contract.office, 8)
    participants = actions.nominate(actor=office_user, contract=contract, persons=people)
    if len(participants) < 4:
        stdout.write("demo: Kontraktor — too few registered people in PUP Białystok, story shortened")
        return
    _share(office_user, contract, participants[:6])
    today = clock.local_now().date()
    for p in participants[:5]:
        p.refresh_from_db()
        actions.refer(actor=office_user, participant=p, on=today - dt.timedelta(days=130))
    placed, recent, active, admitted = participants[0], participants[1], participants[2], participants[3]
    for p in (placed, recent, active):
        _walk(agency_user, p, ParticipantStatus.ADMITTED)
        _event(agency_user, p, ActivationEvent.Type.MEETING, 125, topic="Spotkanie wstępne")
        _event(agency_user, p, ActivationEvent.Type.DIAGNOSIS, 122, summary="Diagnoza potrzeb i barier")
        plan = _event(agency_user, p, ActivationEvent.Type.INDIVIDUAL_PLAN, 120, goals=["szkolenie", "zatrudnienie"])
        actions.attach_evidence(actor=agency_user, event=plan, data=PDF, name="indywidualny-plan-dzialania.pdf")
        _walk(agency_user, p, ParticipantStatus.PLAN_AGREED, ParticipantStatus.IN_ACTIVATION)
        _event(
            agency_user,
            p,
            ActivationEvent.Type.TRAINING,
            115,
            name="Operator wózków jezdniowych",
            hours_planned=40,
            hours_attended=36,
        )
    _walk(agency_user, admitted, ParticipantStatus.ADMITTED)
    _event(agency_user, admitted, ActivationEvent.Type.CONTACT, 3, channel="telefon", summary="Umówiono diagnozę")

    _event(
        agency_user, placed, ActivationEvent.Type.JOB_OFFER, 105, position="magazynier", employer="Logistyka Podlasie"
    )
    old_job = actions.record_placement(
        actor=agency_user,
        participant=placed,
        employer_nip=make_nip(966_100_000),
        employer_name="Logistyka Podlasie sp. z o.o.",
        position="magazynier",
        occupation_code="432103",
        contract_type=Placement.ContractType.EMPLOYMENT,
        working_time=Decimal("1.000"),
        start_date=today - dt.timedelta(days=100),
        verified_by=Placement.Verification.CONTRACT_COPY,
    )
    for check in old_job.retention_checks.order_by("days"):
        event = actions.record_retention_check(
            actor=agency_user, check=check, employed=True, details={"source": "potwierdzenie pracodawcy"}
        )
        actions.attach_evidence(actor=agency_user, event=event, data=PDF, name=f"potwierdzenie-{check.days}-dni.pdf")
    actions.record_placement(
        actor=agency_user,
        participant=recent,
        employer_nip=make_nip(966_200_000),
        employer_name="Piekarnia Złoty Kłos",
        position="pomocnik piekarza",
        occupation_code="751204",
        contract_type=Placement.ContractType.EMPLOYMENT,
        working_time=Decimal("0.750"),
        start_date=today - dt.timedelta(days=10),
        verified_by=Placement.Verification.EMPLOYER,
    )
    settlement.refresh_tranche_lines(contract=contract)
    lines = TrancheLine.objects.filter(participant__contract=contract, status=TrancheStatus.ELIGIBLE).select_related(
        "definition", "participant__contract"
    )
    for line in lines:
        settlement.claim_tranche(actor=agency_user, line=line)
        settlement.verify_claim(actor=office_user, line=line)
        settlement.approve_claim(actor=office_user, line=line)
    item = settlement.open_settlement(
        actor=agency_user,
        contract=contract,
        period_start=contract.start_date,
        period_end=today,
    )
    if item.lines.exists():
        settlement.submit_settlement(actor=agency_user, settlement=item, invoice_reference="FV/2026/0042")
        settlement.accept_settlement(actor=office_user, settlement=item)
    # The office asks to see the agency's records of the placed participants: the agency decides.
    sharing.create_request(
        actor=office_user,
        contract=contract,
        direction=Direction.AGENCY_TO_OFFICE,
        purpose=SharingPurpose.objects.get(code="monitoring"),
        fields=["events", "placements", "documents"],
        participants=[placed, recent],
        valid_from=today,
        valid_until=contract.end_date,
        submit=True,
    )
    actions.send_message(
        actor=office_user,
        contract=contract,
        body="Prosimy o przesłanie listy obecności ze szkolenia do końca tygodnia.",
        participant_ref=active.ref,
    )
    actions.send_message(actor=agency_user, contract=contract, body="Lista zostanie dołączona jako dowód do zdarzenia.")


def load(*, stdout: Any) -> None:
    ensure_catalogue(SharedField, SharingPurpose)
    schemes = _schemes()
    orgs = {
        o.code: o
        for o in Organisation.objects.filter(
            code__in=["wup-bialystok", "pup-bialystok", "pup-lomza", "agencja-praca-plus"]
        )
    }
    users = {
        u.username: u for u in User.objects.filter(username__in=["kontrakty.bialystok", "kontrakty.lomza", "agencja"])
    }
    if len(orgs) < 4 or len(users) < 3:
        stdout.write("demo: Kontraktor skipped (the accounts demo's labour offices, agency and users are missing)")
        return
    second = _second_agency()
    _profiles([orgs["wup-bialystok"], orgs["pup-bialystok"], orgs["pup-lomza"], orgs["agencja-praca-plus"], second])
    office_b, office_l, agency_user = users["kontrakty.bialystok"], users["kontrakty.lomza"], users["agencja"]
    second_user = User.objects.get(username="agencja.nowystart")
    today = clock.local_now().date()
    cs = ContractStatus

    main, new = _contract(
        actor=office_b,
        office=orgs["pup-bialystok"],
        agency=orgs["agencja-praca-plus"],
        region_office=orgs["wup-bialystok"],
        number="WUP-ZDA/1/2026",
        scheme=schemes["zlecenie-2014-20-30-50"],
        start=today - dt.timedelta(days=150),
        months=12,
    )
    if new:
        _to(main, office_b, cs.SIGNED, cs.ACTIVE)
        _bialystok_story(office_b, agency_user, main, stdout)

    lomza, new = _contract(
        actor=office_l,
        office=orgs["pup-lomza"],
        agency=second,
        number="ZDA/2/2026",
        scheme=schemes["zlecenie-2014-180"],
        start=today - dt.timedelta(days=60),
        months=18,
        price="7200.00",
    )
    if new:
        _to(lomza, office_l, cs.SIGNED, cs.ACTIVE)
        people = _persons(lomza.office, 4)
        participants = actions.nominate(actor=office_l, contract=lomza, persons=people)
        if participants:
            _share(office_l, lomza, participants[:2])
            for p in participants[:2]:
                p.refresh_from_db()
                actions.refer(actor=office_l, participant=p, on=today - dt.timedelta(days=20))
            _walk(second_user, participants[0], ParticipantStatus.ADMITTED)
            _event(second_user, participants[0], ActivationEvent.Type.MEETING, 15, topic="Spotkanie wstępne")

    _contract(
        actor=office_b,
        office=orgs["pup-bialystok"],
        agency=second,
        number="ZDA/3/2026",
        scheme=schemes["zlecenie-2014-20-30-50"],
        start=today + dt.timedelta(days=30),
        months=12,
    )
    signed, new_signed = _contract(
        actor=office_l,
        office=orgs["pup-lomza"],
        agency=orgs["agencja-praca-plus"],
        number="ZDA/4/2026",
        scheme=schemes["zlecenie-2014-20-30-50"],
        start=today + dt.timedelta(days=14),
        months=12,
    )
    if new_signed:
        _to(signed, office_l, cs.SIGNED)
    ended, new_ended = _contract(
        actor=office_b,
        office=orgs["pup-bialystok"],
        agency=orgs["agencja-praca-plus"],
        number="ZDA/7/2025",
        scheme=schemes["zlecenie-2014-20-30-50"],
        start=today - dt.timedelta(days=400),
        months=12,
        price="5000.00",
    )
    if new_ended:
        _to(ended, office_b, cs.SIGNED, cs.ACTIVE, cs.ENDED, cs.SETTLING)
    stdout.write(
        f"  Kontraktor: {Contract.objects.count()} contracts, {Participant.objects.count()} participants, "
        f"{TrancheLine.objects.count()} tranche lines"
    )
