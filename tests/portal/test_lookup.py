"""Residents look a report up by number and the e-mail or phone they gave, or get a signed link
to all their reports by e-mail; nothing tells a visitor whether a number exists."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client

from okienko.cases.models import Case
from okienko.cases.workflow import public_status
from okienko.portal import lookup
from tests.portal.conftest import Portal, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(portal: Portal, client: Client) -> Case:
    response = client.post(f"/zglos/{portal.pothole.uuid}/", valid_post())
    assert response.status_code == 302, response.content
    return Case.objects.get()


def test_number_and_email_open_the_status_page(report: Case, client: Client) -> None:
    response = client.post("/sprawy/sprawdz/", {"number": report.number.lower(), "contact": "ANNA@example.org"})
    assert response.status_code == 302
    assert response["Location"] == f"/sprawy/{report.uuid}/"
    assert report.number in client.get(response["Location"]).content.decode()


def test_number_in_another_notation_and_the_phone_work_too(report: Case, client: Client) -> None:
    typed = report.number.replace("/", "-")
    response = client.post("/sprawy/sprawdz/", {"number": typed, "contact": "600-100-200"})
    assert response["Location"] == f"/sprawy/{report.uuid}/"


def test_wrong_email_answers_exactly_like_an_unknown_number(report: Case, client: Client) -> None:
    wrong_contact = client.post("/sprawy/sprawdz/", {"number": report.number, "contact": "eve@example.org"})
    unknown = client.post("/sprawy/sprawdz/", {"number": "LDZ/2026/999999", "contact": "anna@example.org"})
    other_office = client.post("/sprawy/sprawdz/", {"number": "XYZ/2026/000001", "contact": "anna@example.org"})
    assert wrong_contact.status_code == unknown.status_code == other_office.status_code == 200
    assert wrong_contact.context["not_found"] == unknown.context["not_found"] == other_office.context["not_found"]
    assert f"/sprawy/{report.uuid}/" not in wrong_contact.content.decode()


def test_lookup_form_shows_and_rejects_empty_fields(client: Client, portal: Portal) -> None:
    assert client.get("/sprawy/sprawdz/").status_code == 200
    response = client.post("/sprawy/sprawdz/", {"number": "", "contact": ""})
    assert response.status_code == 200
    assert set(response.context["lookup_form"].errors) == {"number", "contact"}


def test_lookups_are_rate_limited_per_address(report: Case, client: Client, settings: Any, private_cache: None) -> None:
    settings.PORTAL_RATE_LIMITS = {"lookup": 3}
    for _ in range(3):
        wrong = client.post("/sprawy/sprawdz/", {"number": report.number, "contact": "x@example.org"})
        assert wrong.context["not_found"]
    blocked = client.post("/sprawy/sprawdz/", {"number": report.number, "contact": "anna@example.org"})
    assert blocked.status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post("/sprawy/sprawdz/", {"number": report.number, "contact": "anna@example.org"}).status_code == 302


def _link_in(message: Any) -> str:
    match = re.search(r"https?://\S+/sprawy/moje/(\S+)/", message.body)
    assert match is not None, message.body
    return f"/sprawy/moje/{match.group(1)}/"


def test_link_to_my_reports_is_mailed_and_lists_them_with_status(report: Case, client: Client) -> None:
    response = client.post("/sprawy/moje/", {"email": "Anna@Example.org"})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Anna@Example.org"]
    page = client.get(_link_in(mail.outbox[0]))
    assert page.status_code == 200
    assert [(case.number, status) for case, status in page.context["rows"]] == [
        (report.number, public_status(report.status))
    ]
    assert f"/sprawy/{report.uuid}/" in page.content.decode()


def test_asking_for_a_link_answers_the_same_for_an_address_without_reports(report: Case, client: Client) -> None:
    known = client.post("/sprawy/moje/", {"email": "anna@example.org"})
    unknown = client.post("/sprawy/moje/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.templates[0].name == unknown.templates[0].name == "portal/my_reports_sent.html"
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


def test_asking_for_links_is_rate_limited(report: Case, client: Client, settings: Any, private_cache: None) -> None:
    settings.PORTAL_RATE_LIMITS = {"my_reports": 2}
    for _ in range(2):
        client.post("/sprawy/moje/", {"email": "anna@example.org"})
    assert client.post("/sprawy/moje/", {"email": "anna@example.org"}).status_code == 429
    assert len(mail.outbox) == 2


def test_an_expired_link_is_refused(report: Case, client: Client) -> None:
    with time_machine.travel("2026-11-01 10:00:00+00:00", tick=False):
        token = lookup.make_token("anna@example.org")
    with time_machine.travel("2026-11-02 10:00:01+00:00", tick=False):
        response = client.get(f"/sprawy/moje/{token}/")
    assert response.status_code == 410
    assert report.number not in response.content.decode()


def test_a_forged_or_damaged_link_is_refused(report: Case, client: Client) -> None:
    forged = signing.dumps("anna@example.org", salt="another-salt")
    token = lookup.make_token("anna@example.org")
    for bad in (forged, token[:-2] + "xx", "anna@example.org", "x"):
        response = client.get(f"/sprawy/moje/{bad}/")
        assert response.status_code == 400
        assert report.number not in response.content.decode()


def test_an_address_in_a_link_signed_for_another_purpose_is_refused() -> None:
    with pytest.raises(signing.BadSignature):
        lookup.read_token(signing.dumps("anna@example.org"))


def test_a_reporter_added_as_a_party_finds_the_report_too(report: Case, client: Client) -> None:
    from okienko.cases.models import CaseParty

    CaseParty.objects.create(case=report, role=CaseParty.Role.REPORTER, name="Jan", email="jan@example.org")
    response = client.post("/sprawy/sprawdz/", {"number": report.number, "contact": "jan@example.org"})
    assert response["Location"] == f"/sprawy/{report.uuid}/"
    client.post("/sprawy/moje/", {"email": "jan@example.org"})
    page = client.get(_link_in(mail.outbox[-1]))
    assert [case.number for case, _status in page.context["rows"]] == [report.number]


def test_unknown_numbers_and_wrong_contacts_give_one_page_and_share_one_limit(
    report: Case, client: Client, settings: Any, private_cache: None
) -> None:
    """Issue 12, bad input: apart from what was typed the two answers are the same page, and both
    count towards the limit, so guessing numbers is as limited as guessing e-mails."""
    settings.PORTAL_RATE_LIMITS = {"lookup": 2}
    typed = {"number": "LDZ/2026/000777", "contact": "anna@example.org"}
    unknown = client.post("/sprawy/sprawdz/", typed).content.decode()
    wrong = client.post("/sprawy/sprawdz/", {**typed, "number": report.number, "contact": "eve@example.org"})

    def without_typed(page: str) -> str:
        return re.sub(r'value="[^"]*"', "", page)

    assert without_typed(unknown) == without_typed(wrong.content.decode())
    blocked = client.post("/sprawy/sprawdz/", {"number": report.number, "contact": "anna@example.org"})
    assert blocked.status_code == 429
    assert report.number not in blocked.content.decode()
