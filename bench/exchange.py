"""Kontraktor's exchange between installations (issue 18): a large package and many small messages.

    .venv/bin/python bench/exchange.py --participants 10000 --events 5 --messages 2000

In one database, an agency (the sender, whose private key the script keeps in memory) and a
labour office (the receiver) are set up as two installations would see each other: the agency is
the office's confirmed partner. ``--participants`` participants of a running contract get
``--events`` activation events and one placement each, and the office's request for the agency's
records covers them all.

- *export + sign + encrypt*: the agency's records of every participant read from the database in
  batches (``sources.agency_records_many``), packed as one ``data.package``, signed (Ed25519) and
  encrypted to the office's X25519 key (the whole ``envelope.seal``);
- *import + verify + decrypt*: ``inbound.receive`` of that envelope — signature, freshness,
  replay, decryption, hash, schema, the scope checks, the records stored and every transfer in the
  hash-chained access log;
- *small messages verified per second on one core*: ``envelope.open_envelope`` of ``--messages``
  distinct signed ``contract.status`` messages (this process is single-threaded).

Targets: 10 s, 10 s and 1,000 messages/s. ``--database-url`` chooses the database (default: a
SQLite file in ``var/bench-exchange``; a ``postgres://`` URL is created when missing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=5)
    parser.add_argument("--messages", type=int, default=2_000)
    args = parser.parse_args()

    var_dir = ROOT / "var" / "bench-exchange"
    var_dir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{var_dir / 'bench.sqlite3'}"
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("OKIENKO_PROFILE", "dev")
    os.environ.setdefault("OKIENKO_DEBUG", "0")
    os.environ.setdefault("OKIENKO_VAR_DIR", str(var_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    from benchlib import setup_django

    setup_django(url, var_dir)

    from okienko.accounts.models import Organisation, User
    from okienko.contracting import sources
    from okienko.contracting.exchange import envelope, inbound, keys, partners
    from okienko.contracting.exchange.models import InstitutionKey, KeyUse
    from okienko.contracting.models import (
        ActivationEvent,
        Contract,
        DataSharingRequest,
        InstitutionProfile,
        Participant,
        Placement,
        SharingPurpose,
        TrancheScheme,
    )
    from okienko.core import clock

    stamp = int(time.time())
    now = clock.now()
    today = clock.local_now().date()
    admin = User.objects.create_user(username=f"bench-exchange-{stamp}")
    office = Organisation.objects.create(code=f"bx-pup-{stamp}", name="PUP", kind=Organisation.Kind.COUNTY_OFFICE)
    InstitutionProfile.objects.create(organisation=office, nip="9662112843")
    agency = Organisation.objects.create(code=f"bx-ag-{stamp}", name="Agencja", kind=Organisation.Kind.AGENCY)
    InstitutionProfile.objects.create(organisation=agency, nip="5423240211")
    keys.ensure_keys(office)
    keys.ensure_keys(agency)
    card = partners.signed_card(agency)
    signing = keys.current(agency, KeyUse.SIGN)
    office_enc = next(k for k in partners.card_of(office)["keys"] if k["use"] == "enc")
    InstitutionKey.objects.filter(organisation=agency).delete()
    partner = partners.register(partners.read_card(card), actor=admin)
    partners.confirm(partner, actor=admin, fingerprint=partners.signing_fingerprint(partner.card))

    scheme = TrancheScheme.objects.order_by("pk").first() or TrancheScheme.objects.create(code="bx", name="bx")
    contract = Contract.objects.create(
        number=f"BX/{stamp}",
        office=office,
        agency=agency,
        legal_basis="bench",
        start_date=today - dt.timedelta(days=100),
        end_date=today + dt.timedelta(days=300),
        planned_participants=args.participants,
        price_per_participant=Decimal("5000.00"),
        tranche_scheme=scheme,
        agency_role=Contract.AgencyRole.PROCESSOR,
        end_policy=Contract.EndPolicy.DELETE,
        status="active",
        created_at=now,
        updated_at=now,
    )
    built = time.perf_counter()
    people = Participant.objects.bulk_create(
        [
            Participant(contract=contract, status="in_activation", nominated_at=now, updated_at=now)
            for _ in range(args.participants)
        ],
        batch_size=2000,
    )
    people = list(Participant.objects.filter(contract=contract).order_by("id"))
    kinds = ["meeting", "diagnosis", "individual_plan", "training", "job_offer", "contact"]
    ActivationEvent.objects.bulk_create(
        [
            ActivationEvent(
                participant=p,
                type=kinds[i % len(kinds)],
                occurred_at=now - dt.timedelta(days=i),
                details={"note": "Spotkanie z doradcą, omówienie ścieżki zawodowej"},
                institution=agency,
                created_at=now,
            )
            for p in people
            for i in range(args.events)
        ],
        batch_size=5000,
    )
    Placement.objects.bulk_create(
        [
            Placement(
                participant=p,
                employer_nip="1234563218",
                employer_name="Hurtownia Sp. z o.o.",
                position="magazynier",
                occupation_code="432103",
                contract_type="employment",
                working_time=Decimal("1.0"),
                start_date=today - dt.timedelta(days=20),
                verified_by="employer",
                institution=agency,
                created_at=now,
            )
            for p in people
        ],
        batch_size=5000,
    )
    purpose = SharingPurpose.objects.filter(direction="agency_to_office").first()
    assert purpose is not None
    scope = sorted(purpose.allowed_codes() & {"events", "placements"})
    request = DataSharingRequest.objects.create(
        contract=contract,
        direction="agency_to_office",
        requester=office,
        approver=agency,
        purpose=purpose,
        legal_basis="bench",
        requested_fields=scope,
        approved_fields=scope,
        valid_from=today - dt.timedelta(days=1),
        valid_until=today + dt.timedelta(days=100),
        status="approved",
        created_at=now,
    )
    through = DataSharingRequest.participants.through
    through.objects.bulk_create(
        [through(datasharingrequest_id=request.pk, participant_id=p.pk) for p in people], batch_size=5000
    )
    print(
        f"built {args.participants} participants with {args.events} events each in {time.perf_counter() - built:.1f} s"
    )

    started = time.perf_counter()
    records = sources.agency_records_many(people, scope)
    body = {
        "request": str(request.uuid),
        "direction": "agency_to_office",
        "records": [
            {
                "ref": p.ref,
                "record_id": str(uuid.uuid4()),
                "fields": records[p.pk],
                "sha256": envelope.sha256(envelope.canonical(records[p.pk])),
            }
            for p in people
        ],
    }
    sealed = envelope.seal(
        sender=agency,
        receiver=keys.institution_id(office),
        type="data.package",
        body=body,
        encrypt_to_jwk=office_enc,
        contract=str(contract.uuid),
        correlation_id=str(request.uuid),
        signing=signing,
    )
    export_s = time.perf_counter() - started
    size_mb = len(sealed.envelope) / 1e6
    print(f"export + sign + encrypt: {export_s:.2f} s ({size_mb:.1f} MB envelope)")

    started = time.perf_counter()
    receipt = inbound.receive(sealed.envelope, transport="file")
    import_s = time.perf_counter() - started
    assert receipt.outcome == "applied", (receipt.outcome, receipt.reason, receipt.detail)
    print(f"import + verify + decrypt + store: {import_s:.2f} s ({receipt.outcome})")

    small = [
        envelope.seal(
            sender=agency,
            receiver=keys.institution_id(office),
            type="contract.status",
            body={"from": "active", "to": "suspended", "at": now.isoformat()},
            contract=str(contract.uuid),
            signing=signing,
        ).envelope
        for _ in range(args.messages)
    ]
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("for raw in small: envelope.open_envelope(raw)", globals(), locals(), sort="cumtime")
    for raw in small:
        envelope.open_envelope(raw)
    rate = args.messages / (time.perf_counter() - started)
    print(f"small messages verified: {rate:.0f}/s on one core")
    print(
        f"| {args.participants:,} participants × {args.events} events | {export_s:.2f} s | {import_s:.2f} s | "
        f"{rate:,.0f}/s | {url.split(':', 1)[0]} |"
    )


if __name__ == "__main__":
    main()
