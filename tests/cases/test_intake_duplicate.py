"""Opening a case at the desk that repeats an open one is one intent in one transaction (issue 11, item 4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from okienko.cases import actions
from okienko.cases.models import Case
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db

FORM = {"description": "Hole again", "q_size": "small", "latitude": "51.759", "longitude": "19.457", "channel": "phone"}


def test_a_consultant_registers_a_repeat_merged_into_the_original(city: City, frozen: Any, client: Client) -> None:
    original = open_pothole(city)
    client.force_login(city.consultant)
    response = client.post(
        "/desk/cases/new/", {**FORM, "service": str(city.pothole.uuid), "duplicate_of": str(original.pk)}
    )
    repeat = Case.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302
    assert (repeat.status, repeat.duplicate_of_id) == ("duplicate", original.pk)


def test_a_refused_merge_leaves_no_half_registered_case(city: City, frozen: Any) -> None:
    elsewhere = open_pothole(city)
    elsewhere.organisation = city.other_city
    elsewhere.save()
    with pytest.raises(actions.OutOfScope):
        actions.open_duplicate_case(
            actor=city.consultant,
            into=elsewhere,
            organisation=city.city,
            service=city.pothole,
            description="Hole again",
            channel="phone",
            location={"latitude": "51.759", "longitude": "19.457"},
            answers={"size": "small"},
        )
    assert Case.objects.count() == 1
