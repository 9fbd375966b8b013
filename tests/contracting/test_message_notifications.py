"""A message in a contract's thread tells the other institution's contract staff by e-mail, with a
link and without the message itself (it may name participants); the writer's side, other
institutions and staff without Kontraktor's permission hear nothing; once per message."""

from __future__ import annotations

import mailbox
from collections.abc import Callable

import pytest

from okienko.contracting import actions
from okienko.notifications.models import Event, Notification
from tests.contracting.domain import World, world_fixture  # noqa: F401
from tests.notifications.conftest import received, run_workers

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers() -> Callable[[], int]:
    return run_workers


def test_the_agency_hears_of_the_office_s_message_without_its_content(
    world: World, mail_sink: mailbox.Maildir, workers: Callable[[], int]
) -> None:
    for user in (world.office, world.agency, world.agency_b, world.consultant):
        user.email = f"{user.username}@example.pl"
        user.save(update_fields=["email"])
    actions.send_message(actor=world.office, contract=world.contract, body="Pan Jan Kowalski ma nowy termin.")
    workers()
    workers()  # delivered again: nothing new
    messages = received(mail_sink)
    assert [m["To"].addresses[0].addr_spec for m in messages] == ["agency-a-worker@example.pl"]
    text = messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "ZL/1/2026" in text
    assert f"/desk/contracts/{world.contract.uuid}/messages/" in text
    assert "Kowalski" not in text
    assert Notification.objects.filter(event=Event.CONTRACT_MESSAGE).count() == 1


def test_the_office_hears_of_the_agency_s_message_about_a_participant(
    world: World, mail_sink: mailbox.Maildir, workers: Callable[[], int]
) -> None:
    for user in (world.office, world.office_b, world.agency):
        user.email = f"{user.username}@example.pl"
        user.save(update_fields=["email"])
    (participant,) = world.participants(1)
    world.share([participant])
    workers()
    mail_sink.clear()
    actions.send_message(actor=world.agency, contract=world.contract, body="Pytanie.", participant_ref=participant.ref)
    workers()
    messages = received(mail_sink)
    assert [m["To"].addresses[0].addr_spec for m in messages] == ["office-a@example.pl"]
    body = messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"participant={participant.ref}" in body
