"""Portal accounts, CVs and the candidate search (issue 19, items 1 and 4)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core.models import AuditRecord
from okienko.interactions.models import Callback
from okienko.jobs.models import Employer, EmployerMembership
from okienko.jobs.seekers import actions, search
from okienko.jobs.seekers.models import CV, ContactRequest, PortalAccount, ProfileView
from tests.jobs.helpers import employer, new_nip

PASSWORD = "Bardzo-tajne-haslo-2026"


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def seeker(office: Organisation) -> Client:
    client = client_actions.register_client(
        actor=None,
        home_office=office,
        first_name="Anna",
        last_name="Zielińska",
        emails=["anna.zielinska@example.org"],
        phones=["600100200"],
        status=Client.Status.JOB_SEEKER,
    )
    client_actions.set_pin(actor=None, client=client, pin="7913")
    return client


def _pin_signin(http: HttpClient, number: str, pin: str) -> int:
    response = http.post("/konto/logowanie/", {"method": "pin", "pin-number": number, "pin-pin": pin})
    return int(response.status_code)


def _cv(seeker: Client, *, consent: bool = True) -> CV:
    account = actions.account_for_client(seeker)
    cv = actions.save_cv(
        account=account,
        values={
            "headline": "magazynier",
            "experience": [{"title": "Magazynier", "occupation_code": "432102", "years": 5}],
            "skills": ["wózki widłowe", "SAP"],
            "languages": [{"language": "angielski", "level": "B1"}],
            "driving_licences": ["B"],
            "areas": ["2061"],
            "working_time": "full",
        },
    )
    if consent:
        actions.set_search_consent(account=account, granted=True)
    cv.refresh_from_db()
    return cv


def _employer_http(office: Organisation, *, verified: bool = True) -> tuple[HttpClient, Employer, PortalAccount]:
    emp = employer(office, verified=verified, name=f"Firma {new_nip()}")
    user = User.objects.create(username=f"portal-{emp.pk}")
    account = PortalAccount.objects.create(user=user, kind=PortalAccount.Kind.EMPLOYER, email=f"hr{emp.pk}@firma.pl")
    EmployerMembership.objects.create(employer=emp, user=user, role=EmployerMembership.Role.OWNER)
    http = HttpClient()
    session = http.session
    session["okienko.portal_account"] = account.pk
    session.save()
    return http, emp, account


# --- signing in --------------------------------------------------------------------------------


def test_pin_signin_opens_my_matters(client: HttpClient, seeker: Client) -> None:
    """The right client number and PIN sign in and show the client's own page."""
    assert _pin_signin(client, seeker.number, "7913") == 302
    page = client.get("/konto/")
    assert page.status_code == 200
    assert seeker.number in page.content.decode()
    assert PortalAccount.objects.filter(client=seeker, kind="seeker").count() == 1


def test_wrong_pin_is_refused_and_never_logged(client: HttpClient, seeker: Client) -> None:
    """A wrong PIN signs in nobody; the audit entry does not carry the PIN."""
    assert _pin_signin(client, seeker.number, "9999") == 403
    assert client.get("/konto/").status_code == 302
    entry = AuditRecord.objects.filter(action="jobs_seekers.signin_failed").get()
    assert "9999" not in json.dumps(entry.data)


def test_pin_lockout_after_five_failures(client: HttpClient, seeker: Client) -> None:
    """Five wrong PINs lock the number: even the right PIN is refused afterwards."""
    for _attempt in range(5):
        assert _pin_signin(client, seeker.number, "0000") == 403
    assert _pin_signin(client, seeker.number, "7913") == 403
    assert AuditRecord.objects.filter(action="jobs_seekers.signin_locked").count() == 1


def test_portal_session_does_not_reach_the_desk(client: HttpClient, seeker: Client) -> None:
    """A signed-in job seeker is nobody on the desk."""
    _pin_signin(client, seeker.number, "7913")
    response = client.get("/desk/")
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_portal_user_cannot_use_the_staff_login(seeker: Client) -> None:
    """The portal account's Django user has no usable password."""
    account = actions.account_for_client(seeker)
    assert not account.user.has_usable_password()


# --- registration ------------------------------------------------------------------------------


def test_email_registration_needs_verification(client: HttpClient, office: Organisation) -> None:
    """Registering by e-mail sends a link; signing in works only after it is opened."""
    data = {
        "first_name": "Jan",
        "last_name": "Nowak",
        "email": "jan.nowak@example.org",
        "password": PASSWORD,
        "office": office.pk,
    }
    assert client.post("/konto/rejestracja/", data).status_code == 200
    signin = {"method": "email", "email-email": "jan.nowak@example.org", "email-password": PASSWORD}
    assert client.post("/konto/logowanie/", signin).status_code == 403
    link = re.search(r"https?://\S+(/konto/potwierdz/\S+/)", str(mail.outbox[-1].body))
    assert link is not None
    assert client.get(link.group(1)).status_code == 200
    assert client.post("/konto/logowanie/", signin).status_code == 302
    account = PortalAccount.objects.get(email="jan.nowak@example.org")
    assert account.client is not None
    assert account.client.last_name == "Nowak"


def test_forged_verification_link_is_refused(client: HttpClient) -> None:
    assert client.get("/konto/potwierdz/not-a-token/").status_code == 400


def test_employer_registration_with_bad_nip_is_refused(client: HttpClient, office: Organisation) -> None:
    """A NIP with a wrong check digit registers nothing."""
    data = {
        "company": "Hurtownia Test",
        "nip": "5260000001",
        "locality": "Białystok",
        "teryt_code": "2061011",
        "office": office.pk,
        "first_name": "Ewa",
        "last_name": "Kowal",
        "email": "ewa@hurtownia.pl",
        "password": PASSWORD,
    }
    response = client.post("/konto/rejestracja/pracodawca/", data)
    assert response.status_code == 400
    assert not Employer.objects.filter(name="Hurtownia Test").exists()
    assert not PortalAccount.objects.exists()


def test_employer_registration_creates_pending_employer_and_owner(client: HttpClient, office: Organisation) -> None:
    data = {
        "company": "Hurtownia Dobra",
        "nip": new_nip(),
        "locality": "Białystok",
        "teryt_code": "2061011",
        "office": office.pk,
        "first_name": "Ewa",
        "last_name": "Kowal",
        "email": "ewa@dobra.pl",
        "password": PASSWORD,
    }
    assert client.post("/konto/rejestracja/pracodawca/", data).status_code == 200
    emp = Employer.objects.get(name="Hurtownia Dobra")
    assert emp.status == "pending"
    account = PortalAccount.objects.get(email="ewa@dobra.pl")
    assert account.kind == "employer"
    assert EmployerMembership.objects.get(employer=emp).user == account.user


# --- my data, deletion -------------------------------------------------------------------------


def test_my_data_download_holds_client_cv_and_views(client: HttpClient, seeker: Client, office: Organisation) -> None:
    """The JSON download carries the client's data, the CV, consents and employers' views."""
    cv = _cv(seeker)
    _http, emp, account = _employer_http(office)
    actions.record_view(account=account, employer=emp, cv=cv)
    _pin_signin(client, seeker.number, "7913")
    response = client.get("/konto/moje-dane.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["client"]["last_name"] == "Zielińska"
    assert data["cv"]["skills"] == ["wózki widłowe", "SAP"]
    assert data["search_consents"][0]["withdrawn_at"] is None
    assert data["employer_views"][0]["employer"] == emp.name
    assert "7913" not in response.content.decode()
    assert not any(k == "pin_hash" for k in data["client"])


def test_deletion_request_creates_a_callback_for_the_office(client: HttpClient, seeker: Client) -> None:
    _pin_signin(client, seeker.number, "7913")
    assert client.post("/konto/usuniecie/").status_code == 200
    callback = Callback.objects.get(client=seeker)
    assert callback.target_unit == seeker.home_office
    assert AuditRecord.objects.filter(action="jobs_seekers.deletion_requested").count() == 1


# --- consent and candidate search --------------------------------------------------------------


def test_consent_off_by_default_and_withdrawal_hides_at_once(seeker: Client, office: Organisation) -> None:
    """Without consent a CV is never found; a withdrawal hides it from the next search and profile."""
    cv = _cv(seeker, consent=False)
    http, _emp, _account = _employer_http(office)
    assert cv.pseudonym not in http.get("/konto/kandydaci/", {"occupation": "4321"}).content.decode()
    account = actions.account_for_client(seeker)
    actions.set_search_consent(account=account, granted=True)
    assert cv.pseudonym in http.get("/konto/kandydaci/", {"occupation": "4321"}).content.decode()
    assert http.get(f"/konto/kandydaci/{cv.uuid}/").status_code == 200
    actions.set_search_consent(account=account, granted=False)
    assert cv.pseudonym not in http.get("/konto/kandydaci/", {"occupation": "4321"}).content.decode()
    assert http.get(f"/konto/kandydaci/{cv.uuid}/").status_code == 404


def test_search_filters_by_occupation_area_and_skill(seeker: Client) -> None:
    cv = _cv(seeker)
    assert [c.pk for c in search.page(search.Filters(occupation="4321", area="20"))[0]] == [cv.pk]
    assert search.page(search.Filters(occupation="8332"))[0] == []
    assert search.page(search.Filters(area="14"))[0] == []
    assert [c.pk for c in search.page(search.Filters(skills=("Wozki Widlowe",)))[0]] == [cv.pk]
    assert search.page(search.Filters(skills=("spawanie",)))[0] == []
    assert search.page(search.Filters(working_time="part"))[0] == []


def test_profile_is_pseudonymised_until_accepted(client: HttpClient, seeker: Client, office: Organisation) -> None:
    """Before acceptance the employer sees no name, e-mail or phone; after it, it does."""
    cv = _cv(seeker)
    http, emp, _account = _employer_http(office)
    listing = http.get("/konto/kandydaci/", {"occupation": "43"}).content.decode()
    page = http.get(f"/konto/kandydaci/{cv.uuid}/").content.decode()
    for text in (listing, page):
        assert cv.pseudonym in text
        for secret in ("Zielińska", "Anna", "anna.zielinska@example.org", "600100200", seeker.number):
            assert secret not in text
    assert http.post(f"/konto/kandydaci/{cv.uuid}/", {"message": "Zapraszamy"}).status_code == 200
    request = ContactRequest.objects.get(cv=cv, employer=emp)
    _pin_signin(client, seeker.number, "7913")
    assert emp.name in client.get("/konto/").content.decode()
    client.post(f"/konto/prosby/{request.uuid}/", {"answer": "accept"})
    request.refresh_from_db()
    assert request.status == "accepted"
    page = http.get(f"/konto/kandydaci/{cv.uuid}/").content.decode()
    assert "Zielińska" in page
    assert "anna.zielinska@example.org" in page


def test_declined_request_reveals_nothing(client: HttpClient, seeker: Client, office: Organisation) -> None:
    cv = _cv(seeker)
    http, emp, account = _employer_http(office)
    request = actions.request_contact(account=account, employer=emp, cv=cv, message="")
    _pin_signin(client, seeker.number, "7913")
    client.post(f"/konto/prosby/{request.uuid}/", {"answer": "decline"})
    assert "Zielińska" not in http.get(f"/konto/kandydaci/{cv.uuid}/").content.decode()


def test_other_seeker_cannot_answer_a_request(client: HttpClient, seeker: Client, office: Organisation) -> None:
    cv = _cv(seeker)
    _http, emp, account = _employer_http(office)
    request = actions.request_contact(account=account, employer=emp, cv=cv, message="")
    other = client_actions.register_client(actor=None, home_office=office, first_name="Piotr", last_name="Inny")
    client_actions.set_pin(actor=None, client=other, pin="1111")
    _pin_signin(client, other.number, "1111")
    assert client.post(f"/konto/prosby/{request.uuid}/", {"answer": "accept"}).status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


def test_profile_views_are_logged_and_shown_to_the_candidate(
    client: HttpClient, seeker: Client, office: Organisation
) -> None:
    cv = _cv(seeker)
    http, emp, _account = _employer_http(office)
    http.get(f"/konto/kandydaci/{cv.uuid}/")
    http.get(f"/konto/kandydaci/{cv.uuid}/")
    assert ProfileView.objects.filter(cv=cv, employer=emp).count() == 2
    _pin_signin(client, seeker.number, "7913")
    assert emp.name in client.get("/konto/").content.decode()


def test_unverified_employer_cannot_search(office: Organisation) -> None:
    http, _emp, _account = _employer_http(office, verified=False)
    assert http.get("/konto/kandydaci/", {"occupation": "43"}).status_code == 403


def test_seeker_cannot_search_candidates(client: HttpClient, seeker: Client) -> None:
    _pin_signin(client, seeker.number, "7913")
    assert client.get("/konto/kandydaci/").status_code == 404


def test_searches_and_views_are_rate_limited(settings: object, seeker: Client, office: Organisation) -> None:
    """An employer that spends its hourly budget gets 429, for searches and for profile views."""
    settings.JOBS_CANDIDATE_LIMITS = {"search": 2, "view": 1}  # type: ignore[attr-defined]
    cv = _cv(seeker)
    http, _emp, _account = _employer_http(office)
    assert http.get("/konto/kandydaci/", {"occupation": "43"}).status_code == 200
    assert http.get("/konto/kandydaci/", {"occupation": "43"}).status_code == 200
    assert http.get("/konto/kandydaci/", {"occupation": "43"}).status_code == 429
    assert http.get(f"/konto/kandydaci/{cv.uuid}/").status_code == 200
    assert http.get(f"/konto/kandydaci/{cv.uuid}/").status_code == 429


def test_result_pages_are_capped(seeker: Client) -> None:
    _cv(seeker)
    rows, more = search.page(search.Filters(), 500)
    assert more is False
    assert len(rows) <= search.PAGE_SIZE


def test_bad_cv_input_is_a_readable_error(client: HttpClient, seeker: Client) -> None:
    _pin_signin(client, seeker.number, "7913")
    response = client.post("/konto/cv/", {"experience": "Magazynier; 12; 5", "working_time": "any"})
    assert response.status_code == 400
    assert "KZiS" in response.content.decode()


# --- the desk panel ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "shown"), [(Role.CONSULTANT, True), (Role.ANALYST, False)])
def test_desk_panel_per_role(
    make_user: Callable[..., User],
    staff_client: Callable[[User], HttpClient],
    seeker: Client,
    office: Organisation,
    role: str,
    shown: bool,
) -> None:
    """Consultants of the office see the CV and consent on the client card, and the read is logged."""
    cv = _cv(seeker)
    user = make_user(f"u-{role}", roles=[(office, role)])
    http = staff_client(user)
    response = http.get(f"/desk/clients/{seeker.uuid}/")
    body = response.content.decode()
    assert (cv.pseudonym in body) is shown
    logged = AuditRecord.objects.filter(action="personal_data.viewed", object_type__contains="cv").exists()
    assert logged is shown


def test_posting_to_a_candidate_counts_and_logs_the_view(seeker: Client, office: Organisation, settings: Any) -> None:
    """A POST shows the profile as a GET does: without counting it an employer could page
    through candidates by posting, past the view limit and unseen by the candidates."""
    settings.JOBS_CANDIDATE_LIMITS = {"search": 100, "view": 2}
    cv = _cv(seeker)
    http, emp, _account = _employer_http(office)
    assert http.post(f"/konto/kandydaci/{cv.uuid}/", {"message": "x" * 3000}).status_code == 200
    assert ProfileView.objects.filter(cv=cv, employer=emp).count() == 1
    assert http.post(f"/konto/kandydaci/{cv.uuid}/", {}).status_code == 200
    assert http.post(f"/konto/kandydaci/{cv.uuid}/", {}).status_code == 429


def test_the_offers_matching_candidates_spend_the_search_budget(
    seeker: Client, office: Organisation, settings: Any
) -> None:
    from tests.jobs.helpers import approved

    settings.JOBS_CANDIDATE_LIMITS = {"search": 1, "view": 100}
    _cv(seeker)
    http, emp, _account = _employer_http(office)
    offer = approved(office, emp, occupation_code="432102", title="Magazynier / Magazynierka")
    assert http.get(f"/konto/oferty/{offer.uuid}/kandydaci/").status_code == 200
    assert http.get(f"/konto/oferty/{offer.uuid}/kandydaci/").status_code == 429


def test_my_account_names_a_consent_as_given_or_withdrawn(seeker: Client) -> None:
    """A consent reads "Profil widoczny dla pracodawców: zgoda wycofana", not a bare "wycofana"."""
    account = actions.account_for_client(seeker)
    actions.set_search_consent(account=account, granted=True)
    actions.set_search_consent(account=account, granted=False)
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="pl")
    assert _pin_signin(http, seeker.number, "7913") == 302
    page = http.get("/konto/").content.decode()
    assert ": zgoda wycofana (" in page
