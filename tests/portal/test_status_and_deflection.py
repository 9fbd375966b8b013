"""The public status page /sprawy/<uuid>/ and the knowledge-base deflection on the report form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from okienko.cases import actions as case_actions
from okienko.cases.models import Case
from okienko.cases.workflow import Status
from okienko.portal import actions
from okienko.portal.models import Deflection
from tests.portal.conftest import Portal

pytestmark = pytest.mark.django_db  # also gives each test an empty cache (rate limits)


def _case(portal: Portal) -> Case:
    return actions.submit_report(
        service=portal.pothole,
        description="Dziura przy domu Anny Nowak, Piotrkowska 104",
        location={"latitude": "51.759", "longitude": "19.457", "address": "Piotrkowska 104"},
        answers={"wielkosc": "duza"},
        reporter={"name": "Anna Nowak", "email": "anna@example.org", "phone": "600100200"},
        contact_consent=True,
    )


def test_the_status_page_shows_service_public_status_and_expected_date(client: Client, portal: Portal) -> None:
    case = _case(portal)
    response = client.get(f"/sprawy/{case.uuid}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html
    assert "Dziura w jezdni" in html
    assert "Przekazane do właściwej komórki" in html
    assert "Przewidywany termin załatwienia" in html
    assert "Zgłoszenie zarejestrowane" in html


def test_the_status_page_hides_internal_notes_and_personal_data(client: Client, portal: Portal, make_user: Any) -> None:
    from okienko.accounts.roles import Role

    case = _case(portal)
    expert = make_user("drogowiec", roles=[(portal.roads, Role.EXPERT)])
    case_actions.transition_case(actor=expert, case=case, to_status=Status.IN_PROGRESS)
    case_actions.add_note(actor=expert, case=Case.objects.get(pk=case.pk), body="TAJNE: sąsiad dzwonił 3 razy")
    case_actions.add_note(
        actor=expert, case=Case.objects.get(pk=case.pk), body="Ekipa naprawi ubytek w czwartek.", public=True
    )
    html = client.get(f"/sprawy/{case.uuid}/").content.decode()
    assert "Ekipa naprawi ubytek w czwartek." in html
    assert "W trakcie realizacji" in html
    for secret in (
        "TAJNE",
        "Notatka wewnętrzna",
        "Anna Nowak",
        "anna@example.org",
        "600100200",
        "Piotrkowska",
        "drogowiec",
        "Zarząd Dróg",
    ):
        assert secret not in html, secret


def test_the_status_page_is_not_found_by_the_sequential_number(client: Client, portal: Portal) -> None:
    case = _case(portal)
    assert client.get(f"/sprawy/{case.pk}/").status_code == 404
    assert client.get("/sprawy/00000000-0000-7000-8000-000000000000/").status_code == 404


def test_suggestions_offer_only_public_articles(client: Client, portal: Portal) -> None:
    response = client.get(
        reverse("portal:suggestions"),
        {"description": "dziura w jezdni przy przejściu", "service": str(portal.pothole.uuid)},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "/pomoc/artykul/dziura-w-jezdni/" in html
    assert "procedura wewnętrzna" not in html
    assert html.count("To odpowiada na moje pytanie") == 1


def test_suggestions_wait_for_a_few_words(client: Client, portal: Portal) -> None:
    response = client.get(reverse("portal:suggestions"), {"description": "dziura"})
    assert "To odpowiada na moje pytanie" not in response.content.decode()


def test_this_answers_my_question_records_a_deflection_and_opens_no_case(client: Client, portal: Portal) -> None:
    response = client.post(reverse("portal:deflect"), {"article": portal.article.uuid, "service": portal.pothole.uuid})
    assert response.status_code == 302
    deflection = Deflection.objects.get()
    assert (deflection.article, deflection.service) == (portal.article, portal.pothole)
    assert not Case.objects.exists()
    thanks = client.get(response["Location"]).content.decode()
    assert "Cieszymy się, że mogliśmy pomóc" in thanks
    assert "/pomoc/artykul/dziura-w-jezdni/" in thanks


def test_an_internal_article_cannot_be_recorded_as_a_deflection(client: Client, portal: Portal) -> None:
    response = client.post(reverse("portal:deflect"), {"article": portal.internal_article.uuid})
    assert response.status_code == 404
    assert not Deflection.objects.exists()


@pytest.mark.usefixtures("private_cache")
def test_deflections_are_rate_limited_per_address(client: Client, portal: Portal, settings: Any) -> None:
    settings.PORTAL_RATE_LIMITS = {"deflect": 2}
    for _ in range(4):
        client.post(reverse("portal:deflect"), {"article": portal.article.uuid})
    assert Deflection.objects.count() == 2


def test_deflection_counts_are_shown_to_the_admin(client: Client, portal: Portal, make_user: Any) -> None:
    actions.record_deflection(article=portal.article, service=portal.pothole)
    admin = make_user("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    html = client.get("/admin/portal/deflection/").content.decode()
    assert "Jak zgłosić dziurę w jezdni" in html


def test_the_home_page_and_navigation_link_the_report_form(client: Client, portal: Portal) -> None:
    html = client.get("/").content.decode()
    assert html.count('href="/zglos/"') == 2
    assert "Zgłoś sprawę" in html


def test_the_status_page_reads_the_case_in_three_queries(
    client: Client, portal: Portal, django_assert_num_queries: Any
) -> None:
    case = _case(portal)
    with django_assert_num_queries(3):  # the case with its service, public notes, public events
        assert client.get(f"/sprawy/{case.uuid}/").status_code == 200


def test_the_report_form_is_in_english_after_the_language_switch(client: Client, portal: Portal) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/zglos/"})
    html = client.get(reverse("portal:report", args=[portal.pothole.uuid])).content.decode()
    assert "What is the matter?" in html
    assert "Send the report" in html
