"""The demo's city has complaints and a petition (issue 20, item 3): the quality report of
``make run`` shows a complaint past its statutory month, one answered in time and a petition."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.reports import quality

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_city_has_complaints_and_a_petition() -> None:
    call_command("demo", "--only", "accounts", "catalogue", "cases", stdout=io.StringIO())
    lodz = Organisation.objects.get(code="lodz")
    now = clock.now()
    lines = quality.report([lodz.pk], now - dt.timedelta(days=60), now + dt.timedelta(days=1), now)
    special = {x.case_type: x for x in lines if x.special}
    assert special["complaint"].special == 3
    assert special["complaint"].special_late == 1
    assert special["petition"].special == 1
    assert any(x.resolution_office_hours is not None for x in lines)
