"""Bounded fuzzing of the portal account pages (issue 19): sign-in, registration, the e-mail link,
the CV form and the employers' candidate search, with hostile strings — never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import given

from okienko.accounts.models import Organisation, User
from okienko.clients import actions as client_actions
from okienko.jobs.models import EmployerMembership
from okienko.jobs.seekers.models import PortalAccount
from tests.jobs.helpers import employer
from tests.portal.test_fuzzing import HOSTILE, SETTINGS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def fuzzed(client: Client, settings: Any) -> Client:
    settings.PORTAL_RATE_LIMITS = {"signin": 100_000, "register": 100_000, "invite": 100_000, "invitation": 100_000}
    settings.PORTAL_SIGNIN_MAX_FAILURES = 100_000
    settings.JOBS_CANDIDATE_LIMITS = {"search": 100_000, "view": 100_000}
    client.raise_request_exception = False
    return client


def _as(client: Client, account: PortalAccount) -> Client:
    session = client.session
    session["okienko.portal_account"] = account.pk
    session.save()
    return client


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@SETTINGS
@given(number=HOSTILE, pin=HOSTILE, email=HOSTILE)
def test_signin_never_fails(fuzzed: Client, number: str, pin: str, email: str) -> None:
    assert fuzzed.post("/konto/logowanie/", {"method": "pin", "pin-number": number, "pin-pin": pin}).status_code < 500
    data = {"method": "email", "email-email": email, "email-password": pin}
    assert fuzzed.post("/konto/logowanie/", data).status_code < 500


@SETTINGS
@given(text=HOSTILE, nip=HOSTILE)
def test_registration_never_fails(fuzzed: Client, office: Organisation, text: str, nip: str) -> None:
    data = {"first_name": text, "last_name": text, "email": text, "password": text, "office": text}
    assert fuzzed.post("/konto/rejestracja/", data).status_code < 500
    data |= {"company": text, "nip": nip, "locality": text, "teryt_code": nip, "office": str(office.pk)}
    assert fuzzed.post("/konto/rejestracja/pracodawca/", data).status_code < 500


@SETTINGS
@given(token=HOSTILE)
def test_verification_link_never_fails(fuzzed: Client, token: str) -> None:
    token = token.replace("/", "") or "x"
    assert fuzzed.get(f"/konto/potwierdz/{token}/").status_code < 500


@SETTINGS
@given(text=HOSTILE, other=HOSTILE)
def test_cv_form_never_fails(fuzzed: Client, office: Organisation, text: str, other: str) -> None:
    person = client_actions.register_client(actor=None, home_office=office, first_name="Fuzz", last_name="Test")
    account = PortalAccount.objects.create(
        user=User.objects.create(username=f"p-{person.pk}"), client=person, kind="seeker"
    )
    _as(fuzzed, account)
    data = {
        "headline": text,
        "main_occupation": other,
        "experience": f"{text}; {other}; {other}",
        "education": text,
        "skills": text,
        "languages": f"{text} {other}",
        "driving_licences": [other],
        "available_from": other,
        "areas": other,
        "working_time": text,
    }
    assert fuzzed.post("/konto/cv/", data).status_code < 500
    assert fuzzed.post("/konto/cv/zgoda/", {"granted": text}).status_code < 500


@SETTINGS
@given(occupation=HOSTILE, skills=HOSTILE, area=HOSTILE, page=HOSTILE)
def test_candidate_search_never_fails(
    fuzzed: Client, office: Organisation, occupation: str, skills: str, area: str, page: str
) -> None:
    emp = employer(office) if not PortalAccount.objects.filter(kind="employer").exists() else None
    account = PortalAccount.objects.filter(kind="employer").first()
    if account is None:
        user = User.objects.create(username="p-employer")
        account = PortalAccount.objects.create(user=user, kind="employer")
        assert emp is not None
        EmployerMembership.objects.create(employer=emp, user=user)
    _as(fuzzed, account)
    query = {"occupation": occupation, "skills": skills, "area": area, "available_by": page, "page": page}
    assert fuzzed.get("/konto/kandydaci/", query).status_code < 500


def _seeker_account(office: Organisation) -> PortalAccount:
    found = PortalAccount.objects.filter(kind="seeker").first()
    if found is not None:
        return found
    person = client_actions.register_client(
        actor=None, home_office=office, first_name="Fuzz", last_name="Alert", phones=["600500600"]
    )
    return PortalAccount.objects.create(
        user=User.objects.create(username=f"a-{person.pk}"), client=person, kind="seeker"
    )


@SETTINGS
@given(text=HOSTILE, other=HOSTILE)
def test_saved_search_form_never_fails(fuzzed: Client, office: Organisation, text: str, other: str) -> None:
    """The alerts page with hostile filters (FTS syntax, odd numbers), names and channels."""
    _as(fuzzed, _seeker_account(office))
    data = {
        "name": text,
        "q": other,
        "area": other,
        "near": text,
        "km": other,
        "occupation": text,
        "contract": [other],
        "working_time": text,
        "pay_min": other,
        "by_email": text,
        "by_sms": "on",
        "frequency": other,
    }
    assert fuzzed.post("/konto/alerty/", data).status_code < 500
    assert fuzzed.get("/konto/alerty/", {"q": text, "occupation": other, "area": other}).status_code < 500
    assert fuzzed.get("/konto/oferty-dla-mnie/").status_code < 500


@SETTINGS
@given(token=HOSTILE)
def test_unsubscribe_link_never_fails(fuzzed: Client, token: str) -> None:
    token = token.replace("/", "") or "x"
    assert fuzzed.get(f"/alerty/wypisz/{token}/").status_code < 500
    assert fuzzed.post(f"/alerty/wypisz/{token}/", {"List-Unsubscribe": token}).status_code < 500


@SETTINGS
@given(text=HOSTILE, other=HOSTILE)
def test_employer_offer_form_never_fails(fuzzed: Client, office: Organisation, text: str, other: str) -> None:
    """The employer's offer form (suggest, save, submit) and an odd withdrawal reason."""
    account = PortalAccount.objects.filter(kind="employer", user__username="p-offers").first()
    if account is None:
        user = User.objects.create(username="p-offers")
        account = PortalAccount.objects.create(user=user, kind="employer")
        EmployerMembership.objects.create(employer=employer(office, verified=False), user=user)
    _as(fuzzed, account)
    data = {
        "title": text,
        "occupation_code": other,
        "place_teryt": other,
        "place_locality": text,
        "posts": other,
        "contract_type": text,
        "working_time": other,
        "pay_min": other,
        "pay_max": text,
        "pay_period": text,
        "description": f"<a href='javascript:{text}'>x</a>{other}",
        "valid_from": other,
        "valid_until": text,
        "driving_licences": text,
        "latitude": other,
        "longitude": text,
    }
    for intent in ("suggest", "save", "submit", text):
        assert fuzzed.post("/konto/oferty/nowa/", data | {"intent": intent}).status_code < 500


@SETTINGS
@given(message=HOSTILE, answer=HOSTILE)
def test_contact_request_and_answer_never_fail(fuzzed: Client, office: Organisation, message: str, answer: str) -> None:
    from okienko.jobs.seekers import actions as seeker_actions

    seeker = _seeker_account(office)
    assert seeker.client is not None
    cv = seeker_actions.save_cv(account=seeker, values={"headline": "x", "main_occupation": "833201"})
    seeker_actions.set_search_consent(account=seeker, granted=True)
    account = PortalAccount.objects.filter(kind="employer", user__username="p-verified").first()
    if account is None:
        user = User.objects.create(username="p-verified")
        account = PortalAccount.objects.create(user=user, kind="employer")
        EmployerMembership.objects.create(employer=employer(office), user=user)
    _as(fuzzed, account)
    assert fuzzed.post(f"/konto/kandydaci/{cv.uuid}/", {"message": message}).status_code < 500
    _as(fuzzed, seeker)
    for request in cv.contact_requests.all():
        assert fuzzed.post(f"/konto/prosby/{request.uuid}/", {"answer": answer}).status_code < 500
    assert fuzzed.post("/konto/prosby/00000000-0000-0000-0000-000000000000/", {"answer": answer}).status_code < 500


def _team_owner(office: Organisation) -> PortalAccount:
    account = PortalAccount.objects.filter(kind="employer", user__username="p-team").first()
    if account is None:
        user = User.objects.create(username="p-team")
        account = PortalAccount.objects.create(user=user, kind="employer", email="owner@team.pl")
        EmployerMembership.objects.create(employer=employer(office), user=user, role=EmployerMembership.Role.OWNER)
    return account


@SETTINGS
@given(email=HOSTILE, role=HOSTILE, other=HOSTILE)
def test_team_pages_never_fail(fuzzed: Client, office: Organisation, email: str, role: str, other: str) -> None:
    """The team page's invitation form, cancelling and switching members with hostile input."""
    _as(fuzzed, _team_owner(office))
    assert fuzzed.post("/konto/zespol/", {"email": email, "role": role}).status_code < 500
    fresh = f"n{len(email)}-{len(other)}@team.pl"
    assert fuzzed.post("/konto/zespol/", {"email": fresh, "role": "recruiter"}).status_code < 500
    assert fuzzed.get("/konto/zespol/", {"done": other}).status_code < 500
    tail = other.replace("/", "") or "x"
    assert fuzzed.post(f"/konto/zespol/zaproszenia/{tail}/anuluj/").status_code < 500
    number = sum(map(ord, other)) % 10**12
    assert fuzzed.post(f"/konto/zespol/czlonkowie/{number}/wylacz/").status_code < 500
    assert fuzzed.post(f"/konto/zespol/czlonkowie/{number}/wlacz/").status_code < 500


@SETTINGS
@given(token=HOSTILE, password=HOSTILE)
def test_invitation_link_never_fails(
    fuzzed: Client, office: Organisation, monkeypatch: pytest.MonkeyPatch, token: str, password: str
) -> None:
    """The link from the invitation e-mail: hostile tokens and passwords, with and without a
    real invitation, signed in or not."""
    from okienko.jobs import team
    from okienko.jobs.models import EmployerInvitation

    monkeypatch.setattr(team, "MAX_PENDING", 100_000)
    monkeypatch.setattr(team, "MAX_PER_DAY", 100_000)
    token = token.replace("/", "") or "x"
    assert fuzzed.get(f"/konto/zaproszenie/{token}/").status_code < 500
    assert fuzzed.post(f"/konto/zaproszenie/{token}/", {"password": password}).status_code < 500
    address = f"i{EmployerInvitation.objects.count()}@team.pl"
    _invitation, real = team.invite(account=_team_owner(office), email=address)
    data = {"password": password, "password_again": password}
    anonymous = Client()
    anonymous.raise_request_exception = False
    assert anonymous.post(f"/konto/zaproszenie/{real}/", data).status_code < 500
    _as(fuzzed, _team_owner(office))
    assert fuzzed.post(f"/konto/zaproszenie/{real}/", data).status_code < 500
