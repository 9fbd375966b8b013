"""The Open311 intake on the shared work queue (ADR 0045): dead letters, replay, claims."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from okienko.cases.models import Case
from okienko.catalogue.models import Service
from okienko.core import workqueue
from okienko.integrations.open311 import queue
from okienko.integrations.open311.models import Open311Intake

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued")]


@pytest.fixture
def queued(settings: Any) -> None:
    settings.OPEN311_INTAKE = "queued"


def _broken(**_kwargs: Any) -> Case:
    raise RuntimeError("database went away")


def test_receipts_that_failed_for_good_are_dead_letters_and_a_replay_opens_them(
    post_request: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, catalogue: dict[str, Service]
) -> None:
    post_request()
    post_request(description="Druga dziura")
    with monkeypatch.context() as patched:
        patched.setattr("okienko.integrations.open311.actions.submit_service_request", _broken)
        for _round in range(queue.MAX_ATTEMPTS):
            queue.drain(seconds=10)
    withdrawn = post_request(service_code="question", **{"attribute[size]": None}).json()[0]["token"]
    Service.objects.filter(pk=catalogue["inquiry"].pk).update(active=False)
    assert queue.drain(seconds=10)["rejected"] == 1  # rejected for its content: an answer, not a dead letter

    metrics = queue.INTAKE.metrics()
    assert (metrics.depth, metrics.dead) == (0, 2)
    assert {i.last_error for i in queue.INTAKE.dead_letters()} == {"RuntimeError('database went away')"}

    assert queue.INTAKE.replay() == 2
    replayed = list(queue.INTAKE.pending_items().values_list("attempts", "errors", "processed_at", "last_error"))
    assert replayed == [(0, {}, None, "")] * 2
    assert queue.drain(seconds=10) == {"opened": 2, "rejected": 0, "failed": 0}
    assert Case.objects.count() == 2
    assert Open311Intake.objects.get(token=withdrawn).state == "rejected"


def test_a_drain_stopped_by_its_limit_gives_back_the_receipts_it_did_not_reach(
    post_request: Callable[..., Any],
) -> None:
    for n in range(3):
        post_request(description=f"Zgłoszenie {n}")
    assert queue.drain(limit=1, seconds=10)["opened"] == 1
    assert list(Open311Intake.objects.filter(state="queued").values_list("claimed_by", flat=True)) == ["", ""]
    assert queue.drain(seconds=10)["opened"] == 2


def test_a_receipt_whose_claim_was_taken_over_is_not_opened_twice(post_request: Callable[..., Any]) -> None:
    post_request()
    [intake] = queue.INTAKE.claim(limit=1)
    Open311Intake.objects.filter(pk=intake.pk).update(claimed_by="another-worker")
    with pytest.raises(workqueue.ClaimLost), transaction.atomic():
        queue.process(intake, queue._Lookups().attach(intake))
    assert not Case.objects.exists()
    assert Open311Intake.objects.get().state == "queued"


def test_claiming_adds_no_statement_per_receipt(post_request: Callable[..., Any]) -> None:
    """A batch of receipts is claimed with a fixed number of statements, whatever its size."""
    for n in range(5):
        post_request(description=f"Zgłoszenie {n}")
    with CaptureQueriesContext(transaction.get_connection()) as five:
        assert len(queue.INTAKE.claim(limit=5)) == 5
    queue.INTAKE.release(Open311Intake.objects.all())
    with CaptureQueriesContext(transaction.get_connection()) as one:
        assert len(queue.INTAKE.claim(limit=1)) == 1
    assert len(five.captured_queries) == len(one.captured_queries)
