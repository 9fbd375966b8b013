"""The whole Kontraktor story between two installations with their own databases (issue 18):
the office offers the contract, nominates people and shares approved fields; the agency works
with them and, on the office's request it accepts, sends its records back. Every package is
signed, encrypted where it carries personal data, checked and logged on both sides, and the
agency's database never holds a field outside the approved scope."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.twoinst.conftest import Installations
from tests.twoinst.twin import Twin

pytestmark = pytest.mark.slow

SHIP_FILE_OUT = """
import base64
from okienko.contracting.exchange import transport_file
from okienko.contracting.exchange.models import Partner

partner = Partner.objects.get()
result = base64.b64encode(transport_file.export_file(partner)).decode()
"""

SHIP_FILE_IN = """
import base64
from okienko.contracting.exchange import transport_file

report = transport_file.import_file(base64.b64decode(data))
result = [[r.outcome, r.reason, r.text, r.type] for r in report.lines]
"""

PUSH = """
from okienko.contracting.exchange import transport_https
from okienko.contracting.exchange.models import PushDelivery

done = 0
for _ in range(20):
    attempted = transport_https.push_due()
    done += attempted
    if not attempted:
        break
failed = list(PushDelivery.objects.exclude(status="delivered").values_list("status", "last_error"))
result = {"pushed": done, "failed": failed}
"""


def ship(source: Twin, target: Twin) -> list[list[str]]:
    """Move every pending message from ``source`` to ``target`` as a file carried by hand."""
    data = source.run(SHIP_FILE_OUT)
    return target.run(SHIP_FILE_IN, data=data)


def push(source: Twin) -> int:
    """Push what ``source`` queued to its partner over HTTPS (the partner answers with signed acks)."""
    outcome = source.run(PUSH)
    stuck = [f for f in outcome["failed"] if f[0] != "pending" or f[1]]
    assert not stuck, stuck
    return int(outcome["pushed"])


def settle(inst: Installations, transport: str) -> None:
    """Exchange both ways until nothing is left (acknowledgements included); every message applies."""
    history: list[Any] = []
    for _round in range(6):
        if transport == "https":
            pushed = push(inst.pup) + push(inst.agency)
            history.append(pushed)
            if not pushed:
                return
            continue
        outcomes = ship(inst.pup, inst.agency) + ship(inst.agency, inst.pup)
        history.append(outcomes)
        refused = [o for o in outcomes if o[0] not in ("applied", "duplicate")]
        assert not refused, refused
        if not outcomes:
            return
    raise AssertionError(f"messages kept coming: {history}")


OFFER = """
import datetime as dt
from decimal import Decimal
from okienko.contracting import actions
from okienko.contracting.models import Contract, ContractAgreement, TrancheDefinition, TrancheScheme
from okienko.contracting.exchange.models import Partner
from okienko.accounts.models import User
from okienko.core import clock

office_user = User.objects.get(username="kierownik")
agency = Partner.objects.get().organisation
office = office_user.memberships.get().organisation
scheme, fresh = TrancheScheme.objects.get_or_create(code="test-20-30-50", defaults={"name": "20/30/50"})
TRANCHES = [(1, "individual_plan", 0, "20"), (2, "placement", 14, "30"), (3, "placement", 90, "50")]
for order, trigger, days, percent in TRANCHES if fresh else []:
    TrancheDefinition.objects.create(scheme=scheme, order=order, name=f"Transza {order}", trigger=trigger,
                                     minimum_days=days, percent=Decimal(percent), evidence_required=False)
today = clock.local_now().date()
contract = actions.create_contract(
    actor=office_user, office=office, agency=agency, number=number, scheme=scheme,
    start_date=today - dt.timedelta(days=30), end_date=today + dt.timedelta(days=365),
    legal_basis="art. 61b ustawy o promocji zatrudnienia", agency_role=Contract.AgencyRole.PROCESSOR,
    end_policy=Contract.EndPolicy.DELETE, planned_participants=50, price_per_participant=Decimal("4000.00"),
    indicators={"referred": 50, "placed": 20},
)
actions.attach_agreement(actor=office_user, contract=contract, kind=ContractAgreement.Kind.DATA_AGREEMENT,
                         data=b"%PDF-1.4\\n%%EOF\\n", name="umowa.pdf")
actions.change_contract_status(actor=office_user, contract=contract, to="signed")
actions.change_contract_status(actor=office_user, contract=contract, to="active")
result = str(contract.uuid)
"""

NOMINATE_AND_SHARE = """
import datetime as dt
from django.apps import apps
from okienko.contracting import actions, sharing
from okienko.contracting.models import Contract, SharingPurpose

Person = apps.get_model("contracting_registry", "RegisteredPerson")
contract = Contract.objects.get(uuid=contract_uuid)
people = [
    Person.objects.create(
        office=contract.office, registry_id=f"{prefix}{n:06d}", pesel=pesel, first_name=first, last_name=last,
        birth_date=dt.date(1990, 1, 1), email=f"{first.lower()}@example.pl", phone="600100200",
        street="ul. Lipowa 1", postcode="15-001", city="Testowo", registered_on=dt.date(2026, 1, 5),
        status="unemployed", education_level="secondary", occupations=[{"code": "411004", "edition": "2023"}],
        work_history=[], qualifications=[], past_activation=[],
    )
    for n, (pesel, first, last) in enumerate(people_rows)
]
participants = actions.nominate(actor=office_user, contract=contract, persons=people)
request = sharing.create_request(
    actor=office_user, contract=contract, direction="office_to_agency",
    purpose=SharingPurpose.objects.get(code="activation"),
    fields=["first_name", "last_name", "email", "education_level"], participants=participants,
    valid_from=today - dt.timedelta(days=1), valid_until=today + dt.timedelta(days=200), submit=True,
)
sharing.decide_request(actor=office_user, request=request, approved_fields=["first_name", "email", "education_level"])
for p in participants:
    p.refresh_from_db()
    actions.refer(actor=office_user, participant=p)
result = [p.ref for p in participants]
"""

AGENCY_READS = """
from okienko.accounts.models import User
from okienko.contracting import access
from okienko.contracting.models import Contract, Participant

agent = User.objects.get(username="agent")
contract = Contract.objects.get(uuid=contract_uuid)
views = [access.read_registry_data(agent, contract, ref).fields for ref in refs]
mine = Participant.objects.filter(contract=contract)
result = {"views": views, "statuses": sorted(mine.values_list("status", flat=True)),
          "contract": contract.status, "persons": Participant.objects.filter(person__isnull=False).count()}
"""

AGENCY_WORKS = """
import datetime as dt
from decimal import Decimal
from okienko.contracting import actions
from okienko.contracting.models import Participant
from okienko.core import clock

now = clock.now()
p = Participant.objects.get(ref=refs[0])
actions.change_participant_status(actor=agent, participant=p, to="admitted")
actions.record_event(actor=agent, participant=p, type="meeting", occurred_at=now, details={"note": "spotkanie"})
actions.record_event(actor=agent, participant=p, type="individual_plan", occurred_at=now)
p.refresh_from_db()
if p.status == "admitted":
    actions.change_participant_status(actor=agent, participant=p, to="plan_agreed")
p.refresh_from_db()
if p.status == "plan_agreed":
    actions.change_participant_status(actor=agent, participant=p, to="in_activation")
p.refresh_from_db()
actions.record_placement(
    actor=agent, participant=p, employer_nip="1234563218", position="magazynier", occupation_code="411004",
    contract_type="employment", working_time=Decimal("1.0"), start_date=clock.local_now().date(),
    verified_by="employer",
)
p.refresh_from_db()
result = p.status
"""

REQUEST_RECORDS = """
import datetime as dt
from okienko.contracting import sharing
from okienko.contracting.models import Contract, Participant, SharingPurpose

contract = Contract.objects.get(uuid=contract_uuid)
purpose = SharingPurpose.objects.filter(direction="agency_to_office").first()
request = sharing.create_request(
    actor=office_user, contract=contract, direction="agency_to_office", purpose=purpose,
    fields=sorted(purpose.allowed_codes()), participants=list(Participant.objects.filter(ref=refs[0])),
    valid_from=today - dt.timedelta(days=1), valid_until=today + dt.timedelta(days=100), submit=True,
)
result = str(request.uuid)
"""

AGENCY_DECIDES = """
from okienko.contracting import sharing
from okienko.contracting.models import DataSharingRequest

request = DataSharingRequest.objects.get(uuid=request_uuid)
sharing.decide_request(actor=agent, request=request, approved_fields=request.requested_fields)
request.refresh_from_db()
result = request.status
"""

OFFICE_READS = """
from okienko.contracting import access
from okienko.contracting.models import Contract, Participant

contract = Contract.objects.get(uuid=contract_uuid)
view = access.read_agency_records(office_user, contract, refs[0])
result = {"fields": sorted(view.fields), "events": [e.get("type") for e in view.fields.get("events", [])],
          "status": Participant.objects.get(ref=refs[0]).status}
"""

VERIFY_LOG = """
from okienko.contracting import accesslog
from okienko.contracting.exchange.models import ExchangeMessage

report = accesslog.verify()
waiting = ExchangeMessage.objects.filter(direction="out").exclude(status="acknowledged")
waiting = waiting.exclude(type="ack", status="sent")
result = {"broken_at": report.broken_at, "checked": report.checked,
          "unacknowledged": list(waiting.values_list("type", "status", "reason"))}
"""

PEOPLE = [("90010112345", "Zbigniewa", "Wójcikowska"), ("85050554321", "Grzegorz", "Brzęczyszczykiewicz")]


def _db_text(twin: Twin) -> str:
    with sqlite3.connect(twin.var_dir / "okienko.sqlite3") as db:
        dump = "\n".join(db.iterdump())
    return dump


@pytest.mark.parametrize("transport", ["file", "https"])
def test_the_whole_story(installations: Installations, transport: str) -> None:
    pup, agency = installations.pup, installations.agency
    if transport == "https":
        installations.serve_https()
    else:
        installations.stop_https()
    people = [(f"{pesel[:-1]}{len(transport)}", first, last) for pesel, first, last in PEOPLE]
    contract_uuid = pup.run(OFFER, number=f"ZL/{transport}/2026")
    refs = pup.run(NOMINATE_AND_SHARE, contract_uuid=contract_uuid, people_rows=people, prefix=transport[0].upper())
    settle(installations, transport)

    seen: dict[str, Any] = agency.run(AGENCY_READS, contract_uuid=contract_uuid, refs=refs)
    assert seen["contract"] == "active"
    assert seen["persons"] == 0  # the agency has no registry rows: only references and packages
    assert seen["statuses"] == ["referred", "referred"]
    assert {tuple(sorted(v)) for v in seen["views"]} == {("education_level", "email", "first_name")}
    assert {v["first_name"] for v in seen["views"]} == {"Zbigniewa", "Grzegorz"}
    dump = _db_text(agency)
    # Nothing outside the approved scope ever reached the agency's database.
    for pesel, _first, last in people:
        assert pesel not in dump
        assert last not in dump

    status = agency.run(AGENCY_WORKS, refs=refs)
    assert status == "placed"
    request_uuid = pup.run(REQUEST_RECORDS, contract_uuid=contract_uuid, refs=refs)
    settle(installations, transport)
    assert agency.run(AGENCY_DECIDES, request_uuid=request_uuid) == "active"
    settle(installations, transport)

    office: dict[str, Any] = pup.run(OFFICE_READS, contract_uuid=contract_uuid, refs=refs)
    assert office["status"] == "placed"
    assert "events" in office["fields"]
    assert {"meeting", "individual_plan"} <= set(office["events"])
    for twin in (pup, agency):
        state = twin.run(VERIFY_LOG)
        assert state["unacknowledged"] == [], state
        assert state["broken_at"] is None, state
        assert state["checked"] >= 2, state


FORGE = """
import base64, datetime as dt, json
from okienko.contracting.exchange import envelope, keys
from okienko.contracting.exchange.models import Partner
from okienko.contracting.models import Contract
from okienko.core import clock

office = Partner.objects.get().organisation.__class__.objects.get(code="pup-testowo")
contract = Contract.objects.get(uuid=contract_uuid)
agency_id = Partner.objects.get().institution_id
# The offer travels first, as it would.
from okienko.contracting.exchange import outbound


def status(**kw):
    return envelope.seal(sender=office, receiver=kw.pop("receiver", agency_id), type="contract.status",
                         body={"from": "active", "to": "suspended", "at": clock.now().isoformat()},
                         contract=str(contract.uuid), **kw)

good = status()
outer = json.loads(good.envelope)
payload = json.loads(base64.urlsafe_b64decode(outer["payload"] + "=="))
payload["purpose"] = "tampered"
outer["payload"] = base64.urlsafe_b64encode(envelope.canonical(payload)).decode().rstrip("=")
now = clock.now()
result = {
    "tampered": json.dumps(outer),
    "ahead": status(now=now + dt.timedelta(hours=2)).envelope,
    "behind": status(now=now - dt.timedelta(hours=2)).envelope,
    "misaddressed": status(receiver="PL-NIP-1234563218").envelope,
    "truncated": good.envelope[: len(good.envelope) // 3],
    "good": good.envelope,
    "replayed": status(message_id=good.message_id, now=now + dt.timedelta(seconds=1)).envelope,
}
"""

RECEIVE_EACH = """
from okienko.contracting.exchange import inbound
from okienko.contracting.models import Contract

result = {name: inbound.receive(raw, transport="https").reason or "applied" for name, raw in envelopes}
result["status"] = Contract.objects.get(uuid=contract_uuid).status
"""


def test_forged_stale_misaddressed_and_replayed_packages_are_refused(installations: Installations) -> None:
    pup, agency = installations.pup, installations.agency
    installations.stop_https()
    contract_uuid = pup.run(OFFER, number="ZL/forged/2026")
    settle(installations, "file")
    forged = pup.run(FORGE, contract_uuid=contract_uuid)
    order = ["tampered", "ahead", "behind", "misaddressed", "truncated"]
    reasons = agency.run(RECEIVE_EACH, envelopes=[[k, forged[k]] for k in order], contract_uuid=contract_uuid)
    assert reasons == {
        "tampered": "bad_signature",
        "ahead": "clock_skew",
        "behind": "expired",
        "misaddressed": "not_for_us",
        "truncated": "malformed",
        "status": "active",
    }
    # The genuine message applies once; the same id with other content is a replay.
    again = agency.run(
        RECEIVE_EACH,
        envelopes=[["good", forged["good"]], ["replayed", forged["replayed"]]],
        contract_uuid=contract_uuid,
    )
    assert again["good"] == "applied"
    assert again["replayed"] == "replayed"
    assert again["status"] == "suspended"


TRUST = """
from okienko.contracting.exchange.models import Partner

Partner.objects.update(status=status)
"""

RESYNC = """
from okienko.contracting.exchange import sync
from okienko.contracting.models import Contract

result = sync.resync_contract(Contract.objects.get(uuid=contract_uuid), actor=office_user)
"""

QUEUED = """
from okienko.contracting.exchange.models import ExchangeMessage

result = ExchangeMessage.objects.filter(direction="out", contract_uuid=contract_uuid).count()
"""


def test_a_contract_from_before_the_pairing_is_sent_whole(installations: Installations) -> None:
    """The demo's way: contracts, people and shared data existed before the agency got its own
    installation; the office sends them over once, and again harmlessly."""
    pup, agency = installations.pup, installations.agency
    installations.stop_https()
    pup.run(TRUST, status="suspended")
    try:
        contract_uuid = pup.run(OFFER, number="ZL/before/2026")
        people = [(f"{pesel[:-1]}7", first, last) for pesel, first, last in PEOPLE]
        refs = pup.run(NOMINATE_AND_SHARE, contract_uuid=contract_uuid, people_rows=people, prefix="B")
        assert pup.run(QUEUED, contract_uuid=contract_uuid) == 0
    finally:
        pup.run(TRUST, status="trusted")
    assert pup.run(RESYNC, contract_uuid=contract_uuid) > 0
    settle(installations, "file")
    seen: dict[str, Any] = agency.run(AGENCY_READS, contract_uuid=contract_uuid, refs=refs)
    assert seen["statuses"] == ["referred", "referred"]
    assert {v["first_name"] for v in seen["views"]} == {"Zbigniewa", "Grzegorz"}
    pup.run(RESYNC, contract_uuid=contract_uuid)
    settle(installations, "file")  # every message again: duplicates or no-ops, nothing refused
