from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core import audit


@pytest.mark.django_db
def test_administrator_filters_the_audit_log(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user("admin1", roles=[(region, Role.ADMINISTRATOR)]))
    audit.record("case.opened", actor=None, obj=region, organisation_id=region.pk, changes={"status": [None, "new"]})
    audit.record("client.viewed", actor=None, obj=region, organisation_id=region.pk)
    page = client.get("/desk/audit/", {"action": "case."}).content.decode()
    assert "case.opened" in page
    assert "client.viewed" not in page
    assert "status" in page


@pytest.mark.django_db
def test_administrator_reads_only_the_entries_of_their_organisations(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    city = Organisation.objects.get(code="city")
    client.force_login(make_user("admin.city", roles=[(city, Role.ADMINISTRATOR)]))
    audit.record(
        "clients.registered", actor=None, obj=region, organisation_id=region.pk, changes={"pesel": [None, "WOJ-PESEL"]}
    )
    audit.record("system.started", actor=None, obj=region, changes={"x": [None, "SYSTEMOWY"]})
    audit.record("case.opened", actor=None, obj=city, organisation_id=city.pk, changes={"status": [None, "MIEJSKI"]})
    page = client.get("/desk/audit/").content.decode()
    assert "MIEJSKI" in page
    assert "WOJ-PESEL" not in page
    assert "SYSTEMOWY" not in page


@pytest.mark.django_db
def test_administrator_verifies_the_chain_from_the_desk(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user("admin1", roles=[(region, Role.ADMINISTRATOR)]))
    audit.record("x", actor=None, obj=region)
    page = client.post("/desk/audit/").content.decode()
    assert "Łańcuch jest nienaruszony" in page
    # The count takes the Polish plural form: 1 wpis, 2–4 wpisy, 5+ wpisów (12–14 wpisów, 22 wpisy).
    found = re.search(r"sprawdzono (\d+) (wpis\w*)\.", page)
    assert found is not None
    n = int(found[1])
    few = n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14)
    assert found[2] == ("wpis" if n == 1 else "wpisy" if few else "wpisów")


@pytest.mark.django_db
def test_consultant_may_not_read_the_audit_log(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user("ola", roles=[(region, Role.CONSULTANT)]))
    assert client.get("/desk/audit/").status_code == 403


@pytest.mark.django_db
def test_staff_see_an_office_with_territory_and_hours(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    import datetime as dt

    region.office_hours.create(weekday=0, opens=dt.time(7, 30), closes=dt.time(15, 30))
    client.force_login(make_user("ola", roles=[(region, Role.CONSULTANT)]))
    page = client.get("/desk/organisations/pup-a/").content.decode()
    assert "PUP pup-a" in page
    assert "TERYT 2001" in page
    assert "Dept pup-a" in page
    week = client.get("/desk/organisations/wup/").content.decode()
    assert "poniedziałek 07:30–15:30" in week


@pytest.mark.django_db
def test_unknown_organisation_in_the_url_is_not_found(
    client: Client, region: Organisation, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user("ola", roles=[(region, Role.CONSULTANT)]))
    response = client.get("/desk/organisations/no-such-office/")
    assert response.status_code == 404
    assert "nie istnieje" in response.content.decode()


@pytest.mark.django_db
def test_admin_changes_including_inline_role_assignments_are_audited(client: Client, region: Organisation) -> None:
    from okienko.core.models import AuditRecord

    admin = User.objects.create_superuser("root", password="pass-1234-word")
    target = User.objects.create_user("ola", password="pass-1234-word")
    client.force_login(admin)
    response = client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        {
            "username": "ola",
            "first_name": "Ola",
            "last_name": "Nowa",
            "email": "",
            "is_active": "on",
            "preferred_language": "pl",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-organisation": str(region.pk),
            "memberships-0-role": Role.CONSULTANT,
            "memberships-0-include_descendants": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = AuditRecord.objects.get(action="admin.user.changed")
    assert changed.changes["first_name"] == ["", "Ola"]
    assert AuditRecord.objects.filter(action="admin.membership.created", actor=admin).count() == 1


def test_only_the_most_specific_menu_item_is_current() -> None:
    from django.contrib.auth.models import AnonymousUser

    from okienko.accounts import access
    from okienko.core import navigation

    user = AnonymousUser()
    user.is_superuser = True  # type: ignore[misc]
    user.is_active = True  # type: ignore[misc]
    items = {
        i.url: i.current for i in navigation.visible_items(user, "/desk/cases/team/", may=access.has_perm_anywhere)
    }
    assert [url for url, current in items.items() if current] == ["/desk/cases/team/"]
