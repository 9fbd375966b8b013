"""The one claimable work queue (ADR 0045): claims, leases, back-off, dead letters, replay, metrics."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client

from okienko.accounts.models import User
from okienko.core import clock, events, workqueue
from okienko.core.models import AuditRecord, OutboxDelivery, OutboxEvent

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)

QUEUE = workqueue.WorkQueue(
    name="test-deliveries",
    label="test deliveries",
    model=OutboxDelivery,
    pending=OutboxDelivery.Status.PENDING,
    done=OutboxDelivery.Status.DONE,
    dead=OutboxDelivery.Status.DEAD,
    due_field="available_at",
    order_by=("available_at", "id"),
    lease=dt.timedelta(minutes=1),
    max_attempts=lambda: 3,
    backoff=workqueue.Backoff(base=dt.timedelta(seconds=10), cap=dt.timedelta(seconds=60)),
)


def _items(count: int, *, due: dt.datetime = NOW, status: str = "pending") -> list[OutboxDelivery]:
    event = OutboxEvent.objects.create(created_at=NOW, topic="test.queue")
    return OutboxDelivery.objects.bulk_create(
        [OutboxDelivery(event=event, subscriber=f"s{i}", available_at=due, status=status) for i in range(count)]
    )


def _ids(items: list[OutboxDelivery]) -> list[int]:
    return [item.pk for item in items]


def test_backoff_doubles_up_to_its_cap_and_no_backoff_is_zero() -> None:
    policy = workqueue.Backoff(base=dt.timedelta(seconds=5), cap=dt.timedelta(seconds=30))
    assert [policy.delay(n).total_seconds() for n in (0, 1, 2, 3, 4, 100)] == [5, 5, 10, 20, 30, 30]
    assert workqueue.NO_BACKOFF.delay(7) == dt.timedelta(0)


@pytest.mark.django_db
def test_claim_takes_due_items_in_order_and_a_second_claim_gets_the_rest() -> None:
    with time_machine.travel(NOW, tick=False):
        later = _items(1, due=NOW + dt.timedelta(minutes=1))
        first = _items(3, due=NOW - dt.timedelta(seconds=5))
        assert _ids(QUEUE.claim(limit=2)) == _ids(first[:2])
        second = QUEUE.claim(limit=10)
        assert _ids(second) == [first[2].pk]  # the later item is not due; the first two are held
        assert QUEUE.claim(limit=10) == []
    held = OutboxDelivery.objects.get(pk=first[2].pk)
    assert held.claimed_by == second[0].claimed_by != ""
    assert held.claimed_until == NOW + dt.timedelta(minutes=1)
    assert OutboxDelivery.objects.get(pk=later[0].pk).claimed_by == ""


@pytest.mark.django_db
def test_a_claim_that_ran_out_is_taken_again_and_its_old_holder_cannot_record_an_outcome() -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        [item] = _items(1)
        [old] = QUEUE.claim(limit=1)
        traveller.shift(61)
        assert not QUEUE.holds(old)
        [new] = QUEUE.claim(limit=1)
        assert new.claimed_by != old.claimed_by
        assert QUEUE.complete(old) is False
        assert QUEUE.fail(old, "late") is False
        assert QUEUE.complete(new, done_at=NOW) is True
    item.refresh_from_db()
    assert (item.status, item.attempts, item.claimed_by, item.claimed_until) == ("done", 1, "", None)


@pytest.mark.django_db
def test_failures_back_off_exponentially_then_become_a_dead_letter() -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        [item] = _items(1)
        outcomes = []
        for _attempt in range(3):
            failed_at = clock.now()
            [claimed] = QUEUE.claim(limit=1)
            dead = QUEUE.fail(claimed, "ConnectionError: gateway down")
            claimed.refresh_from_db()
            outcomes.append(((claimed.available_at - failed_at).total_seconds(), dead))
            assert QUEUE.claim(limit=1) == []  # not due before its back-off has passed (or dead)
            traveller.shift(3600)
    # 10 s, then 20 s; the third failure is the last attempt: dead, its time left as it was
    assert outcomes == [(10, False), (20, False), (20 - 3600, True)]
    item.refresh_from_db()
    assert (item.status, item.attempts, item.last_error) == ("dead", 3, "ConnectionError: gateway down")


@pytest.mark.django_db
def test_replay_puts_dead_letters_back_due_now_with_a_clean_slate() -> None:
    with time_machine.travel(NOW, tick=False):
        dead = _items(2, status="dead")
        OutboxDelivery.objects.update(attempts=3, last_error="boom", available_at=NOW - dt.timedelta(days=1))
        _items(1, status="done")
        assert QUEUE.replay() == 2
        claimed = QUEUE.claim(limit=10)
    assert _ids(claimed) == _ids(dead)
    assert {(c.status, c.attempts, c.last_error, c.available_at) for c in claimed} == {("pending", 0, "", NOW)}


@pytest.mark.django_db
def test_release_gives_back_items_that_were_not_worked_on() -> None:
    with time_machine.travel(NOW, tick=False):
        _items(3)
        claimed = QUEUE.claim(limit=3)
        assert QUEUE.release(claimed[1:]) == 2
        assert _ids(QUEUE.claim(limit=3)) == _ids(claimed[1:])


@pytest.mark.django_db
def test_metrics_count_depth_due_items_lag_and_dead_letters() -> None:
    with time_machine.travel(NOW, tick=False):
        _items(2, due=NOW - dt.timedelta(seconds=90))
        _items(1, due=NOW + dt.timedelta(minutes=5))
        _items(4, status="dead")
        _items(1, status="done")
        metrics = QUEUE.metrics()
    assert (metrics.depth, metrics.due, metrics.lag_seconds, metrics.dead) == (3, 2, 90.0, 4)
    assert not metrics.lagging
    assert metrics.as_dict() == {"depth": 3, "due": 2, "lag_seconds": 90.0, "dead": 4}


@pytest.mark.django_db
def test_every_queue_is_registered_and_health_shows_its_figures(client: Client) -> None:
    assert {q.name for q in workqueue.registered()} >= {"outbox", "webhooks", "open311"}
    with time_machine.travel(NOW, tick=False):
        _items(1, due=NOW - dt.timedelta(minutes=11))
        _items(1, status="dead")
        tasks = client.get("/health").json()["checks"]["tasks"]
    assert tasks["queues"]["outbox"] == {"depth": 1, "due": 1, "lag_seconds": 660.0, "dead": 1}
    assert tasks["queues"]["webhooks"] == {"depth": 0, "due": 0, "lag_seconds": 0.0, "dead": 0}
    assert tasks["queues"]["open311"] == {"depth": 0, "due": 0, "lag_seconds": 0.0, "dead": 0}
    assert (tasks["status"], tasks["outbox_lag_seconds"], tasks["dead_letters"]) == ("degraded", 660.0, 1)


@pytest.mark.django_db
def test_admin_page_shows_the_queues_and_replays_dead_letters(client: Client, make_user: Callable[..., User]) -> None:
    _items(2, status="dead")
    clerk = make_user("clerk")
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)
    page = client.get("/admin/work-queues/")
    assert page.status_code == 200
    assert "Replay dead letters" not in page.content.decode()  # no change permission
    assert client.post("/admin/work-queues/", {"queue": "outbox"}).status_code == 403
    root = make_user("root")
    root.is_staff = root.is_superuser = True
    root.save()
    client.force_login(root)
    assert client.post("/admin/work-queues/", {"queue": "nothing"}).status_code == 404
    response = client.post("/admin/work-queues/", {"queue": "outbox"})
    assert response.status_code == 302
    assert set(OutboxDelivery.objects.values_list("status", flat=True)) == {"pending"}
    entry = AuditRecord.objects.get(action="workqueue.dead_letters_replayed")
    assert entry.data == {"queue": "outbox", "count": 2}
    assert entry.actor_id == root.pk


@pytest.mark.django_db
def test_admin_page_is_for_staff_only(client: Client, make_user: Callable[..., User]) -> None:
    client.force_login(make_user("resident"))
    assert client.get("/admin/work-queues/").status_code == 302  # to the login


@pytest.mark.django_db
def test_the_outbox_runs_on_the_work_queue() -> None:
    assert events.OUTBOX.model is OutboxDelivery
    assert events.backoff(3) == events.OUTBOX.backoff.delay(3) == dt.timedelta(seconds=40)


# -- PostgreSQL: two workers at once ------------------------------------------------------

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL")


def _in_thread(work: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    return run


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_claimer_skips_rows_another_transaction_has_locked_instead_of_waiting() -> None:
    _items(4)
    locked = threading.Event()
    done = threading.Event()
    taken: dict[str, list[int]] = {}

    def holder() -> None:
        with transaction.atomic():
            taken["holder"] = _ids(QUEUE.claim(limit=2))  # locks stay until this transaction ends
            locked.set()
            taken["other finished meanwhile"] = [int(done.wait(timeout=5))]

    def other() -> None:
        locked.wait(timeout=10)
        taken["other"] = _ids(QUEUE.claim(limit=4))
        done.set()

    threads = [threading.Thread(target=_in_thread(holder)), threading.Thread(target=_in_thread(other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert taken["other finished meanwhile"] == [1]  # it did not wait for the holder's transaction
    assert len(taken["holder"]) == 2
    assert len(taken["other"]) == 2
    assert not set(taken["holder"]) & set(taken["other"])


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_take_every_item_exactly_once() -> None:
    items = _items(60)
    start = threading.Barrier(2)
    taken: dict[int, list[int]] = {0: [], 1: []}

    def worker(number: int) -> Callable[[], None]:
        def work() -> None:
            start.wait(timeout=10)
            while claimed := QUEUE.claim(limit=3):
                taken[number].extend(_ids(claimed))
                for item in claimed:
                    assert QUEUE.complete(item)

        return work

    threads = [threading.Thread(target=_in_thread(worker(n))) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(taken[0] + taken[1]) == sorted(_ids(items))
    assert set(OutboxDelivery.objects.values_list("status", "attempts")) == {("done", 1)}
