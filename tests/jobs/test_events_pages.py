"""Trainings and job fairs on the portal (issue 19, item 7): catalogues, filters, detail pages with
JSON-LD, guest and signed-in registration, cancelling from "my matters"."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient

from okienko.accounts.models import Organisation
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.jobs.events import actions
from okienko.jobs.events.models import Registration
from okienko.jobs.events.states import RegistrationStatus
from okienko.jobs.seekers import actions as seeker_actions
from okienko.jobs.seekers.models import PortalAccount
from tests.jobs.events_helpers import event, training
from tests.jobs.helpers import TEST


@pytest.fixture
def pup_a(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture(autouse=True)
def _fast_forms(settings: Any, db: None) -> None:
    settings.PORTAL_MIN_FILL_SECONDS = 0
    cache.clear()


def _account(office: Organisation) -> PortalAccount:
    client = client_actions.register_client(
        actor=None, home_office=office, first_name="Anna", last_name="Zielińska", status=Client.Status.JOB_SEEKER
    )
    return seeker_actions.account_for_client(client)


def _as(http: HttpClient, account: PortalAccount) -> HttpClient:
    session = http.session
    session["okienko.portal_account"] = account.pk
    session.save()
    return http


def _json_ld(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_catalogues_list_published_items_with_the_office_and_filters(
    region: Organisation, pup_a: Organisation, client: HttpClient
) -> None:
    wup = training(region, title="Spawanie metodą MIG", occupations=["721204"], funding="esf")
    pup = training(pup_a, title="Kurs kierowców wózków widłowych", occupations=["834401"])
    draft = training(pup_a, publish=False, title="Szkolenie robocze")
    page = client.get("/szkolenia/").content.decode()
    assert wup.title in page
    assert pup.title in page
    assert draft.title not in page
    assert "PUP pup-a" in page
    by_title = client.get("/szkolenia/", {"q": "spawanie"}).content.decode()
    assert wup.title in by_title
    assert pup.title not in by_title
    by_occupation = client.get("/szkolenia/", {"occupation": "8344"}).content.decode()
    assert pup.title in by_occupation
    assert wup.title not in by_occupation
    assert pup.title not in client.get("/szkolenia/", {"funding": "esf"}).content.decode()
    assert client.get("/szkolenia/", {"occupation": "abc"}).status_code == 400
    assert client.get("/szkolenia/", {"q": 'NEAR("x" OR *)'}).status_code == 200
    fair = event(pup_a)
    assert fair.title in client.get("/wydarzenia/").content.decode()
    assert client.get("/wydarzenia/", {"kind": "nonsense"}).status_code == 400


def test_detail_pages_carry_json_ld_and_drafts_are_missing(pup_a: Organisation, client: HttpClient) -> None:
    item = training(pup_a)
    course = _json_ld(client.get(f"/szkolenia/{item.uuid}/").content.decode())
    assert course["@type"] == "Course"
    assert course["hasCourseInstance"]["startDate"] == item.start_date.isoformat()
    fair = event(pup_a, online=True, online_link="https://example.org/spotkanie", address="")
    page = client.get(f"/wydarzenia/{fair.uuid}/").content.decode()
    assert _json_ld(page)["@type"] == "Event"
    assert 'href="https://example.org/spotkanie"' not in page
    draft = training(pup_a, publish=False)
    assert client.get(f"/szkolenia/{draft.uuid}/").status_code == 404
    assert client.get(f"/wydarzenia/{item.uuid}/").status_code == 404


def test_a_guest_registers_with_name_and_e_mail(pup_a: Organisation, client: HttpClient) -> None:
    item = event(pup_a)
    url = f"/wydarzenia/{item.uuid}/"
    started = re.search(r'name="started" value="([^"]+)"', client.get(url).content.decode())
    assert started
    data = {"name": "Jan Kowalski", "email": "jan@example.org", "consent": "on", "started": started.group(1)}
    assert client.post(url, data | {"email": "nie-adres"}).status_code == 400
    assert client.post(url, data | {"website": "http://spam"}).status_code == 400
    response = client.post(url, data)
    assert response.status_code == 200
    assert Registration.objects.filter(event=item, email="jan@example.org").count() == 1
    assert client.post(url, data).status_code == 409


def test_guest_registrations_are_rate_limited(pup_a: Organisation, client: HttpClient, settings: Any) -> None:
    settings.PORTAL_RATE_LIMITS = {"event_register": 2}
    item = training(pup_a, capacity=50)
    url = f"/szkolenia/{item.uuid}/"
    for n in range(2):
        client.post(url, {"name": "X Y", "email": f"x{n}@example.org", "consent": "on", "started": ""})
    assert client.post(url, {"name": "X Y", "email": "z@example.org", "consent": "on"}).status_code == 429


def test_a_signed_in_job_seeker_registers_in_one_click_and_cancels_from_the_account(
    pup_a: Organisation, client: HttpClient
) -> None:
    item = training(pup_a)
    account = _account(pup_a)
    _as(client, account)
    page = client.get(f"/szkolenia/{item.uuid}/").content.decode()
    assert 'name="as" value="account"' in page
    assert client.post(f"/szkolenia/{item.uuid}/", {"as": "account"}).status_code == 200
    registration = Registration.objects.get(training=item, account=account)
    home = client.get("/konto/").content.decode()
    assert item.title in home
    assert f"/konto/zapisy/{registration.uuid}/anuluj/" in home
    assert client.get(f"/konto/zapisy/{registration.uuid}/anuluj/").status_code == 405
    assert client.post(f"/konto/zapisy/{registration.uuid}/anuluj/").status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    item.refresh_from_db()
    assert item.taken == 0


def test_nobody_cancels_someone_else_s_registration(pup_a: Organisation, client: HttpClient) -> None:
    item = training(pup_a)
    owner, other = _account(pup_a), _account(pup_a)
    registration = actions.register(item=item, account=owner)
    _as(client, other)
    assert client.post(f"/konto/zapisy/{registration.uuid}/anuluj/").status_code == 404
    anonymous = HttpClient()
    assert anonymous.post(f"/konto/zapisy/{registration.uuid}/anuluj/").status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    actions.cancel(actor=TEST, item=item, reason="Brak sali")
    cancelled = client.get(f"/szkolenia/{item.uuid}/").content.decode()
    assert "Brak sali" in cancelled


@pytest.mark.parametrize("path", ["/szkolenia/", "/wydarzenia/"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_outside_the_calendar_is_a_readable_error(
    pup_a: Organisation, client: HttpClient, path: str, day: str
) -> None:
    response = client.get(path, {"date_from": day}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Choose dates between 2000 and 2100." in response.content.decode()
