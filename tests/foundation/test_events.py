from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from okienko.core import events
from okienko.core.models import OutboxDelivery, OutboxEvent

received: list[str] = []
failures: dict[str, int] = {}


@events.subscriber("test.ok.*", name="tests.recorder")
def _recorder(event: OutboxEvent) -> None:
    received.append(event.topic)


@events.subscriber("test.flaky", name="tests.flaky")
def _flaky(event: OutboxEvent) -> None:
    remaining = failures.get(str(event.pk), 0)
    if remaining:
        failures[str(event.pk)] = remaining - 1
        raise ConnectionError("gateway down")
    received.append("flaky-ok")


batches: list[list[str]] = []


@events.batch_subscriber("test.batch.*", name="tests.batch")
def _batch(found: list[OutboxEvent]) -> None:
    if any(e.payload.get("bad") and failures.get(str(e.pk)) for e in found):
        bad = next(e for e in found if e.payload.get("bad"))
        failures[str(bad.pk)] -= 1
        raise ConnectionError("one of them is bad")
    batches.append([e.topic for e in found])


@pytest.fixture(autouse=True)
def _reset() -> None:
    batches.clear()
    received.clear()
    failures.clear()


@pytest.mark.django_db
def test_event_is_delivered_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.emit("test.ok.created", payload={"n": 1})
        assert received == []
    assert received == ["test.ok.created"]
    assert OutboxDelivery.objects.get().status == OutboxDelivery.Status.DONE


@pytest.mark.django_db
def test_event_of_a_rolled_back_transaction_is_never_delivered(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        events.emit("test.ok.created")
        raise RuntimeError("action failed")
    assert received == []
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_topic_without_subscribers_writes_no_delivery() -> None:
    events.emit("nobody.listens")
    assert not OutboxDelivery.objects.exists()


@pytest.mark.django_db
def test_failed_delivery_is_retried_with_backoff_until_it_succeeds() -> None:
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False) as traveller:
        event = events.emit("test.flaky")
        failures[str(event.pk)] = 2
        assert events.deliver_due() == 1
        delivery = OutboxDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert "gateway down" in delivery.last_error
        assert events.deliver_due() == 0  # not due yet: 10 s backoff
        traveller.shift(10)
        events.deliver_due()
        traveller.shift(20)
        events.deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("done", 3)
    assert received == ["flaky-ok"]


@pytest.mark.django_db
@override_settings(OUTBOX_MAX_ATTEMPTS=3)
def test_delivery_becomes_a_dead_letter_and_can_be_replayed() -> None:
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False) as traveller:
        event = events.emit("test.flaky")
        failures[str(event.pk)] = 3
        for _ in range(3):
            events.deliver_due()
            traveller.shift(3600)
        assert OutboxDelivery.objects.get().status == OutboxDelivery.Status.DEAD
        assert events.deliver_due() == 0
        call_command("outbox", "--replay", "--deliver")
    assert OutboxDelivery.objects.get().status == OutboxDelivery.Status.DONE
    assert received == ["flaky-ok"]


@pytest.mark.django_db
def test_delivered_event_is_not_delivered_twice() -> None:
    events.emit("test.ok.once")
    events.deliver_due()
    events.deliver_due()
    assert received == ["test.ok.once"]


def test_backoff_doubles_and_is_capped_at_an_hour() -> None:
    assert [events.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert events.backoff(30).total_seconds() == 3600


@pytest.mark.django_db
def test_a_batch_subscriber_gets_the_batch_at_once_in_one_completion() -> None:
    for n in range(5):
        events.emit(f"test.batch.{n}")
    assert events.deliver_due() == 5
    assert batches == [[f"test.batch.{n}" for n in range(5)]]
    assert set(OutboxDelivery.objects.values_list("status", "attempts")) == {("done", 1)}


@pytest.mark.django_db
def test_a_failing_batch_is_delivered_one_by_one_so_only_the_bad_event_is_retried() -> None:
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False) as traveller:
        events.emit("test.batch.a")
        bad = events.emit("test.batch.b", payload={"bad": True})
        events.emit("test.batch.c")
        failures[str(bad.pk)] = 2  # fails as a batch, and once more on its own
        assert events.deliver_due() == 3
        assert batches == [["test.batch.a"], ["test.batch.c"]]
        states = dict(OutboxDelivery.objects.values_list("event__topic", "status"))
        assert states == {"test.batch.a": "done", "test.batch.b": "pending", "test.batch.c": "done"}
        traveller.shift(10)
        assert events.deliver_due() == 1
    assert batches[-1] == ["test.batch.b"]
    assert set(OutboxDelivery.objects.values_list("status", flat=True)) == {"done"}
