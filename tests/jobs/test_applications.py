"""Applications for job offers and the CV document (issue 19, items 4 and 9; bad input: a CV upload
that is not a document)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from hypothesis import given
from hypothesis import strategies as st

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core.errors import Conflict, InvalidInput, NotFound
from okienko.core.models import AuditRecord
from okienko.jobs import actions as job_actions
from okienko.jobs.seekers import actions
from okienko.jobs.seekers.models import Application, CVFile, ProfileView
from tests.jobs import test_portal_accounts as accounts_tests
from tests.jobs.helpers import TEST, employer, published
from tests.jobs.test_portal_accounts import _cv, _employer_http
from tests.portal.test_fuzzing import HOSTILE, SETTINGS
from tests.security.hostile_files import PDF, docx, odt

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def seeker(office: Organisation) -> Client:
    return accounts_tests.seeker.__wrapped__(office)  # type: ignore[attr-defined,no-any-return]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def _seeker_http(seeker: Client) -> HttpClient:
    account = actions.account_for_client(seeker)
    http = HttpClient()
    session = http.session
    session["okienko.portal_account"] = account.pk
    session.save()
    return http


def test_a_job_seeker_applies_and_the_employer_sees_the_cv_and_the_contact(
    office: Organisation, seeker: Client
) -> None:
    _cv(seeker, consent=False)
    http, emp, _account = _employer_http(office)
    offer = published(office, emp)
    seeker_http = _seeker_http(seeker)
    assert seeker_http.get(f"/oferty/{offer.uuid}/").content.decode().count(f"/oferty/{offer.uuid}/aplikuj/") == 1
    response = seeker_http.post(f"/oferty/{offer.uuid}/aplikuj/", {"letter": "Mam 5 lat doświadczenia."})
    assert response.status_code == 302
    assert response["Location"] == "/konto/aplikacje/?sent=1"
    application = Application.objects.get()
    assert application.offer == offer
    assert application.status == Application.Status.SENT
    mine = seeker_http.get("/konto/aplikacje/").content.decode()
    assert offer.title in mine

    listing = http.get(f"/konto/oferty/{offer.uuid}/zgloszenia/").content.decode()
    assert "Anna Zielińska" in listing
    page = http.get(f"/konto/zgloszenia/{application.uuid}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "anna.zielinska@example.org" in text
    assert "Mam 5 lat doświadczenia." in text
    application.refresh_from_db()
    assert application.status == Application.Status.SEEN
    assert ProfileView.objects.filter(employer=emp, cv=application.cv).exists()
    assert AuditRecord.objects.filter(action="personal_data.viewed", object_id=str(application.pk)).exists()

    assert http.post(f"/konto/zgloszenia/{application.uuid}/odpowiedz/", {"answer": "invite"}).status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.INVITED


def test_applying_twice_is_refused_and_a_withdrawn_application_can_be_sent_again(
    office: Organisation, seeker: Client
) -> None:
    _cv(seeker, consent=False)
    account = actions.account_for_client(seeker)
    offer = published(office)
    first = actions.apply(account=account, offer=offer, letter="", with_file=False)
    with pytest.raises(Conflict):
        actions.apply(account=account, offer=offer, letter="", with_file=False)
    actions.withdraw_application(account=account, application_uuid=str(first.uuid))
    with pytest.raises(Conflict):
        actions.withdraw_application(account=account, application_uuid=str(first.uuid))
    again = actions.apply(account=account, offer=offer, letter="", with_file=False)
    assert again.pk != first.pk


def test_an_offer_that_is_not_published_takes_no_applications(office: Organisation, seeker: Client) -> None:
    _cv(seeker, consent=False)
    account = actions.account_for_client(seeker)
    offer = published(office)
    job_actions.withdraw_offer(actor=TEST, offer=offer, reason="obsadzone")
    with pytest.raises(Conflict):
        actions.apply(account=account, offer=offer, letter="", with_file=False)
    assert _seeker_http(seeker).get(f"/oferty/{offer.uuid}/aplikuj/").status_code == 404


def test_an_empty_cv_cannot_be_sent(office: Organisation, seeker: Client) -> None:
    account = actions.account_for_client(seeker)
    with pytest.raises(InvalidInput):
        actions.apply(account=account, offer=published(office), letter="", with_file=False)
    response = _seeker_http(seeker).post(f"/oferty/{published(office).uuid}/aplikuj/", {"letter": ""})
    assert response.status_code == 400
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("cv.pdf", PDF, "application/pdf"),
        ("cv.odt", odt(), "application/vnd.oasis.opendocument.text"),
        ("cv.docx", docx(), actions.DOCX),
    ],
)
def test_a_cv_document_is_kept_when_it_is_a_document(
    seeker: Client, name: str, data: bytes, kind: str, office: Organisation
) -> None:
    http = _seeker_http(seeker)
    response = http.post("/konto/cv/dokument/", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302
    stored = CVFile.objects.get()
    assert stored.content_type == kind
    download = http.get("/konto/cv/dokument/pobierz/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cv.pdf", b"MZ\x90\x00\x03 not a pdf at all"),
        ("cv.pdf", b"<html><script>alert(1)</script></html>"),
        ("cv.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"),
        ("cv.txt", b"Jan Kowalski, magazynier"),
        ("cv.pdf", b""),
    ],
)
def test_a_cv_upload_that_is_not_a_document_is_refused(seeker: Client, name: str, data: bytes) -> None:
    http = _seeker_http(seeker)
    http.post("/konto/cv/dokument/", {"file": SimpleUploadedFile("old.pdf", PDF)})
    response = http.post("/konto/cv/dokument/", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert CVFile.objects.get().content_type == "application/pdf"  # the old one is kept


def test_the_cv_document_reaches_only_the_employer_it_was_sent_to(office: Organisation, seeker: Client) -> None:
    _cv(seeker, consent=False)
    account = actions.account_for_client(seeker)
    actions.save_cv_file(account=account, data=PDF, name="cv.pdf")
    http, emp, _a = _employer_http(office)
    other_http, _other, _b = _employer_http(office)
    application = actions.apply(account=account, offer=published(office, emp), letter="", with_file=True)
    assert application.with_file
    url = f"/konto/zgloszenia/{application.uuid}/dokument/"
    assert http.get(url).status_code == 200
    assert other_http.get(url).status_code == 404
    assert other_http.get(f"/konto/zgloszenia/{application.uuid}/").status_code == 404
    assert other_http.post(f"/konto/zgloszenia/{application.uuid}/odpowiedz/", {"answer": "reject"}).status_code == 404
    assert _seeker_http(seeker).get(url).status_code == 404  # the employer's page, not the seeker's
    assert HttpClient().get(url).status_code == 302  # to the sign-in


def test_a_withdrawn_application_disappears_for_the_employer(office: Organisation, seeker: Client) -> None:
    _cv(seeker, consent=False)
    account = actions.account_for_client(seeker)
    http, emp, employer_account = _employer_http(office)
    application = actions.apply(account=account, offer=published(office, emp), letter="", with_file=False)
    response = _seeker_http(seeker).post(f"/konto/aplikacje/{application.uuid}/wycofaj/")
    assert response.status_code == 302
    assert http.get(f"/konto/zgloszenia/{application.uuid}/").status_code == 404
    with pytest.raises(NotFound):
        actions.employer_application(account=employer_account, employer=emp, application_uuid=str(application.uuid))


def test_another_seeker_cannot_withdraw_my_application(office: Organisation, seeker: Client) -> None:
    _cv(seeker, consent=False)
    application = actions.apply(
        account=actions.account_for_client(seeker), offer=published(office), letter="", with_file=False
    )
    other = client_actions.register_client(
        actor=None, home_office=office, first_name="Jan", last_name="Nowak", status=Client.Status.JOB_SEEKER
    )
    response = _seeker_http(other).post(f"/konto/aplikacje/{application.uuid}/wycofaj/")
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.SENT


def test_applications_are_audited(office: Organisation, seeker: Client) -> None:
    _cv(seeker, consent=False)
    account = actions.account_for_client(seeker)
    application = actions.apply(account=account, offer=published(office, employer(office)), letter="", with_file=False)
    actions.withdraw_application(account=account, application_uuid=str(application.uuid))
    actions_logged = set(AuditRecord.objects.filter(object_id=str(application.pk)).values_list("action", flat=True))
    assert {"jobs_seekers.application_sent", "jobs_seekers.application_status"} <= actions_logged


@pytest.mark.slow
@SETTINGS
@given(text=HOSTILE, other=HOSTILE, data=st.binary(max_size=4096))
def test_application_pages_never_fail(
    client: HttpClient, office: Organisation, text: str, other: str, data: bytes, settings: Any, tmp_path: Any
) -> None:
    """Hostile letters, answers, file names and bytes on every page of applications: never a 5xx."""
    settings.MEDIA_ROOT = tmp_path
    client.raise_request_exception = False
    person = client_actions.register_client(actor=None, home_office=office, first_name="Fuzz", last_name="Test")
    _cv(person, consent=False)
    account = actions.account_for_client(person)
    session = client.session
    session["okienko.portal_account"] = account.pk
    session.save()
    offer = published(office)
    assert client.post(f"/oferty/{offer.uuid}/aplikuj/", {"letter": text, "with_file": other}).status_code < 500
    upload = SimpleUploadedFile(other[:100] or "x", data)
    assert client.post("/konto/cv/dokument/", {"file": upload}).status_code < 500
    assert client.get("/konto/cv/dokument/pobierz/").status_code < 500
    for application in Application.objects.filter(cv__client=person):
        assert client.post(f"/konto/aplikacje/{application.uuid}/wycofaj/", {"x": text}).status_code < 500
    assert client.get("/konto/aplikacje/", {"sent": text}).status_code < 500
    http, emp, _account = _employer_http(office)
    http.raise_request_exception = False
    mine = published(office, emp)
    actions.apply(account=account, offer=mine, letter=text, with_file=True)
    application = Application.objects.get(offer=mine)
    assert http.get(f"/konto/oferty/{mine.uuid}/zgloszenia/").status_code == 200
    assert http.get(f"/konto/zgloszenia/{application.uuid}/").status_code == 200
    assert http.post(f"/konto/zgloszenia/{application.uuid}/odpowiedz/", {"answer": other}).status_code < 500
    assert http.get(f"/konto/zgloszenia/{application.uuid}/dokument/").status_code < 500


def test_consultants_see_the_applications_on_the_client_card(
    office: Organisation, seeker: Client, make_user: Callable[..., User], staff_client: Callable[[User], HttpClient]
) -> None:
    _cv(seeker, consent=False)
    offer = published(office, title="Magazynier z uprawnieniami UDT (k/m)")
    actions.apply(account=actions.account_for_client(seeker), offer=offer, letter="", with_file=False)
    http = staff_client(make_user("konsultant", roles=[(office, Role.CONSULTANT)]))
    body = http.get(f"/desk/clients/{seeker.uuid}/").content.decode()
    assert "Magazynier z uprawnieniami UDT (k/m)" in body


def test_the_api_gives_staff_the_cvs_and_applications_of_their_office_only(
    office: Organisation, seeker: Client, make_user: Callable[..., User]
) -> None:
    from rest_framework.test import APIClient

    cv = _cv(seeker, consent=False)
    application = actions.apply(
        account=actions.account_for_client(seeker), offer=published(office), letter="Chętnie.", with_file=False
    )
    own = APIClient()
    own.force_authenticate(make_user("konsultant-a", roles=[(office, Role.CONSULTANT)]))
    listed = own.get("/api/v1/jobs/cvs/", {"client": str(seeker.uuid)}).json()
    assert [row["uuid"] for row in listed["results"]] == [str(cv.uuid)]
    one = own.get(f"/api/v1/jobs/cvs/{cv.uuid}/")
    assert one.status_code == 200
    assert one.json()["headline"] == "magazynier"
    apps = own.get("/api/v1/jobs/applications/", {"client": str(seeker.uuid)}).json()["results"]
    assert [a["uuid"] for a in apps] == [str(application.uuid)]
    assert "letter" not in apps[0]
    assert own.get(f"/api/v1/jobs/applications/{application.uuid}/").json()["letter"] == "Chętnie."
    assert AuditRecord.objects.filter(action="personal_data.viewed", object_id=str(cv.pk)).exists()

    other = APIClient()
    other.force_authenticate(
        make_user("konsultant-b", roles=[(Organisation.objects.get(code="pup-b"), Role.CONSULTANT)])
    )
    assert other.get("/api/v1/jobs/cvs/").json()["results"] == []
    assert other.get("/api/v1/jobs/applications/").json()["results"] == []
    assert other.get(f"/api/v1/jobs/cvs/{cv.uuid}/").status_code == 404
    assert other.get(f"/api/v1/jobs/applications/{application.uuid}/").status_code == 404
    denied = AuditRecord.objects.filter(
        kind=AuditRecord.Kind.SECURITY, object_type__contains="application", object_id=str(application.pk)
    ).get()
    assert denied.organisation_id == office.pk
    assert APIClient().get("/api/v1/jobs/cvs/").status_code in (401, 403)
