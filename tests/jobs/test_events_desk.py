"""Trainings and job fairs on the desk (issue 19, item 7): permission, scope, the workflow, the
registrations and their CSV export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.core import clock
from okienko.core.models import AuditRecord
from okienko.jobs.events import actions
from okienko.jobs.events.models import Registration, Training
from okienko.jobs.events.states import ItemStatus, RegistrationStatus
from tests.jobs.events_helpers import event, training


@pytest.fixture
def pup_a(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def county(pup_a: Organisation, make_user: Any, client: HttpClient) -> HttpClient:
    client.force_login(make_user("konsultant.a", roles=[(pup_a, Role.CONSULTANT)]))
    return client


def test_the_desk_pages_need_the_permission(pup_a: Organisation, make_user: Any, client: HttpClient) -> None:
    client.force_login(make_user("ekspert", roles=[(pup_a, Role.EXPERT)]))
    assert client.get("/desk/jobs/events/").status_code == 403
    assert client.get("/desk/jobs/events/trainings/new/").status_code == 403


def test_a_county_consultant_creates_publishes_and_cancels_a_training(pup_a: Organisation, county: HttpClient) -> None:
    start = clock.local_now().date() + dt.timedelta(days=10)
    data = {
        "office": pup_a.pk,
        "title": "Obsługa wózków widłowych",
        "provider": "Centrum Szkoleń",
        "description": "<p>Kurs UDT</p>",
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=5)).isoformat(),
        "hours": "40",
        "place_locality": "Białystok",
        "place_teryt": "2061011",
        "cost": "0",
        "funding": "labour_fund",
        "occupations": "834401",
        "capacity": "12",
        "waiting_list": "on",
        "registration_open": "on",
    }
    assert county.get("/desk/jobs/events/").status_code == 200
    assert county.post("/desk/jobs/events/trainings/new/", data | {"occupations": "12"}).status_code == 400
    response = county.post("/desk/jobs/events/trainings/new/", data)
    assert response.status_code == 302
    item = Training.objects.get(title="Obsługa wózków widłowych")
    assert item.occupations == ["834401"]
    url = f"/desk/jobs/events/trainings/{item.uuid}/"
    assert county.get(url).status_code == 200
    edit = {f"item-{k}": v for k, v in data.items() if k != "office"} | {"intent": "save", "item-capacity": "15"}
    assert county.post(url, edit).status_code == 302
    assert county.post(url, {"intent": "publish"}).status_code == 302
    item.refresh_from_db()
    assert (item.capacity, item.status) == (15, ItemStatus.PUBLISHED)
    assert county.post(url, {"intent": "cancel", "cancel-reason": ""}).status_code == 400
    assert county.post(url, {"intent": "cancel", "cancel-reason": "Brak chętnych"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.CANCELLED
    assert AuditRecord.objects.filter(action="jobs_events.training_cancelled", object_id=str(item.pk)).exists()


def test_registrations_list_cancel_and_csv_for_the_organising_office_only(
    region: Organisation, pup_a: Organisation, county: HttpClient
) -> None:
    own = event(pup_a)
    other = event(Organisation.objects.get(code="pup-b"))
    wup = training(region)
    registration = actions.register(item=own, name="=HYPERLINK(1)", email="jan@example.org", phone="600100200")
    regs = f"/desk/jobs/events/events/{own.uuid}/registrations/"
    page = county.get(regs).content.decode()
    assert "jan@example.org" in page
    csv_body = county.get(f"/desk/jobs/events/events/{own.uuid}/registrations.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in csv_body
    assert AuditRecord.objects.filter(action="jobs_events.registrations_exported").exists()
    for url in (
        f"/desk/jobs/events/events/{other.uuid}/",
        f"/desk/jobs/events/events/{other.uuid}/registrations/",
        f"/desk/jobs/events/events/{other.uuid}/registrations.csv",
        f"/desk/jobs/events/trainings/{wup.uuid}/",
        f"/desk/jobs/events/trainings/{own.uuid}/",
    ):
        assert county.get(url).status_code == 404, url
    assert county.post(regs, {"registration": "nonsense"}).status_code == 404
    assert county.post(regs, {"registration": str(registration.uuid)}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert Registration.objects.filter(event=other).count() == 0
