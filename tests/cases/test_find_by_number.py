"""Finding a case by its number (any notation) or its reporter's e-mail or phone, from the desk's
search boxes; the read-only scope of consultants and analysts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from okienko.accounts.models import ScopeGrant
from okienko.accounts.roles import Perm, Role
from okienko.cases.finders import reporter_q
from okienko.cases.models import Case
from okienko.cases.numbers import parse_case_number
from okienko.core.models import AuditRecord
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    ["LDZ/2026/000001", "ldz/2026/000001", "LDZ-2026-000001", "ldz 2026 1", "LDZ2026000001", " ldz/2026/1 "],
)
def test_number_in_any_notation_parses_to_the_stored_number(typed: str) -> None:
    number = parse_case_number(typed)
    assert number is not None
    assert str(number) == "LDZ/2026/000001"


def test_hyphenated_office_code_and_number_without_office() -> None:
    assert str(parse_case_number("pup lomza 2026 12")) == "PUP-LOMZA/2026/000012"
    assert str(parse_case_number("WUP-BIALYSTOK-2026-000012")) == "WUP-BIALYSTOK/2026/000012"
    assert str(parse_case_number("2026/186")) == "2026/000186"


@pytest.mark.parametrize("typed", ["kowalski", "K123", "600100200", "jan@example.org", "ldz", "ldz/2026/0", ""])
def test_other_queries_are_not_case_numbers(typed: str) -> None:
    assert parse_case_number(typed) is None


def test_phone_matches_whatever_notation_was_stored() -> None:
    assert reporter_q("+48 600-100-200") is not None
    assert reporter_q("6001") is None
    assert reporter_q("600 100 200; drop table") is None


def test_consultant_types_a_number_in_the_client_search_and_lands_on_the_case(
    city: City, frozen: Any, client: Client
) -> None:
    case = open_pothole(city)
    client.force_login(city.consultant)
    response = client.get("/desk/clients/", {"q": "ldz-2026-1"})
    assert response.status_code == 302
    assert response["Location"] == f"/desk/cases/{case.uuid}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert case.get_status_display() in page.content.decode()


def test_as_you_type_the_client_search_lists_the_case(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.consultant)
    response = client.get("/desk/clients/", {"q": case.number}, HTTP_HX_REQUEST="true")
    assert [hit.label for hit in response.context["other_hits"]] == [case.number]
    assert f"/desk/cases/{case.uuid}/" in response.content.decode()


def test_top_bar_search_goes_straight_to_a_single_case(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    response = client.get("/desk/search/", {"q": case.number.lower()})
    assert response["Location"] == f"/desk/cases/{case.uuid}/"


def test_reporter_email_or_phone_lists_several_cases(city: City, frozen: Any, client: Client) -> None:
    first = open_pothole(city, reporter={"name": "Jan", "email": "jan@example.org", "phone": "+48 600 100 200"})
    second = open_pothole(city, reporter={"name": "Jan", "email": "JAN@example.org", "phone": "600-100-200"})
    client.force_login(city.consultant)
    by_mail = client.get("/desk/search/", {"q": "jan@example.org"})
    assert by_mail.status_code == 200
    labels = [hit.label for _heading, hits in by_mail.context["groups"] for hit in hits]
    assert set(labels) == {first.number, second.number}
    by_phone = client.get("/desk/search/", {"q": "600100200"})
    labels = [hit.label for _heading, hits in by_phone.context["groups"] for hit in hits]
    assert set(labels) == {first.number, second.number}
    viewed = AuditRecord.objects.filter(action="personal_data.viewed", data__purpose="desk search by reporter")
    assert viewed.count() == 4


def test_a_single_reporter_hit_opens_the_case(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city, reporter={"name": "Ewa", "email": "ewa@example.org"})
    client.force_login(city.consultant)
    assert client.get("/desk/search/", {"q": "ewa@example.org"})["Location"] == f"/desk/cases/{case.uuid}/"


def test_another_controllers_number_is_not_found_like_an_unknown_one(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.outsider)
    known = client.get("/desk/search/", {"q": case.number})
    unknown = client.get("/desk/search/", {"q": "LDZ/2026/999999"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["count"] == unknown.context["count"] == 0
    assert known.context["groups"] == unknown.context["groups"] == []
    assert f"/desk/cases/{case.uuid}/" not in known.content.decode()


def test_consultant_of_another_controller_cannot_open_the_case(
    city: City, frozen: Any, client: Client, make_user: Any
) -> None:
    case = open_pothole(city)
    stranger = make_user("stranger", roles=[(city.other_city, Role.CONSULTANT)])
    client.force_login(stranger)
    assert client.get("/desk/clients/", {"q": case.number}).status_code == 200
    assert client.get(f"/desk/cases/{case.uuid}/").status_code == 403


@pytest.fixture
def lent(city: City, make_user: Any) -> Any:
    """A consultant of the other city's contact centre, lent the city's cases read-only."""
    from okienko.accounts.models import Organisation

    centre = Organisation.objects.create(
        code="other-ckm", name="Other centre", kind=Organisation.Kind.CONTACT_CENTRE, parent=city.other_city
    )
    ScopeGrant.objects.create(grantee=centre, target=city.city, permission=Perm.CASES_VIEW, reason="overflow")
    return make_user("lent", roles=[(centre, Role.CONSULTANT)])


def test_read_only_consultant_sees_the_case_and_its_reading_is_logged(
    city: City, frozen: Any, client: Client, lent: Any
) -> None:
    case = open_pothole(city)
    client.force_login(lent)
    response = client.get(f"/desk/cases/{case.uuid}/")
    assert response.status_code == 200
    assert response.context["read_only"] is True
    page = response.content.decode()
    assert f'action="/desk/cases/{case.uuid}/note/"' not in page
    record = AuditRecord.objects.filter(action="personal_data.viewed", object_id=str(case.pk)).last()
    assert record is not None
    assert record.data == {"purpose": "case detail (read-only)"}


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("status/", {"action": "status", "to_status": "registered", "version": 1}),
        ("status/", {"action": "resolve", "message": "done", "version": 1}),
        ("note/", {"body": "hello", "visibility": "internal", "version": 1}),
        ("party/", {"role": "witness", "name": "Someone"}),
        ("assign/", {"take": "1", "version": 1}),
        ("merge/", {"into": "LDZ/2026/000001", "version": 1}),
    ],
)
def test_read_only_consultant_cannot_change_the_case(
    city: City, frozen: Any, client: Client, lent: Any, path: str, data: dict[str, Any]
) -> None:
    case = open_pothole(city)
    before = (case.version, case.status, case.notes.count(), case.parties.count(), case.assigned_to_id)
    client.force_login(lent)
    client.post(f"/desk/cases/{case.uuid}/{path}", data)
    case = Case.objects.get(pk=case.pk)
    assert (case.version, case.status, case.notes.count(), case.parties.count(), case.assigned_to_id) == before


def test_analyst_reads_the_cases_of_the_scope_and_changes_nothing(
    city: City, frozen: Any, client: Client, make_user: Any
) -> None:
    case = open_pothole(city)
    analyst = make_user("analyst", roles=[(city.city, Role.ANALYST)])
    client.force_login(analyst)
    listing = client.get("/desk/cases/scope/")
    assert [c.number for c, _level in listing.context["rows"]] == [case.number]
    assert client.get(f"/desk/cases/{case.uuid}/").context["read_only"] is True
    client.post(f"/desk/cases/{case.uuid}/note/", {"body": "x", "visibility": "internal", "version": 1})
    assert case.notes.count() == 0


def test_scope_list_is_refused_to_roles_without_cases(city: City, client: Client, make_user: Any) -> None:
    editor = make_user("editor", roles=[(city.city, Role.KNOWLEDGE_EDITOR)])
    client.force_login(editor)
    assert client.get("/desk/cases/scope/").status_code == 403


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("status/", {"action": "resolve", "message": "done", "version": 1}),
        ("status/", {"action": "status", "to_status": "in_progress", "version": 1}),
        ("assign/", {"take": "1", "version": 1}),
    ],
)
def test_contact_centre_consultant_cannot_work_on_the_case_they_look_up(
    city: City, frozen: Any, client: Client, path: str, data: dict[str, Any]
) -> None:
    """The centre's own consultant finds the city's cases but only the 1st-line steps of the
    workflow are theirs: resolving, moving it on and taking it stay with the units."""
    case = open_pothole(city)
    before = (case.version, case.status, case.parties.count(), case.assigned_to_id)
    client.force_login(city.consultant)
    client.post(f"/desk/cases/{case.uuid}/{path}", data)
    case = Case.objects.get(pk=case.pk)
    assert (case.version, case.status, case.parties.count(), case.assigned_to_id) == before
