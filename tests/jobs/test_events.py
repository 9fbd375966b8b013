"""Trainings and job fairs (issue 19, items 6–7): actions and audit, scope, places, announcements."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core.errors import Conflict, InvalidInput, TransitionNotAllowed
from okienko.core.models import AuditRecord
from okienko.jobs.alerts import actions as alert_actions
from okienko.jobs.alerts.models import Frequency
from okienko.jobs.events import access, actions
from okienko.jobs.events.models import Announcement, AnnouncementOptOut, Registration, Training
from okienko.jobs.events.states import ItemStatus, RegistrationStatus
from okienko.jobs.seekers import actions as seeker_actions
from okienko.notifications.models import Notification
from tests.jobs.events_helpers import event, training, training_values
from tests.jobs.helpers import TEST
from tests.notifications.conftest import run_workers


@pytest.fixture
def pup_a(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def pup_b(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-b")


def _seeker(office: Organisation, *, email: str = "anna@example.org", phone: str = "600100200", **cv: Any) -> Client:
    client = client_actions.register_client(
        actor=None,
        home_office=office,
        first_name="Anna",
        last_name="Zielińska",
        emails=[email],
        phones=[phone],
        status=Client.Status.JOB_SEEKER,
    )
    if cv:
        seeker_actions.save_cv(account=seeker_actions.account_for_client(client), values=cv)
    return client


# --- actions, audit, validation -------------------------------------------------------------------


def test_a_training_is_created_sanitised_published_and_audited(pup_a: Organisation) -> None:
    item = training(pup_a, publish=False)
    assert "<script>" not in item.description
    assert item.status == ItemStatus.DRAFT
    actions.publish(actor=TEST, item=item)
    assert item.status == ItemStatus.PUBLISHED
    assert item.published_at is not None
    logged = set(AuditRecord.objects.filter(object_id=str(item.pk)).values_list("action", flat=True))
    assert {"jobs_events.training_created", "jobs_events.training_published"} <= logged


def test_bad_input_is_refused_with_a_clear_error(pup_a: Organisation) -> None:
    with pytest.raises(InvalidInput):
        actions.create_training(actor=TEST, office=pup_a, values=training_values(occupations=["999999"]))
    values = training_values()
    with pytest.raises(InvalidInput):
        actions.create_training(
            actor=TEST,
            office=pup_a,
            values=values | {"end_date": values["start_date"] - dt.timedelta(days=1)},
        )
    with pytest.raises(InvalidInput):
        actions.create_training(actor=TEST, office=pup_a, values=training_values(place_locality="", online=False))
    with pytest.raises(InvalidInput):
        actions.create_training(actor=TEST, office=pup_a, values=training_values(cost=Decimal("-1")))
    with pytest.raises(InvalidInput):
        actions.create_training(actor=TEST, office=pup_a, values={"title": "x", "secret": 1})
    online = actions.create_training(
        actor=TEST, office=pup_a, values=training_values(online=True, place_locality="", place_teryt="")
    )
    assert actions.place_text(online) in ("online", "przez internet")


def test_cancelling_needs_a_reason_and_a_cancelled_item_stays_cancelled(pup_a: Organisation) -> None:
    item = event(pup_a)
    with pytest.raises(InvalidInput):
        actions.cancel(actor=TEST, item=item, reason=" ")
    actions.cancel(actor=TEST, item=item, reason="Sala niedostępna")
    with pytest.raises(TransitionNotAllowed):
        actions.publish(actor=TEST, item=item)
    with pytest.raises(Conflict):
        actions.update_item(actor=TEST, item=item, values={"title": "Nowy"})


# --- scope ----------------------------------------------------------------------------------------


def test_county_staff_manage_only_their_office_and_regional_staff_the_region_wide_items(
    region: Organisation, pup_a: Organisation, pup_b: Organisation, make_user: Any
) -> None:
    wup_item = training(region)
    a_item = training(pup_a)
    b_item = event(pup_b)
    county = make_user("pup.a", roles=[(pup_a, Role.CONSULTANT)])
    regional = make_user("wup.user", roles=[(region, Role.CONSULTANT)])
    expert = make_user("expert", roles=[(pup_a, Role.EXPERT)])
    assert access.may_manage_item(county, a_item)
    assert not access.may_manage_item(county, b_item)
    assert not access.may_manage_item(county, wup_item)
    assert list(access.trainings(county)) == [a_item]
    assert access.may_manage_item(regional, wup_item)
    assert not access.may_manage_item(regional, a_item)
    assert not access.may_manage(expert)


# --- places ---------------------------------------------------------------------------------------


def test_registration_counts_places_keeps_a_waiting_list_and_promotes_on_cancel(pup_a: Organisation) -> None:
    item = training(pup_a, capacity=1)
    first = actions.register(item=item, name="Jan Kowalski", email="jan@example.org")
    second = actions.register(item=item, name="Ewa Nowak", email="ewa@example.org")
    assert (first.status, second.status) == (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)
    with pytest.raises(Conflict):
        actions.register(item=item, name="Jan K.", email="JAN@example.org")
    actions.cancel_registration(registration=first, actor=TEST)
    second.refresh_from_db()
    item.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED
    assert item.taken == 1
    again = actions.register(item=item, name="Jan Kowalski", email="jan@example.org")
    assert again.pk == first.pk
    assert again.status == RegistrationStatus.WAITING


def test_without_a_waiting_list_the_last_place_goes_to_one_person_only(pup_a: Organisation) -> None:
    item = event(pup_a, capacity=1, waiting_list=False)
    actions.register(item=item, name="Jan Kowalski", email="jan@example.org")
    with pytest.raises(Conflict):
        actions.register(item=item, name="Ewa Nowak", email="ewa@example.org")
    assert Registration.objects.filter(event=item).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_registrations_at_once_for_the_last_place(region: Organisation) -> None:
    pup = Organisation.objects.get(code="pup-a")
    item = training(pup, capacity=1, waiting_list=False)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            actions.register(item=Training.objects.get(pk=item.pk), name=f"Osoba {n}", email=f"osoba{n}@example.org")
            results.append("ok")
        except Conflict:
            results.append("full")
        except Exception as exc:  # noqa: BLE001 - SQLite may refuse a concurrent writer: no place taken
            results.append(f"error:{type(exc).__name__}")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    item.refresh_from_db()
    assert results.count("ok") == 1
    assert item.taken == 1
    assert Registration.objects.filter(training=item, status=RegistrationStatus.CONFIRMED).count() == 1


def test_registration_closes_after_the_deadline(pup_a: Organisation, time_machine: Any) -> None:
    item = training(pup_a)
    assert item.registration_deadline is not None
    time_machine.move_to(item.start_date.isoformat() + "T12:00:00+01:00")
    with pytest.raises(Conflict):
        actions.register(item=item, name="Jan Kowalski", email="jan@example.org")


# --- announcements --------------------------------------------------------------------------------


def test_a_published_training_is_announced_once_to_matching_job_seekers(
    pup_a: Organisation, pup_b: Organisation, settings: Any, tmp_path: Any
) -> None:
    settings.VAR_DIR = tmp_path
    settings.OKIENKO_SMS_GATEWAY = "file"
    by_cv = _seeker(pup_a, main_occupation="833202", areas=["2001"])
    elsewhere = _seeker(pup_b, email="b@example.org", phone="600100201", main_occupation="833201", areas=["2002"])
    other_job = _seeker(pup_a, email="c@example.org", phone="600100202", main_occupation="512001", areas=["2001"])
    by_search = _seeker(pup_a, email="d@example.org", phone="600100203")
    alert_actions.save_search(
        account=seeker_actions.account_for_client(by_search),
        name="Kierowca",
        filters={"occupation": "8332"},
        by_email=True,
        by_sms=True,
        frequency=Frequency.AT_ONCE,
    )
    item = training(pup_a)
    run_workers()
    announced = set(Announcement.objects.filter(training=item).values_list("client_id", flat=True))
    assert announced == {by_cv.pk, by_search.pk}
    assert elsewhere.pk not in announced
    assert other_job.pk not in announced
    assert Announcement.objects.filter(training=item, sent_at__isnull=True).count() == 0
    sent = Notification.objects.filter(event="job_announcement")
    assert {n.channel for n in sent} == {"email", "sms"}
    assert any("/wydarzenia/wypisz/" in m.body for m in mail.outbox)
    before = sent.count()
    actions.announce(item)
    run_workers()
    assert Notification.objects.filter(event="job_announcement").count() == before
    assert Announcement.objects.filter(training=item).count() == 2


def test_a_region_wide_event_reaches_the_whole_voivodeship(region: Organisation, pup_b: Organisation) -> None:
    far = _seeker(pup_b, main_occupation="833201", areas=["2002"])
    item = event(region)
    run_workers()
    assert Announcement.objects.filter(event=item, client=far).exists()


def test_opted_out_and_do_not_inform_me_seekers_get_nothing(pup_a: Organisation, client: Any) -> None:
    from okienko.notifications.models import Preference

    quiet = _seeker(pup_a, main_occupation="833201", areas=["2001"])
    token = actions.opt_out_token(quiet)
    asked = client.get(f"/wydarzenia/wypisz/{token}/")  # a mail scanner opening the link changes nothing
    assert asked.status_code == 200
    assert not AnnouncementOptOut.objects.filter(client=quiet).exists()
    assert client.post(f"/wydarzenia/wypisz/{token}/").status_code == 200
    assert AnnouncementOptOut.objects.filter(client=quiet).exists()
    assert client.get("/wydarzenia/wypisz/nonsense/").status_code == 400
    assert client.post("/wydarzenia/wypisz/nonsense/").status_code == 400
    silent = _seeker(pup_a, email="s@example.org", phone="600100209", main_occupation="833201", areas=["2001"])
    Preference.objects.create(client=silent, channel=Preference.Choice.NONE, updated_at=silent.created_at)
    item = training(pup_a)
    run_workers()
    assert not Announcement.objects.filter(training=item, client=quiet).exists()
    assert Announcement.objects.filter(training=item, client=silent, sent_at__isnull=False).exists()
    assert not Notification.objects.filter(event="job_announcement", client=silent).exists()
    assert not [m for m in mail.outbox if "s@example.org" in m.to]


def test_the_demo_loads_published_trainings_and_a_job_fair_once(db: None) -> None:
    from okienko.accounts import demo as accounts_demo
    from okienko.jobs.events import demo
    from okienko.jobs.events.models import Event

    accounts_demo.load(stdout=io.StringIO())
    demo.load()
    demo.load()
    assert Training.objects.published().count() == 4
    assert Event.objects.published().filter(kind="job_fair", office__code="wup-bialystok").count() == 1
