"""The residents' report form at /zglos/: validation, the case it opens, abuse protection."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from okienko.cases.models import Case, CaseAttachment, CaseParty
from okienko.core.models import AuditRecord
from okienko.portal import guard
from tests.portal.conftest import Portal, valid_post

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

pytestmark = pytest.mark.django_db  # also gives each test an empty cache (rate limits)


def url(portal: Portal) -> str:
    return reverse("portal:report", args=[portal.pothole.uuid])


def test_the_services_page_shows_category_tiles_that_list_public_services(client: Client, portal: Portal) -> None:
    response = client.get("/zglos/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="?kategoria=ldz/drogi"' in html
    assert "Drogi i chodniki" in html
    html = client.get("/zglos/", {"kategoria": "ldz/drogi"}).content.decode()
    assert url(portal) in html
    assert "Wewnętrzna" not in html


def test_a_service_that_is_not_public_has_no_form(client: Client, portal: Portal) -> None:
    assert client.get(reverse("portal:report", args=[portal.hidden.uuid])).status_code == 404


def test_the_form_shows_every_kind_of_question(client: Client, portal: Portal) -> None:
    html = client.get(url(portal)).content.decode()
    for name in ("q_wielkosc", "q_zagrozenia", "q_glebokosc", "q_od-kiedy", "q_pas", "q_uwagi", "q_punkt"):
        assert f'name="{name}"' in html
    assert 'type="datetime-local"' in html
    assert "Zgłoszenia są sprawdzane w ciągu doby." in html
    assert 'data-geo="/zglos/mapa/powiaty.geojson"' in html


def test_a_valid_report_opens_a_case_with_the_service_organisation_channel_and_answers(
    client: Client, portal: Portal
) -> None:
    response = client.post(url(portal), valid_post())
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:report_sent")
    case = Case.objects.get()
    assert (case.service, case.organisation, case.channel, case.assigned_unit) == (
        portal.pothole,
        portal.city,
        "web",
        portal.roads,
    )
    assert case.answers == {
        "wielkosc": "duza",
        "zagrozenia": ["rowery", "piesi"],
        "glebokosc": "12.5",
        "od-kiedy": "2026-11-20T08:30:00",
        "pas": "prawy",
        "uwagi": "Woda w dziurze",
        "punkt": "51.7590, 19.4570",
    }
    assert (str(case.latitude), str(case.longitude), case.address) == (
        "51.759000",
        "19.457000",
        "Piotrkowska 104, Łódź",
    )
    assert (case.reporter_name, case.reporter_email, case.reporter_phone) == (
        "Anna Nowak",
        "anna@example.org",
        "+48 600 100 200",
    )
    assert CaseParty.objects.filter(case=case, role=CaseParty.Role.REPORTER).count() == 1


def test_the_report_is_audited(client: Client, portal: Portal) -> None:
    client.post(url(portal), valid_post())
    case = Case.objects.get()
    actions = list(
        AuditRecord.objects.filter(object_type="cases.case", object_id=str(case.pk)).values_list("action", flat=True)
    )
    assert "case.opened" in actions
    assert "portal.report_submitted" in actions
    entry = AuditRecord.objects.get(action="portal.report_submitted")
    assert (entry.actor_id, entry.actor_repr, entry.channel) == (None, "portal", "web")
    assert entry.data == {"service": "dziura", "photo": False, "contact_consent": True}


def test_the_confirmation_shows_the_number_and_links_the_status_page_by_uuid(client: Client, portal: Portal) -> None:
    client.post(url(portal), valid_post())
    case = Case.objects.get()
    html = client.get(reverse("portal:report_sent")).content.decode()
    assert case.number in html
    assert f"/sprawy/{case.uuid}/" in html


def test_the_confirmation_without_a_report_goes_back_to_the_services(client: Client, portal: Portal) -> None:
    response = client.get(reverse("portal:report_sent"))
    assert response.status_code == 302
    assert response["Location"] == "/zglos/"


def test_contact_details_without_consent_are_refused(client: Client, portal: Portal) -> None:
    response = client.post(url(portal), valid_post(consent=None))
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_report_without_contact_details_needs_no_consent(client: Client, portal: Portal) -> None:
    response = client.post(url(portal), valid_post(name="", email="", phone="", consent=None))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.reporter_name, case.reporter_email) == ("", "")
    assert not CaseParty.objects.filter(case=case).exists()


def test_missing_required_answers_are_listed_in_polish_with_links_to_the_fields(client: Client, portal: Portal) -> None:
    response = client.post(
        url(portal), valid_post(description="", q_wielkosc="", address="", latitude="", longitude="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"description", "q_wielkosc", "address"}
    html = response.content.decode()
    assert "data-error-summary" in html
    assert 'href="#id_description"' in html
    assert 'href="#id_q_wielkosc"' in html
    assert "To pole jest wymagane." in html
    assert 'aria-invalid="true"' in html
    assert not Case.objects.exists()


def test_a_wrong_number_and_a_choice_not_listed_are_refused(client: Client, portal: Portal) -> None:
    response = client.post(url(portal), valid_post(q_glebokosc="dużo", q_zagrozenia=["rowery", "auta"]))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"q_glebokosc", "q_zagrozenia"}
    assert 'href="#id_q_zagrozenia_0"' in response.content.decode()


def test_a_blocking_notice_stops_the_report_with_its_text(client: Client, portal: Portal) -> None:
    page = client.get(reverse("portal:report", args=[portal.blocked.uuid])).content.decode()
    assert "W razie pożaru dzwoń pod 112." in page
    assert 'id="report-form"' not in page
    response = client.post(reverse("portal:report", args=[portal.blocked.uuid]), {"description": "Pali się"})
    assert response.status_code == 200
    assert "W razie pożaru dzwoń pod 112." in response.content.decode()
    assert not Case.objects.exists()


def test_a_photo_is_attached_to_the_case(client: Client, portal: Portal) -> None:
    photo = SimpleUploadedFile("dziura.png", PNG, content_type="image/png")
    assert client.post(url(portal), {**valid_post(), "photo": photo}).status_code == 302
    attachment = CaseAttachment.objects.get()
    assert (attachment.case, attachment.content_type, attachment.is_public) == (Case.objects.get(), "image/png", False)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("zdjecie.png", b"MZ\x90\x00 not really a picture"),
        ("zdjecie.jpg", b"%PDF-1.4 a document, not a photo"),
        ("puste.png", b""),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused(client: Client, portal: Portal, name: str, data: bytes) -> None:
    photo = SimpleUploadedFile(name, data, content_type="image/png")
    response = client.post(url(portal), {**valid_post(), "photo": photo})
    assert response.status_code == 200
    assert "photo" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(client: Client, portal: Portal, settings: Any) -> None:
    settings.CASES_MAX_ATTACHMENT_BYTES = 32
    photo = SimpleUploadedFile("duze.png", PNG, content_type="image/png")
    response = client.post(url(portal), {**valid_post(), "photo": photo})
    assert response.status_code == 200
    assert "photo" in response.context["form"].errors


def test_a_photo_failing_the_virus_check_is_refused(client: Client, portal: Portal, settings: Any) -> None:
    from okienko.cases.files import EICAR

    settings.CASES_VIRUS_SCANNER = "okienko.cases.files.eicar_scanner"
    photo = SimpleUploadedFile("wirus.png", PNG + EICAR, content_type="image/png")
    response = client.post(url(portal), {**valid_post(), "photo": photo})
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_a_filled_honeypot_opens_no_case(client: Client, portal: Portal) -> None:
    response = client.post(url(portal), valid_post(website="http://spam.example"))
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_a_form_sent_too_quickly_opens_no_case(client: Client, portal: Portal, settings: Any) -> None:
    settings.PORTAL_MIN_FILL_SECONDS = 5
    response = client.post(url(portal), valid_post())
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert response.context["form"].data[guard.STARTED] != ""


def test_a_forged_start_time_opens_no_case(client: Client, portal: Portal) -> None:
    response = client.post(url(portal), valid_post(**{guard.STARTED: "1"}))
    assert response.status_code == 200
    assert not Case.objects.exists()


@pytest.mark.usefixtures("private_cache")
def test_one_address_may_send_only_a_few_reports_an_hour(client: Client, portal: Portal, settings: Any) -> None:
    settings.PORTAL_RATE_LIMITS = {"report": 2}
    assert [client.post(url(portal), valid_post()).status_code for _ in range(3)] == [302, 302, 429]
    assert Case.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(url(portal), valid_post()).status_code == 302


def test_the_form_keeps_csrf_protection(portal: Portal) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url(portal), valid_post()).status_code == 403
    assert not Case.objects.exists()


def test_the_map_boundaries_are_public(client: Client, portal: Portal) -> None:
    response = client.get("/zglos/mapa/powiaty.geojson?prefix=10")
    assert response.status_code == 200
    features = response.json()["features"]
    assert features
    assert all(f["properties"]["teryt"].startswith("10") for f in features)
