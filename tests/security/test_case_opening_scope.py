"""Who may open cases where: no prefix shortcuts across jurisdictions (issue 10, defect 7)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.cases import actions
from okienko.cases.access import can_open_in
from okienko.cases.models import Case
from okienko.catalogue.models import Service, ServiceCategory

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


@pytest.fixture
def regional_service(region: Organisation) -> Service:
    category = ServiceCategory.objects.create(organisation=region, code="c", name="c")
    return Service.objects.create(organisation=region, code="cert", category=category, public_name="Zaświadczenie")


def test_county_consultant_may_not_open_cases_in_the_regional_office(region: Organisation, make_user: MakeUser) -> None:
    county = make_user("konsultant.a", roles=[(org("pup-a"), Role.CONSULTANT)])
    department = make_user("ekspert.a", roles=[(org("pup-a-dept"), Role.EXPERT)])
    assert not can_open_in(county, region)
    assert not can_open_in(department, region)
    assert can_open_in(county, org("pup-a"))
    assert can_open_in(department, org("pup-a"))
    assert not can_open_in(county, org("pup-b"))


def test_a_units_staff_open_cases_of_their_own_city(region: Organisation, make_user: MakeUser) -> None:
    unit_expert = make_user("ekspert.unit", roles=[(org("city-unit"), Role.EXPERT)])
    assert can_open_in(unit_expert, org("city"))
    assert not can_open_in(unit_expert, region)


def test_open_case_in_the_regional_office_is_refused_for_a_county_consultant(
    region: Organisation, make_user: MakeUser, regional_service: Service
) -> None:
    county = make_user("konsultant.a", roles=[(org("pup-a"), Role.CONSULTANT)])
    with pytest.raises(PermissionDenied):
        actions.open_case(actor=county, organisation=region, service=regional_service, description="x", channel="phone")
    assert not Case.objects.exists()


def test_api_token_of_a_county_office_cannot_open_a_regional_case(
    region: Organisation, regional_service: Service, token_client: Callable[..., APIClient]
) -> None:
    api = token_client(org("pup-a"), ["cases:read", "cases:write"], role=Role.CONSULTANT)
    response = api.post(
        "/api/v1/cases/",
        {"organisation": "wup", "service": "cert", "description": "x", "channel": "phone"},
        format="json",
    )
    assert response.status_code in (400, 403)
    assert not Case.objects.exists()
