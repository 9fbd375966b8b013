"""A client who asked to be called back (by the IVR, by voicemail, on the desk) hears how it
ended: called back, or not reached with the office's number (issue 16: "notify the client when
done"); once per closing, never for a callback without a client."""

from __future__ import annotations

import datetime as dt
import mailbox
from collections.abc import Callable

import pytest

from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core import clock
from okienko.interactions import actions
from okienko.interactions.models import Callback
from okienko.notifications.models import Event, Notification
from tests.cases.conftest import City
from tests.notifications.conftest import received

pytestmark = pytest.mark.django_db


def _callback(city: City, client: Client | None) -> Callback:
    return actions.request_callback(
        actor=city.consultant,
        organisation=city.centre,
        reason="Prośba o kontakt z IVR",
        due_at=clock.now() + dt.timedelta(hours=2),
        target_unit=city.centre,
        client=client,
    )


@pytest.mark.parametrize(("status", "subject"), [("done", "Oddzwoniliśmy"), ("failed", "Nie udało się")])
def test_the_client_hears_how_the_callback_ended(
    city: City, sink: mailbox.Maildir, workers: Callable[[], int], status: str, subject: str
) -> None:
    client = client_actions.register_client(
        actor=None, home_office=city.centre, first_name="Anna", last_name="Nowak", emails=["anna.nowak@example.pl"]
    )
    callback = _callback(city, client)
    workers()
    actions.close_callback(actor=city.consultant, callback=callback, status=status, result="rozmowa")
    workers()
    closing = [m for m in received(sink) if subject in str(m["Subject"])]
    assert len(closing) == 1
    assert Notification.objects.filter(event=Event.CALLBACK_CLOSED).count() == 1


def test_no_client_no_message(city: City, workers: Callable[[], int]) -> None:
    callback = _callback(city, None)
    actions.close_callback(actor=city.consultant, callback=callback, status="done")
    workers()
    assert not Notification.objects.filter(event=Event.CALLBACK_CLOSED).exists()
