"""The intake worker opens queued requests in groups, one transaction each (issue 11, item 8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from okienko.cases.models import Case, CaseEvent
from okienko.core.models import AuditRecord, OutboxDelivery, OutboxEvent
from okienko.integrations.open311 import actions, queue
from okienko.integrations.open311.models import Open311Intake, Open311Submission

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def queued(settings: Any) -> None:
    settings.OPEN311_INTAKE = "queued"


def _statements_to_drain(post_request: Callable[..., Any], count: int) -> int:
    for n in range(count):
        post_request(description=f"Zgłoszenie numer {n}")
    with CaptureQueriesContext(transaction.get_connection()) as captured:
        assert queue.drain(seconds=10)["opened"] == count
    return len(captured.captured_queries)


def test_a_case_opened_by_the_worker_costs_at_most_six_statements(post_request: Callable[..., Any]) -> None:
    queue.drain(seconds=10)  # look-ups of the key's user, memberships and service are per drain
    post_request(description="Pierwsze")
    queue.drain(seconds=10)
    five = _statements_to_drain(post_request, 5)
    fifteen = _statements_to_drain(post_request, 15)
    assert (fifteen - five) / 10 <= 6  # counter, case, timeline, submission, receipt (+ reporter)


def test_every_case_of_a_group_gets_its_timeline_audit_trail_and_outbox_event(
    post_request: Callable[..., Any],
) -> None:
    for n in range(4):
        post_request(description=f"Zgłoszenie numer {n}")
    assert queue.drain(seconds=10) == {"opened": 4, "rejected": 0, "failed": 0}
    cases = list(Case.objects.order_by("id"))
    assert [c.description for c in cases] == [f"Zgłoszenie numer {n}" for n in range(4)]
    for case in cases:
        assert set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == {"opened", "assigned"}
        assert AuditRecord.objects.filter(action="case.opened", object_id=str(case.pk)).count() == 1
        assert OutboxEvent.objects.filter(topic="case.created", aggregate_id=str(case.pk)).count() == 1
    assert OutboxDelivery.objects.filter(event__topic="case.created").count() >= 4
    assert Open311Submission.objects.count() == 4
    assert AuditRecord.objects.filter(action="open311.request_submitted").count() == 4
    assert set(Open311Intake.objects.values_list("state", flat=True)) == {"opened"}


def test_a_failing_receipt_rolls_back_its_group_and_the_others_are_opened_one_by_one(
    post_request: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        post_request(description=f"Zgłoszenie numer {n}")
    submit = actions.submit_service_request

    def flaky(**kwargs: Any) -> Case:
        case = submit(**kwargs)  # writes the case, then fails as a lost connection would
        if kwargs["data"].description == "Zgłoszenie numer 2":
            raise RuntimeError("connection lost")
        return case

    monkeypatch.setattr(actions, "submit_service_request", flaky)
    assert queue.drain(seconds=10) == {"opened": 4, "rejected": 0, "failed": 1}
    assert sorted(Case.objects.values_list("description", flat=True)) == [f"Zgłoszenie numer {n}" for n in (0, 1, 3, 4)]
    failed = Open311Intake.objects.get(state="queued")
    assert (failed.attempts, failed.claimed_by, failed.last_error) == (1, "", "RuntimeError('connection lost')")
    assert Open311Intake.objects.filter(state="opened", case__isnull=False).count() == 4
    # nothing of the rolled-back group survives: one event and one audit entry per opened case
    assert OutboxEvent.objects.filter(topic="case.created").count() == 4
    assert AuditRecord.objects.filter(action="case.opened").count() == 4


def test_a_rejected_receipt_in_a_group_does_not_disturb_the_others(
    post_request: Callable[..., Any], catalogue: dict[str, Any]
) -> None:
    post_request(description="Przed")
    post_request(service_code="question", **{"attribute[size]": None})
    post_request(description="Po")
    catalogue["inquiry"].__class__.objects.filter(pk=catalogue["inquiry"].pk).update(active=False)
    assert queue.drain(seconds=10) == {"opened": 2, "rejected": 1, "failed": 0}
    assert sorted(Case.objects.values_list("description", flat=True)) == ["Po", "Przed"]
    assert AuditRecord.objects.filter(action="open311.request_rejected").count() == 1
