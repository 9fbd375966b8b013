"""Issue 12, item 8: office names say the seat as Polish does ("w Augustowie", "w Łomży"), taken
from the organisation's seat-in-the-locative field, never the town's nominative after "w"."""

from __future__ import annotations

import io
import re

import pytest

from okienko.accounts import demo
from okienko.accounts.models import Organisation

pytestmark = pytest.mark.django_db


def test_demo_office_names_use_the_seat_in_the_locative() -> None:
    demo.load(stdout=io.StringIO())
    augustow = Organisation.objects.get(code="pup-augustow")
    assert (augustow.name, augustow.short_name) == ("Powiatowy Urząd Pracy w Augustowie", "PUP w Augustowie")
    assert Organisation.objects.get(code="pup-lomza").short_name == "PUP w Łomży"
    assert Organisation.objects.get(code="pup-wysokie-mazowieckie").seat_locative == "w Wysokiem Mazowieckiem"
    offices = Organisation.objects.filter(kind=Organisation.Kind.COUNTY_OFFICE)
    assert offices.count() == 14
    for office in offices:
        assert office.seat_locative.startswith("w ")
        assert office.name.endswith(office.seat_locative), office.code
        assert office.short_name == f"PUP {office.seat_locative}"
    towns = {town for _code, town, *_rest in demo.COUNTY_OFFICES}
    for office in Organisation.objects.all():  # no "w Augustów", "w Łomża"
        assert not any(re.search(rf"\bw {re.escape(town)}\b", office.name) for town in towns), office.name


def test_the_admin_names_the_field_in_polish() -> None:
    from django.utils import translation

    with translation.override("pl"):
        field = Organisation._meta.get_field("seat_locative")
        assert str(field.verbose_name) != "seat, after “in”"
        assert "w Łomży" in str(field.help_text)
