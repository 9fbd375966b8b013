"""The inbound pipeline (issue 18): every envelope is recorded with its outcome, refusals are
audited, duplicates are harmless, acknowledgements update the sender's log."""

from __future__ import annotations

from typing import Any

import pytest

from okienko.contracting.exchange import envelope, inbound, outbound
from okienko.contracting.exchange.envelope import Opened, Refused
from okienko.contracting.exchange.models import Direction, ExchangeMessage
from okienko.core.models import AuditRecord
from tests.contracting.exchange_helpers import Pair, pair_fixture

pytestmark = pytest.mark.django_db
__all__ = ["pair_fixture"]


@pytest.fixture
def recorder() -> Any:
    seen: list[Opened] = []

    def apply(opened: Opened, message: ExchangeMessage) -> None:
        if opened.body.get("note") == "refuse":
            raise Refused("state_refused", "not now")
        if opened.body.get("note") == "later":
            raise inbound.Waiting("the contract first")
        seen.append(opened)

    before = inbound.HANDLERS.get("contract.status")
    inbound.HANDLERS["contract.status"] = apply
    yield seen
    if before is None:
        inbound.HANDLERS.pop("contract.status", None)
    else:
        inbound.HANDLERS["contract.status"] = before


def _body(note: str = "") -> dict[str, Any]:
    return {"from": "active", "to": "ended", "at": "2026-12-06T10:00:00+01:00", **({"note": note} if note else {})}


def test_applied_then_duplicate_with_a_signed_ack(pair: Pair, recorder: list[Opened]) -> None:
    pair.trust()
    sealed = pair.seal(body=_body())
    receipt = inbound.receive(sealed.envelope, transport="https")
    assert receipt.outcome == "applied"
    assert len(recorder) == 1
    assert receipt.message is not None
    assert receipt.message.status == ExchangeMessage.Status.APPLIED
    ack = envelope.peek(receipt.ack)
    assert ack["type"] == "ack"
    assert ack["correlation_id"] == sealed.message_id
    again = inbound.receive(pair.seal(body=_body(), message_id=sealed.message_id).envelope, transport="https")
    assert again.outcome == "duplicate"
    assert len(recorder) == 1


def test_a_refusal_is_recorded_audited_and_acknowledged_in_the_next_file(pair: Pair, recorder: list[Opened]) -> None:
    pair.trust()
    receipt = inbound.receive(pair.seal(body=_body("refuse")).envelope, transport="file")
    assert receipt.outcome == "refused"
    assert receipt.reason == "state_refused"
    assert recorder == []
    assert AuditRecord.objects.filter(action="contracting.exchange.refused").exists()
    queued = ExchangeMessage.objects.get(direction=Direction.OUT, type="ack")
    assert outbound.body_of(queued)["outcome"] == "refused"


def test_an_unauthenticated_package_is_recorded_with_its_reason(pair: Pair) -> None:
    receipt = inbound.receive(pair.seal(body=_body()).envelope, transport="file")
    assert (receipt.outcome, receipt.reason) == ("refused", "untrusted_sender")
    assert receipt.message is not None
    assert receipt.message.status == ExchangeMessage.Status.REFUSED
    assert not ExchangeMessage.objects.filter(direction=Direction.OUT).exists()
    broken = inbound.receive(b"{not json", transport="file")
    assert broken.reason == "malformed"


def test_out_of_order_waits_and_is_applied_later(pair: Pair, recorder: list[Opened]) -> None:
    pair.trust()
    receipt = inbound.receive(pair.seal(body=_body("later")).envelope, transport="file")
    assert receipt.outcome == "waiting"
    assert receipt.message is not None
    assert receipt.message.body_sealed
    assert "later" not in receipt.message.body_sealed
    inbound.HANDLERS["contract.status"] = lambda opened, message: recorder.append(opened)
    from okienko.core import clock

    assert inbound.retry_waiting(now=clock.now() + inbound.RETRY_AFTER) == 1
    message = ExchangeMessage.objects.get(pk=receipt.message.pk)
    assert message.status == ExchangeMessage.Status.APPLIED
    assert message.body_sealed == ""
    assert len(recorder) == 1
