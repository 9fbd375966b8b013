"""The jobs demo: real ads when the shared data sets are there, synthetic offers otherwise."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from okienko.jobs import demo
from okienko.jobs.models import Employer, JobOffer
from okienko.jobs.states import OfferStatus

pytestmark = pytest.mark.django_db


def test_parse_pay() -> None:
    assert demo.parse_pay("5 000-6 000 zł brutto / mies.") == (Decimal("5000.00"), Decimal("6000.00"), "month")
    assert demo.parse_pay("od 3300 zł UoP brutto/mies.") == (Decimal("3300.00"), None, "month")
    assert demo.parse_pay("25-30 zł/godz.") == (Decimal("25.00"), Decimal("30.00"), "hour")
    assert demo.parse_pay("do uzgodnienia") == (None, None, "month")


@pytest.mark.slow
def test_demo_without_shared_data(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    call_command("demo", "--only", "accounts", "jobs", stdout=io.StringIO())
    assert JobOffer.objects.filter(status=OfferStatus.PUBLISHED).count() == 20
    assert Employer.objects.get(name="Hurtownia Podlasie Sp. z o.o.").is_verified
    pending = JobOffer.objects.get(status=OfferStatus.SUBMITTED)
    assert not pending.employer.is_verified
    assert {f["code"] for f in pending.flags} >= {
        "discrimination.age",
        "discrimination.appearance",
        "title.not_neutral",
    }
    call_command("demo", "--only", "jobs", stdout=io.StringIO())
    assert JobOffer.objects.count() == 21


@pytest.mark.slow
def test_demo_with_the_real_ads(settings: Any) -> None:
    source = Path(settings.DATA_DIR) / "pl-job-ads-kzis"
    if not source.is_dir():
        pytest.skip("the shared data sets are not here")
    call_command("demo", "--only", "accounts", "jobs", stdout=io.StringIO())
    published = JobOffer.objects.filter(status=OfferStatus.PUBLISHED)
    assert published.count() == demo.REAL_OFFERS
    with_pay = published.filter(pay_min__isnull=False)
    assert with_pay.exists()
    assert not with_pay.filter(historical=True).exists()
    assert published.filter(historical=True, pay_min__isnull=True).exists()
