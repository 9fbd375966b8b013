from __future__ import annotations

from collections.abc import Callable

import pytest

from okienko.accounts import access
from okienko.accounts.models import Organisation, ScopeGrant, User
from okienko.accounts.roles import Perm, Role


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


@pytest.mark.django_db
def test_county_consultant_sees_own_office_and_its_departments_only(
    region: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(roles=[(org("pup-a"), Role.CONSULTANT)])
    visible = set(access.organisations_with(user, Perm.CLIENTS_VIEW).values_list("code", flat=True))
    assert visible == {"pup-a", "pup-a-dept"}
    assert access.has_perm_in(user, Perm.CLIENTS_VIEW, org("pup-a-dept"))
    assert not access.has_perm_in(user, Perm.CLIENTS_VIEW, org("pup-b"))
    assert not access.has_perm_in(user, Perm.CLIENTS_VIEW, org("wup"))


@pytest.mark.django_db
def test_consultant_cannot_work_cases_or_configure(region: Organisation, make_user: Callable[..., User]) -> None:
    user = make_user(roles=[(org("pup-a"), Role.CONSULTANT)])
    assert not access.has_perm_in(user, Perm.CASES_WORK, org("pup-a"))
    assert not access.has_perm_in(user, Perm.CONFIGURE, org("pup-a"))


@pytest.mark.django_db
def test_region_supervisor_covers_every_county_office(region: Organisation, make_user: Callable[..., User]) -> None:
    user = make_user(roles=[(region, Role.SUPERVISOR)])
    visible = set(access.organisations_with(user, Perm.CASES_ASSIGN).values_list("code", flat=True))
    assert visible == {"wup", "pup-a", "pup-a-dept", "pup-b", "pup-b-dept"}
    assert not access.has_perm_in(user, Perm.CASES_ASSIGN, org("city"))


@pytest.mark.django_db
def test_narrowed_membership_excludes_sub_organisations(region: Organisation, make_user: Callable[..., User]) -> None:
    user = make_user()
    user.memberships.create(organisation=org("pup-a"), role=Role.EXPERT, include_descendants=False)
    assert access.has_perm_in(user, Perm.CASES_WORK, org("pup-a"))
    assert not access.has_perm_in(user, Perm.CASES_WORK, org("pup-a-dept"))


@pytest.mark.django_db
def test_scope_grant_extends_a_permission_to_another_office(
    region: Organisation, make_user: Callable[..., User]
) -> None:
    ScopeGrant.objects.create(
        grantee=org("pup-a"), target=org("pup-b"), permission=Perm.CLIENTS_VIEW, reason="overflow"
    )
    user = make_user(roles=[(org("pup-a"), Role.CONSULTANT)])
    assert access.has_perm_in(user, Perm.CLIENTS_VIEW, org("pup-b"))
    assert access.has_perm_in(user, Perm.CLIENTS_VIEW, org("pup-b-dept"))
    assert not access.has_perm_in(user, Perm.CLIENTS_EDIT, org("pup-b"))


@pytest.mark.django_db
def test_inactive_and_anonymous_users_have_no_permissions(region: Organisation, make_user: Callable[..., User]) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = make_user(roles=[(region, Role.SUPERVISOR)])
    user.is_active = False
    assert not access.has_perm_in(user, Perm.CLIENTS_VIEW, region)
    assert not access.has_perm_in(AnonymousUser(), Perm.CLIENTS_VIEW, region)
    assert not access.organisations_with(AnonymousUser(), Perm.CLIENTS_VIEW).exists()


@pytest.mark.django_db
def test_every_role_has_a_permission_set() -> None:
    from okienko.accounts.roles import ROLE_PERMISSIONS

    assert set(ROLE_PERMISSIONS) == set(Role.values)


@pytest.mark.django_db
def test_organisation_path_follows_the_tree(region: Organisation) -> None:
    dept = org("pup-a-dept")
    assert dept.path == "/wup/pup-a/pup-a-dept/"
    assert [o.code for o in dept.ancestors()] == ["wup", "pup-a"]
    assert dept.is_within(region)
