"""Labour-office and Kontraktor figures (issue 20, item 8): per county office and for the region.

For a period and the labour offices in the reader's scope: job seekers and registered unemployed
in contact with the office (distinct clients with a contact recorded by the office or its
departments), job offers published (verified and from employers), offers by occupation group
(the first digit of the KZiS code), alerts sent to job seekers, and for the office's Kontraktor
contracts the participants, placements recorded in the period and settlements accepted or paid.
Counts only, read from the replica; nothing here names a person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from okienko.accounts.models import Organisation
from okienko.clients.models import Client
from okienko.contracting.models import Contract, Participant, Placement, Settlement
from okienko.interactions.models import Interaction
from okienko.jobs.alerts.models import Alert
from okienko.jobs.models import JobOffer
from okienko.reports.rollups import day_range
from okienko.reports.routers import read_alias

LABOUR_OFFICES = (Organisation.Kind.COUNTY_OFFICE, Organisation.Kind.REGION_OFFICE)
SEEKERS = (Client.Status.UNEMPLOYED, Client.Status.JOB_SEEKER)
PAID = ("accepted", "paid")


@dataclass
class OfficeLine:
    name: str
    seekers_contacted: int = 0
    offers: int = 0
    offers_verified: int = 0
    alerts: int = 0
    contracts: int = 0
    participants: int = 0
    placements: int = 0
    settled: Decimal = field(default_factory=lambda: Decimal("0.00"))


@dataclass
class Labour:
    offices: list[OfficeLine]
    total: OfficeLine
    occupations: list[tuple[str, int]]


def offices_in(scope: Sequence[int]) -> list[Organisation]:
    """The labour offices among the reader's organisations (their subtrees are in ``scope``)."""
    return list(Organisation.objects.using(read_alias()).filter(pk__in=scope, kind__in=LABOUR_OFFICES).order_by("path"))


def figures(scope: Sequence[int], since: dt.date, until: dt.date) -> Labour:
    db = read_alias()
    start, _end = day_range(since)
    _start, end = day_range(until)
    offices = offices_in(scope)
    by_path = {o.path: o for o in offices}
    subtree: dict[int, int] = {}  # organisation → the nearest labour office above it (in scope)
    for org in Organisation.objects.using(db).filter(pk__in=scope).only("pk", "path"):
        owners = [o for path, o in by_path.items() if org.path.startswith(path)]
        if owners:
            subtree[org.pk] = max(owners, key=lambda o: len(o.path)).pk
    lines = {o.pk: OfficeLine(o.name) for o in offices}

    members: dict[int, list[int]] = defaultdict(list)
    for org_id, office_id in subtree.items():
        members[office_id].append(org_id)
    contacts = Interaction.objects.using(db).filter(
        started_at__gte=start, started_at__lt=end, client__status__in=SEEKERS
    )
    for office_id, org_ids in members.items():  # one query per office: a person counts once in it
        found = contacts.filter(organisation_id__in=org_ids).aggregate(n=Count("client_id", distinct=True))
        lines[office_id].seekers_contacted = found["n"] or 0

    offers = JobOffer.objects.using(db).filter(office_id__in=list(lines), published_at__gte=start, published_at__lt=end)
    for row in offers.values("office_id", "origin").annotate(n=Count("pk")):
        line = lines[row["office_id"]]
        line.offers += row["n"]
        if row["origin"] == "office":
            line.offers_verified += row["n"]
    groups: dict[str, int] = defaultdict(int)
    for code, n in offers.values_list("occupation_code").annotate(n=Count("pk")):
        groups[(code or "?")[:1]] += n

    alerts = (
        Alert.objects.using(db)
        .filter(search__office_id__in=list(lines), sent_at__gte=start, sent_at__lt=end)
        .values("search__office_id")
        .annotate(n=Count("pk"))
    )
    for row in alerts:
        lines[row["search__office_id"]].alerts += row["n"]

    contracts = Contract.objects.using(db).filter(office_id__in=list(lines))
    for row in contracts.values("office_id").annotate(n=Count("pk")):
        lines[row["office_id"]].contracts += row["n"]
    participants = Participant.objects.using(db).filter(contract__office_id__in=list(lines))
    for row in participants.values("contract__office_id").annotate(n=Count("pk")):
        lines[row["contract__office_id"]].participants += row["n"]
    placed = Placement.objects.using(db).filter(
        participant__contract__office_id__in=list(lines), created_at__gte=start, created_at__lt=end
    )
    for row in placed.values("participant__contract__office_id").annotate(n=Count("pk")):
        lines[row["participant__contract__office_id"]].placements += row["n"]
    settled = Settlement.objects.using(db).filter(
        Q(status__in=PAID), contract__office_id__in=list(lines), updated_at__gte=start, updated_at__lt=end
    )
    for row in settled.values("contract__office_id").annotate(total=Sum("total")):
        lines[row["contract__office_id"]].settled += row["total"] or Decimal("0.00")

    total = OfficeLine("")
    for line in lines.values():
        for name in (
            "seekers_contacted",
            "offers",
            "offers_verified",
            "alerts",
            "contracts",
            "participants",
            "placements",
            "settled",
        ):
            setattr(total, name, getattr(total, name) + getattr(line, name))
    occupations = sorted(groups.items(), key=lambda item: (-item[1], item[0]))
    return Labour(offices=list(lines.values()), total=total, occupations=occupations)
