"""The person moved up from a waiting list is told once, on their own channel (issue 19, items 6–7)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from okienko.accounts.models import Organisation
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.jobs.events import actions
from okienko.jobs.events.models import Registration
from okienko.jobs.events.states import RegistrationStatus
from okienko.jobs.seekers import actions as seeker_actions
from okienko.notifications import job_promotions
from okienko.notifications.models import Notification, Preference
from tests.jobs.events_helpers import event, training
from tests.jobs.helpers import TEST
from tests.notifications.conftest import run_workers


@pytest.fixture
def pup_a(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def sms_to_file(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.OKIENKO_SMS_GATEWAY = "file"


def _seeker(office: Organisation, email: str, phone: str) -> Client:
    return client_actions.register_client(
        actor=None,
        home_office=office,
        first_name="Ewa",
        last_name="Nowak",
        emails=[email],
        phones=[phone],
        status=Client.Status.JOB_SEEKER,
    )


def _to(address: str) -> list[Any]:
    return [m for m in mail.outbox if any(address in to for to in m.to)]


def _promoted() -> list[Notification]:
    return list(Notification.objects.filter(event="job_event_promoted"))


def test_the_promoted_guest_gets_one_e_mail_and_nobody_else_does(pup_a: Organisation) -> None:
    item = training(pup_a, capacity=1, title="Spawanie metodą MAG")
    first = actions.register(item=item, name="Jan Kowalski", email="jan@example.org")
    actions.register(item=item, name="Ewa Nowak", email="ewa@example.org")
    actions.register(item=item, name="Piotr Wiśniewski", email="piotr@example.org")
    run_workers()
    mail.outbox.clear()
    actions.cancel_registration(registration=first, actor=TEST)
    assert OutboxEvent.objects.filter(topic=actions.TOPIC_PROMOTED).count() == 1
    assert AuditRecord.objects.filter(action="jobs_events.training_registration_promoted").count() == 1
    run_workers()
    sent = _promoted()
    assert [(n.channel, n.recipient) for n in sent] == [("email", "ewa@example.org")]
    [message] = _to("ewa@example.org")
    assert "Spawanie metodą MAG" in message.subject
    assert "Spawanie metodą MAG" in message.body
    assert "Białystok" in message.body
    assert item.start_date.strftime("%d.%m.%Y") in message.body
    assert f"/szkolenia/{item.uuid}/" in message.body  # a guest has no account: the item's page
    assert not _to("piotr@example.org")
    assert not _to("jan@example.org")
    # A repeated delivery (or cancelling again) sends nothing new.
    actions.cancel_registration(registration=first, actor=TEST)
    promoted = Registration.objects.get(email="ewa@example.org")
    assert job_promotions.tell(promoted) == []
    run_workers()
    assert len(_promoted()) == 1


def test_cancelling_a_waiting_registration_promotes_and_tells_nobody(pup_a: Organisation) -> None:
    item = event(pup_a, capacity=1)
    actions.register(item=item, name="Jan Kowalski", email="jan@example.org")
    waiting = actions.register(item=item, name="Ewa Nowak", email="ewa@example.org")
    assert waiting.status == RegistrationStatus.WAITING
    actions.cancel_registration(registration=waiting, actor=TEST)
    run_workers()
    assert _promoted() == []
    assert not OutboxEvent.objects.filter(topic=actions.TOPIC_PROMOTED).exists()


def test_a_job_seeker_with_an_account_is_told_by_sms_when_they_chose_sms(
    pup_a: Organisation, sms_to_file: None
) -> None:
    item = event(pup_a, capacity=1, title="Targi pracy w Białymstoku")
    first = actions.register(item=item, name="Jan Kowalski", email="jan@example.org")
    seeker = _seeker(pup_a, "ewa@example.org", "600100300")
    Preference.objects.create(client=seeker, channel=Preference.Choice.SMS, updated_at=seeker.created_at)
    account = seeker_actions.account_for_client(seeker)
    mine = actions.register(item=item, account=account)
    assert mine.status == RegistrationStatus.WAITING
    actions.cancel_registration(registration=first, actor=TEST)
    run_workers()
    sent = _promoted()
    assert [n.channel for n in sent] == ["sms"]
    assert sent[0].client_id == seeker.pk
    assert "Targi pracy" in sent[0].body_text
    assert "/konto/#registrations" in sent[0].body_text
    assert not _to("ewa@example.org")


def test_e_mail_in_english_links_to_my_registrations(pup_a: Organisation) -> None:
    item = training(pup_a, capacity=1, title="Kurs wózków widłowych")
    first = actions.register(item=item, name="Jan Kowalski", email="jan@example.org")
    seeker = _seeker(pup_a, "ewa@example.org", "600100301")
    Preference.objects.create(
        client=seeker, channel=Preference.Choice.EMAIL, language="en", updated_at=seeker.created_at
    )
    actions.register(item=item, account=seeker_actions.account_for_client(seeker))
    mail.outbox.clear()
    actions.cancel_registration(registration=first, actor=TEST)
    run_workers()
    [message] = _to("ewa@example.org")
    assert message.subject.startswith("A place is yours")
    assert "/konto/#registrations" in message.body


def test_do_not_inform_me_is_honoured(pup_a: Organisation, sms_to_file: None) -> None:
    item = training(pup_a, capacity=1)
    first = actions.register(item=item, name="Jan Kowalski", email="jan@example.org")
    seeker = _seeker(pup_a, "cisza@example.org", "600100302")
    Preference.objects.create(client=seeker, channel=Preference.Choice.NONE, updated_at=seeker.created_at)
    mine = actions.register(item=item, account=seeker_actions.account_for_client(seeker))
    mail.outbox.clear()
    actions.cancel_registration(registration=first, actor=TEST)
    mine.refresh_from_db()
    assert mine.status == RegistrationStatus.CONFIRMED  # the place is theirs all the same
    run_workers()
    assert not [n for n in _promoted() if n.status == Notification.Status.SENT]
    assert not _to("cisza@example.org")
