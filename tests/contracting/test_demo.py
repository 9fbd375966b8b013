"""The Kontraktor demo tells the whole story, after the accounts and registry demos, twice over."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from okienko.accounts import demo as accounts_demo
from okienko.contracting import accesslog
from okienko.contracting import demo as contracting_demo
from okienko.contracting.models import (
    Contract,
    DataSharingRequest,
    Participant,
    Placement,
    Settlement,
    SharedRecord,
    TrancheLine,
)
from okienko.contracting.registry import demo as registry_demo
from okienko.contracting.states import ContractStatus, SharingStatus

pytestmark = pytest.mark.django_db


def test_the_demo_story(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    accounts_demo.load(stdout=out)
    registry_demo.load(stdout=out)
    contracting_demo.load(stdout=out)
    statuses = set(Contract.objects.values_list("status", flat=True))
    assert {ContractStatus.ACTIVE, ContractStatus.DRAFT, ContractStatus.SIGNED, ContractStatus.SETTLING} <= statuses
    main = Contract.objects.get(number="WUP-ZDA/1/2026")
    assert main.participants.count() == 8
    assert Placement.objects.filter(participant__contract=main).count() == 2
    assert SharedRecord.objects.filter(request__contract=main).count() == 6
    assert Settlement.objects.filter(contract=main).get().total > 0
    assert TrancheLine.objects.filter(participant__contract=main, status="approved").exists() is False
    assert DataSharingRequest.objects.filter(contract=main, status=SharingStatus.SUBMITTED).count() == 1
    assert accesslog.verify().ok
    before = Participant.objects.count()
    contracting_demo.load(stdout=out)
    assert Participant.objects.count() == before
