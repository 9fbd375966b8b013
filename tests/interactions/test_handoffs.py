"""Hand-offs keep what was typed: "Open a case" and "Request a callback" from a contact carry the
client, service, question and notes into the next form; an inquiry says so at intake; services are
found by their everyday names (issue 12, item 2)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client as HttpClient

from okienko.accounts import demo as accounts_demo
from okienko.accounts.models import Organisation, User
from okienko.cases.models import Case
from okienko.catalogue import demo as catalogue_demo
from okienko.interactions.models import Interaction
from tests.clients.helpers import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(db: None) -> HttpClient:
    accounts_demo.load(stdout=io.StringIO())
    catalogue_demo.load(stdout=io.StringIO())
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(User.objects.get(username="konsultant.bialystok"))
    return http


@pytest.fixture
def client_record(desk: HttpClient) -> Any:
    return person(Organisation.objects.get(code="pup-bialystok"), phones=["601 234 567"])


def _contact(desk: HttpClient, action: str, **fields: str) -> Any:
    data = {"channel": "phone", "direction": "in", "outcome": "answered", "action": action, **fields}
    return desk.post("/desk/contacts/new/", data, follow=True)


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match is not None, name
    return match.group(1).strip()


def test_open_a_case_carries_the_client_service_question_and_notes(desk: HttpClient, client_record: Any) -> None:
    page = _contact(
        desk,
        "case",
        client=str(client_record.uuid),
        service="rejestracja-bezrobotny",
        question="Chce się zarejestrować po utracie pracy",
        notes="Umowa rozwiązana 30.11, świadectwo pracy w drodze.",
        channel="counter",
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h2>Rejestracja jako osoba bezrobotna</h2>" in html
    assert _textarea(html, "description") == (
        "Chce się zarejestrować po utracie pracy\n\nUmowa rozwiązana 30.11, świadectwo pracy w drodze."
    )
    assert '<option value="counter" selected>' in html
    assert f'name="client" value="{client_record.uuid}"' in html
    interaction = Interaction.objects.get()
    assert f'name="interaction" value="{interaction.uuid}"' in html
    assert "Carried over from the contact just recorded" in html


def test_a_validation_error_at_intake_keeps_everything_typed(desk: HttpClient, client_record: Any) -> None:
    _contact(desk, "case", client=str(client_record.uuid), service="rejestracja-bezrobotny", question="Rejestracja")
    interaction = Interaction.objects.get()
    service = interaction.service
    assert service is not None
    response = desk.post(
        "/desk/cases/new/",
        {
            "service": str(service.uuid),
            "client": str(client_record.uuid),
            "interaction": str(interaction.uuid),
            "description": "Opis, który nie może zginąć",
            "q_zameldowanie": "Białystok",
            "q_wyksztalcenie": "",  # required and missing
            "reporter_phone": "601 234 567",
            "channel": "counter",
            "priority": "high",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This answer is required." in html
    assert _textarea(html, "description") == "Opis, który nie może zginąć"
    assert 'value="Białystok"' in html
    assert 'value="601 234 567"' in html
    assert '<option value="high" selected>' in html
    assert '<option value="counter" selected>' in html
    assert Case.objects.count() == 0


def test_an_inquiry_says_so_at_intake_and_offers_the_right_actions(desk: HttpClient, client_record: Any) -> None:
    html = _contact(
        desk, "case", client=str(client_record.uuid), service="zasilek-dla-bezrobotnych", question="Kiedy wypłata?"
    ).content.decode()
    assert "This matter is an inquiry: it is answered at first contact, not registered as a case." in html
    assert "/desk/knowledge/?q=Zasi%C5%82ek" in html
    assert f'href="/desk/clients/{client_record.uuid}/"' in html
    assert 'id="intake-form"' not in html
    # Chosen directly (without a contact), the inquiry offers to record the contact.
    service = Interaction.objects.get().service
    assert service is not None
    page = desk.get(f"/desk/cases/new/?service={service.uuid}").content.decode()
    assert "Record the contact as answered" in page


def test_an_inquiry_cannot_be_opened_as_a_case_by_posting(desk: HttpClient, client_record: Any) -> None:
    _contact(desk, "case", client=str(client_record.uuid), service="zasilek-dla-bezrobotnych")
    service = Interaction.objects.get().service
    assert service is not None
    response = desk.post("/desk/cases/new/", {"service": str(service.uuid), "description": "x"})
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_choosing_another_service_keeps_the_client_and_the_contact(desk: HttpClient, client_record: Any) -> None:
    _contact(desk, "case", client=str(client_record.uuid), service="zasilek-dla-bezrobotnych")
    interaction = Interaction.objects.get()
    page = desk.get(f"/desk/cases/new/?client={client_record.uuid}&interaction={interaction.uuid}&pick=1")
    html = page.content.decode()
    assert 'id="svc-search"' in html  # the search, not the contact's service again
    assert f'name="client" value="{client_record.uuid}"' in html
    assert f'name="interaction" value="{interaction.uuid}"' in html


def test_request_a_callback_carries_the_question_and_notes(desk: HttpClient, client_record: Any) -> None:
    html = _contact(
        desk,
        "callback",
        client=str(client_record.uuid),
        service="staz",
        question="Czy są jeszcze miejsca na staże?",
        notes="Prosi o telefon po 15:00.",
    ).content.decode()
    assert _textarea(html, "reason") == "Staż u pracodawcy\nCzy są jeszcze miejsca na staże?\nProsi o telefon po 15:00."
    assert 'value="601 234 567"' in html


def test_an_anonymous_callers_phone_goes_into_the_callback_and_the_case(desk: HttpClient) -> None:
    html = _contact(
        desk, "callback", question="Pytanie o szkolenia", contact_name="Anna Nowak", contact_detail="+48 600 100 200"
    ).content.decode()
    assert 'value="+48 600 100 200"' in html
    html = _contact(
        desk,
        "case",
        service="szkolenie-indywidualne",
        question="Kurs na wózki widłowe",
        contact_name="Anna Nowak",
        contact_detail="anna@example.pl",
    ).content.decode()
    assert 'name="reporter_name" value="Anna Nowak"' in html
    assert 'name="reporter_email" type="email" value="anna@example.pl"' in html


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("zasiłek", "Zasiłek dla bezrobotnych — prawo, wysokość, wypłata"),
        ("ZASILKU", "Zasiłek dla bezrobotnych — prawo, wysokość, wypłata"),
        ("kuroniówka", "Zasiłek dla bezrobotnych — prawo, wysokość, wypłata"),
        ("stażu", "Staż u pracodawcy"),
        ("zaświadczenie o statusie", "Zaświadczenie o statusie osoby bezrobotnej"),
    ],
)
def test_services_are_found_by_their_everyday_names(desk: HttpClient, typed: str, expected: str) -> None:
    html = desk.get("/desk/cases/new/", {"search": typed}).content.decode()
    assert expected in html


def test_inquiries_are_marked_in_the_search_results(desk: HttpClient) -> None:
    html = desk.get("/desk/cases/new/", {"search": "zasiłek"}).content.decode()
    assert "inquiry — answered, not registered" in html


@pytest.mark.parametrize("typed", ["%", "_", "' OR 1=1 --", "x" * 5000, "zzzz qqqq"])
def test_odd_searches_find_nothing_without_an_error(desk: HttpClient, typed: str) -> None:
    response = desk.get("/desk/cases/new/", {"search": typed})
    assert response.status_code == 200
    assert "No service found." in response.content.decode()


@pytest.mark.parametrize("value", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_contact_or_service_is_ignored(desk: HttpClient, value: str) -> None:
    response = desk.get(f"/desk/cases/new/?interaction={value}&service={value}")
    assert response.status_code == 200
    assert 'id="svc-search"' in response.content.decode()


def test_the_contact_form_takes_a_services_everyday_name(desk: HttpClient, client_record: Any) -> None:
    page = _contact(desk, "answered", client=str(client_record.uuid), service="kuroniówka", question="Ile wynosi?")
    assert page.status_code == 200
    interaction = Interaction.objects.get()
    assert interaction.service is not None
    assert interaction.service.code == "zasilek-dla-bezrobotnych"


def test_an_ambiguous_everyday_name_asks_to_choose_and_keeps_what_was_typed(
    desk: HttpClient, client_record: Any
) -> None:
    response = desk.post(
        "/desk/contacts/new/",
        {
            "client": str(client_record.uuid),
            "channel": "phone",
            "direction": "in",
            "outcome": "answered",
            "action": "case",
            "service": "zasiłek",
            "question": "Pytanie o zasiłek",
            "notes": "Notatka, która nie może zginąć",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Several services match:" in html
    assert "Zasiłek dla bezrobotnych — prawo, wysokość, wypłata" in html
    assert 'value="zasiłek"' in html
    assert 'value="Pytanie o zasiłek"' in html
    assert "Notatka, która nie może zginąć" in html
    assert Interaction.objects.count() == 0


def test_an_unknown_service_name_says_how_to_find_one(desk: HttpClient) -> None:
    response = desk.post(
        "/desk/contacts/new/",
        {"channel": "phone", "direction": "in", "outcome": "answered", "action": "save", "service": "qwerty"},
    )
    assert response.status_code == 400
    assert "No service matches “qwerty”." in response.content.decode()
