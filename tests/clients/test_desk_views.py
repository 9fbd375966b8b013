from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients.models import Client, ClientConsent
from okienko.core.models import AuditRecord
from tests.clients.helpers import offices, person, pesel

MakeUser = Callable[..., User]
Login = Callable[[User], HttpClient]


@pytest.fixture
def consultant(region: Organisation, make_user: MakeUser) -> User:
    return make_user("konsultant", roles=[(offices()[0], Role.CONSULTANT)])


def test_desk_renders_for_consultant_with_search_box(consultant: User, staff_client: Login) -> None:
    response = staff_client(consultant).get("/desk/clients/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-search-box" in html
    assert 'aria-live="polite"' in html
    assert 'accesskey="1"' in html


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PORTAL_EDITOR, Role.KNOWLEDGE_EDITOR])
def test_desk_is_forbidden_without_the_permission(
    region: Organisation, make_user: MakeUser, staff_client: Login, role: str
) -> None:
    user = make_user("x", roles=[(region, role)])
    assert staff_client(user).get("/desk/clients/").status_code == 403
    assert staff_client(user).get("/desk/clients/new/").status_code == 403


def test_desk_requires_login(client: HttpClient) -> None:
    response = client.get("/desk/clients/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_search_as_you_type_returns_the_results_fragment(consultant: User, staff_client: Login) -> None:
    pup_a, pup_b, _ = offices()
    mine = person(pup_a, "Żółkowska", "Anna")
    person(pup_b, "Żółkowska", "Beata")
    response = staff_client(consultant).get("/desk/clients/?q=zolkow", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert mine.number in html
    assert "Beata" not in html


def test_card_shows_client_and_logs_the_access(consultant: User, staff_client: Login) -> None:
    client = person(offices()[0], "Nowak", "Ewa", phones=["601 234 567"], pesel=pesel())
    response = staff_client(consultant).get(f"/desk/clients/{client.uuid}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ewa Nowak" in html
    assert "601 234 567" in html
    assert (
        AuditRecord.objects.filter(
            kind=AuditRecord.Kind.ACCESS, actor_id=consultant.pk, object_id=str(client.pk)
        ).count()
        == 1
    )


def test_card_of_another_countys_client_is_404_and_audited(consultant: User, staff_client: Login) -> None:
    other = person(offices()[1], "Obcy")
    response = staff_client(consultant).get(f"/desk/clients/{other.uuid}/")
    assert response.status_code == 404
    assert AuditRecord.objects.filter(action="clients.access_denied", object_id=str(other.pk)).count() == 1


def test_wup_consultant_opens_any_county_client(region: Organisation, make_user: MakeUser, staff_client: Login) -> None:
    user = make_user("wup", roles=[(region, Role.CONSULTANT)])
    other = person(offices()[1], "Daleki")
    assert staff_client(user).get(f"/desk/clients/{other.uuid}/").status_code == 200


def test_register_client_through_the_form(consultant: User, staff_client: Login) -> None:
    number = pesel(1990, 1, 2)
    response = staff_client(consultant).post(
        "/desk/clients/new/",
        {
            "kind": "person",
            "status": "unemployed",
            "first_name": "Jan",
            "last_name": "Kowalski",
            "pesel": number,
            "phone": "601 234 567",
            "home_office": offices()[0].pk,
        },
    )
    client = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/clients/{client.uuid}/"
    assert (client.pesel, client.last_name, client.home_office.code) == (number, "Kowalski", "pup-a")


def test_register_form_shows_a_clear_pesel_error(consultant: User, staff_client: Login) -> None:
    response = staff_client(consultant).post(
        "/desk/clients/new/",
        {
            "kind": "person",
            "status": "resident",
            "last_name": "Kowalski",
            "pesel": "44051401358",
            "home_office": offices()[0].pk,
        },
    )
    assert response.status_code == 400
    assert "This PESEL number is not valid" in response.content.decode() or "numer PESEL" in response.content.decode()
    assert Client.objects.count() == 0


def test_register_form_shows_duplicates_before_saving(consultant: User, staff_client: Login) -> None:
    existing = person(offices()[0], "Kowalski", "Jan", phones=["601234567"])
    data = {
        "kind": "person",
        "status": "resident",
        "first_name": "Janek",
        "last_name": "Kowalski",
        "phone": "+48 601 234 567",
        "home_office": offices()[0].pk,
    }
    login = staff_client(consultant)
    response = login.post("/desk/clients/new/", data)
    assert response.status_code == 400
    assert existing.number in response.content.decode()
    assert Client.objects.count() == 1
    response = login.post("/desk/clients/new/", {**data, "confirm_new": "on"})
    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_register_form_refuses_an_office_outside_the_users_scope(consultant: User, staff_client: Login) -> None:
    response = staff_client(consultant).post(
        "/desk/clients/new/", {"kind": "person", "status": "resident", "last_name": "X", "home_office": offices()[1].pk}
    )
    assert response.status_code == 400
    assert Client.objects.count() == 0


def test_set_pin_through_the_card(consultant: User, staff_client: Login) -> None:
    client = person(offices()[0])
    response = staff_client(consultant).post(f"/desk/clients/{client.uuid}/pin/", {"pin": "4821", "pin_again": "4821"})
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.has_pin
    card = staff_client(consultant).get(f"/desk/clients/{client.uuid}/").content.decode()
    assert "4821" not in card
    assert client.pin_hash not in card


def test_record_consent_through_the_card(consultant: User, staff_client: Login) -> None:
    client = person(offices()[0])
    staff_client(consultant).post(
        f"/desk/clients/{client.uuid}/consents/", {"topic": "newsletter", "granted": "1", "source": "phone"}
    )
    consent = ClientConsent.objects.get(client=client)
    assert (consent.topic, consent.granted, consent.source, consent.recorded_by) == (
        "newsletter",
        True,
        "phone",
        consultant,
    )


def test_merge_through_the_desk(consultant: User, staff_client: Login) -> None:
    survivor = person(offices()[0], "Kowalski")
    duplicate = person(offices()[0], "Kowalsky")
    login = staff_client(consultant)
    preview = login.get(f"/desk/clients/{survivor.uuid}/merge/?other_number={duplicate.number}")
    assert preview.status_code == 200
    assert "Kowalsky" in preview.content.decode()
    response = login.post(
        f"/desk/clients/{survivor.uuid}/merge/", {"other_number": duplicate.number, "confirm": "1", "reason": "dubel"}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor


def test_edit_client_through_the_form(consultant: User, staff_client: Login) -> None:
    client = person(offices()[0], "Nowak", "Ewa")
    response = staff_client(consultant).post(
        f"/desk/clients/{client.uuid}/edit/",
        {
            "kind": "person",
            "status": "job_seeker",
            "first_name": "Ewa",
            "last_name": "Nowak-Kowalska",
            "home_office": offices()[0].pk,
            "postal_code": "15-001",
        },
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.last_name, client.status, client.postal_code) == ("Nowak-Kowalska", "job_seeker", "15-001")


def test_record_a_representative_through_the_card(consultant: User, staff_client: Login) -> None:
    from okienko.clients import actions

    employer = actions.register_client(
        actor=None, home_office=offices()[0], kind="organisation", organisation_name="Piekarnia Kłos"
    )
    worker = person(offices()[0], "Nowak", "Ewa")
    response = staff_client(consultant).post(
        f"/desk/clients/{worker.uuid}/relations/",
        {"kind": "represents", "other_number": employer.number.lower(), "role": "kadrowa"},
    )
    assert response.status_code == 302
    assert list(worker.relations_out.values_list("other__number", "role")) == [(employer.number, "kadrowa")]
    card = staff_client(consultant).get(f"/desk/clients/{employer.uuid}/").content.decode()
    assert "Ewa Nowak" in card


def test_desk_search_runs_the_same_number_of_queries_for_few_and_many_results(
    consultant: User, staff_client: Login, django_assert_num_queries: Any
) -> None:
    login = staff_client(consultant)
    person(offices()[0], "Kowalski")
    login.get("/desk/clients/?q=kowal", HTTP_HX_REQUEST="true")  # warm the session
    # session, user, memberships, scope grants, office ids, clients, and the session save (3)
    with django_assert_num_queries(9) as few:
        login.get("/desk/clients/?q=kowal", HTTP_HX_REQUEST="true")
    for i in range(10):
        person(offices()[0], "Kowalski", f"Imię{i}")
    with django_assert_num_queries(9) as many:
        html = login.get("/desk/clients/?q=kowal", HTTP_HX_REQUEST="true").content.decode()
    assert html.count("/desk/clients/") == 11
    assert len(few.captured_queries) == len(many.captured_queries)
