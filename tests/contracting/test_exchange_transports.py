"""The two transports of the exchange (issue 18): a JSON Lines file moved by hand, and HTTPS —
the inbound endpoint, pushes through the work queue against a loopback server, and pull."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from okienko.contracting.exchange import catalogue, envelope, outbound, transport_file, transport_https
from okienko.contracting.exchange.models import Direction, ExchangeMessage, PushDelivery
from okienko.core import clock
from tests.contracting.exchange_helpers import Pair, pair_fixture
from tests.contracting.exchange_mirror import A_ID, B_ID, Mirror, mirror_fixture, recorder_fixture

pytestmark = pytest.mark.django_db
__all__ = ["mirror_fixture", "pair_fixture", "recorder_fixture"]

ENDPOINT = "/exchange/v1/messages"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _in(mirror: Mirror, sender: str = A_ID) -> ExchangeMessage:
    return ExchangeMessage.objects.get(direction=Direction.IN, sender=sender, type="contract.status")


# --- file ------------------------------------------------------------------------------------


def test_a_file_round_trip_applies_the_message_and_brings_the_ack_back(mirror: Mirror, recorder: list[Any]) -> None:
    sent = mirror.queue()
    assert sent.transport == ExchangeMessage.Transport.FILE
    data = transport_file.export_file(mirror.b_at_a)
    lines = data.decode().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "okienko-exchange"
    assert (header["version"], header["sender"], header["receiver"], header["count"]) == (1, A_ID, B_ID, 1)
    sent.refresh_from_db()
    assert sent.status == ExchangeMessage.Status.SENT
    report = transport_file.import_file(data)
    assert report.counts == {"applied": 1, "waiting": 0, "duplicate": 0, "refused": 0}
    assert [(r.line, r.message_id, r.type, r.outcome) for r in report.lines] == [
        (2, str(sent.message_id), "contract.status", "applied")
    ]
    assert len(recorder) == 1
    assert _in(mirror).status == ExchangeMessage.Status.APPLIED
    # B's ack goes back in B's file to A.
    back = transport_file.import_file(transport_file.export_file(mirror.a_at_b))
    assert back.counts["applied"] == 1
    sent.refresh_from_db()
    assert sent.status == ExchangeMessage.Status.ACKNOWLEDGED
    # An ack once sent is not exported again.
    assert transport_file.export_file(mirror.a_at_b).decode().count("\n") == 1


def test_importing_the_same_file_twice_changes_nothing(mirror: Mirror, recorder: list[Any]) -> None:
    mirror.queue()
    mirror.queue(note="second")
    data = transport_file.export_file(mirror.b_at_a)
    transport_file.import_file(data)
    before = (ExchangeMessage.objects.count(), len(recorder))
    again = transport_file.import_file(data)
    assert again.counts == {"applied": 0, "waiting": 0, "duplicate": 2, "refused": 0}
    assert {r.reason for r in again.lines} == {"duplicate"}
    assert {r.text for r in again.lines} == {str(envelope.REASONS["duplicate"])}
    assert (ExchangeMessage.objects.count(), len(recorder)) == before


def test_a_truncated_line_is_refused_and_the_others_are_imported(mirror: Mirror, recorder: list[Any]) -> None:
    mirror.queue()
    mirror.queue(note="second")
    lines = transport_file.export_file(mirror.b_at_a).decode().splitlines()
    lines[1] = lines[1][: len(lines[1]) // 2]
    report = transport_file.import_file("\n".join(lines).encode())
    assert [(r.line, r.outcome, r.reason) for r in report.lines] == [
        (2, "refused", "malformed"),
        (3, "applied", ""),
    ]
    assert report.lines[0].text == str(envelope.REASONS["malformed"])
    assert len(recorder) == 1
    garbage = transport_file.import_file(b"\xff\xfe garbage\n{}\n")
    assert [r.reason for r in garbage.lines] == ["malformed", "malformed"]


def test_within_a_correlation_the_older_envelope_is_applied_first(pair: Pair) -> None:
    pair.trust()
    chain = "6f1c2d3e-0000-4000-8000-000000000001"
    older = pair.seal(correlation_id=chain, now=clock.now() - clock_delta(5))
    newer = pair.seal(correlation_id=chain)
    seen: list[str] = []
    from okienko.contracting.exchange import inbound

    before = inbound.HANDLERS.get("contract.status")
    inbound.HANDLERS["contract.status"] = lambda opened, message: seen.append(opened.header["id"])
    try:
        report = transport_file.import_file(f"{newer.envelope}\n{older.envelope}\n".encode())
    finally:
        if before is not None:
            inbound.HANDLERS["contract.status"] = before
    assert seen == [older.message_id, newer.message_id]
    assert [r.line for r in report.lines] == [1, 2]


def clock_delta(minutes: int) -> Any:
    import datetime as dt

    return dt.timedelta(minutes=minutes)


def test_the_file_commands(mirror: Mirror, recorder: list[Any], tmp_path: Path) -> None:
    mirror.queue()
    out = tmp_path / "do-agencji.jsonl"
    call_command("exchange_export", "--partner", B_ID, "--out", str(out), stdout=StringIO())
    assert out.read_text().startswith('{"format":"okienko-exchange"')
    printed = StringIO()
    call_command("exchange_import", str(out), stdout=printed)
    text = printed.getvalue()
    assert "applied" in text
    assert "contract.status" in text


# --- HTTPS: the endpoint ----------------------------------------------------------------------


def _post(body: bytes | str, kind: str = "application/jose+json", **extra: Any) -> Any:
    return Client().post(ENDPOINT, data=body, content_type=kind, **extra)


def test_the_endpoint_applies_a_good_message_and_answers_with_a_signed_ack(mirror: Mirror, recorder: list[Any]) -> None:
    sent = mirror.queue()
    text = outbound.seal_for_transport(sent, transport="https")
    response = _post(text)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jose+json"
    assert len(recorder) == 1
    ack = envelope.peek(response.content)
    assert (ack["type"], ack["sender"], ack["receiver"]) == ("ack", B_ID, A_ID)
    # The ack verifies at A and marks the message acknowledged.
    from okienko.contracting.exchange import inbound

    receipt = inbound.receive(response.content, transport="https")
    assert receipt.outcome == "applied"
    sent.refresh_from_db()
    assert sent.status == ExchangeMessage.Status.ACKNOWLEDGED
    again = _post(text)
    assert again.status_code == 200
    assert envelope.peek(again.content)["type"] == "ack"


@pytest.mark.parametrize(
    ("body", "kind", "status", "reason"),
    [
        (b"{not json", "application/jose+json", 400, "malformed"),
        (b"[]", "application/json", 400, "malformed"),
        (b"<xml/>", "text/xml", 415, "unsupported_media_type"),
    ],
)
def test_the_endpoint_refuses_broken_requests_with_a_problem(body: bytes, kind: str, status: int, reason: str) -> None:
    response = _post(body, kind)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert set(problem) == {"type", "title", "status", "reason", "detail"}
    assert (problem["status"], problem["reason"]) == (status, reason)


def test_an_unknown_or_unconfirmed_sender_is_refused_before_anything_is_applied(pair: Pair) -> None:
    response = _post(pair.seal().envelope)
    assert (response.status_code, response.json()["reason"]) == (403, "untrusted_sender")
    pair.partner.institution_id = "PL-NIP-1111111111"
    pair.partner.save()  # (a save also drops the partner cache)
    response = _post(pair.seal().envelope)
    assert (response.status_code, response.json()["reason"]) == (401, "unknown_sender")
    assert not ExchangeMessage.objects.filter(direction=Direction.OUT).exists()


def test_a_stale_package_of_an_authenticated_sender_gets_a_signed_refusal(pair: Pair) -> None:
    pair.trust()
    stale = pair.seal(now=clock.now() - clock_delta(180))
    response = _post(stale.envelope)
    assert response.status_code == 200
    ack = envelope.peek(response.content)
    assert ack["type"] == "ack"
    outer = json.loads(response.content)
    body = json.loads(envelope._b64d(outer["payload"]))["body"]
    assert (body["outcome"], body["reason"]) == ("refused", "expired")


def test_the_endpoint_limits_size_method_and_rate(pair: Pair, settings: Any) -> None:
    settings.OKIENKO_EXCHANGE_MAX_BYTES = 100
    response = _post(pair.seal().envelope)
    assert (response.status_code, response.json()["reason"]) == (413, "too_large")
    assert Client().get(ENDPOINT).status_code == 405
    settings.OKIENKO_EXCHANGE_RATE_LIMIT = (2, 60)
    cache.clear()
    codes = [_post(b"{}").status_code for _ in range(3)]
    assert codes == [400, 400, 429]


# --- HTTPS: pushes through the work queue ------------------------------------------------------


class _Loopback:
    """A real HTTP server on 127.0.0.1 (random port) answering each POST with the next canned
    reply; it records what it received. No database in its thread."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, str, bytes]] = []
        self.received: list[bytes] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner.received.append(self.rfile.read(length))
                status, kind, body = owner.replies.pop(0) if owner.replies else (503, "text/plain", b"down")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.timeout = 5
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/exchange/v1/messages"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def loopback() -> Iterator[_Loopback]:
    server = _Loopback()
    yield server
    server.close()


def _https_mirror(mirror: Mirror, url: str) -> None:
    mirror.b_at_a.endpoint = url
    mirror.b_at_a.save(update_fields=["endpoint"])


def _ack_from_b(mirror: Mirror, message: ExchangeMessage, outcome: str = "applied") -> bytes:
    body = {"of": str(message.message_id), "outcome": outcome}
    if outcome == "refused":
        body["reason"] = "wrong_contract"
    sealed = envelope.seal(
        sender=mirror.b, receiver=A_ID, type="ack", body=body, correlation_id=str(message.message_id)
    )
    return sealed.envelope.encode()


def test_a_push_delivers_verifies_the_ack_and_marks_the_message(
    mirror: Mirror, loopback: _Loopback, recorder: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    _https_mirror(mirror, loopback.url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sent = mirror.queue()
    assert sent.transport == ExchangeMessage.Transport.HTTPS
    assert len(callbacks) == 1  # the worker is woken once the message is committed
    push = PushDelivery.objects.get(message=sent)
    loopback.replies.append((200, "application/jose+json", _ack_from_b(mirror, sent)))
    assert transport_https.push_due() == 1
    push.refresh_from_db()
    sent.refresh_from_db()
    assert push.status == PushDelivery.Status.DELIVERED
    assert sent.status == ExchangeMessage.Status.ACKNOWLEDGED
    # What the server received is the envelope, and it opens at B.
    (received,) = loopback.received
    assert envelope.peek(received)["id"] == str(sent.message_id)
    from okienko.contracting.exchange import inbound

    assert inbound.receive(received, transport="https").outcome == "applied"


def test_a_refused_ack_marks_the_message_refused_with_the_reason(mirror: Mirror, loopback: _Loopback) -> None:
    _https_mirror(mirror, loopback.url)
    sent = mirror.queue()
    loopback.replies.append((200, "application/jose+json", _ack_from_b(mirror, sent, "refused")))
    transport_https.push_due()
    sent.refresh_from_db()
    assert (sent.status, sent.reason) == (ExchangeMessage.Status.REFUSED, "wrong_contract")


def test_failed_pushes_are_retried_with_back_off_then_dead(
    mirror: Mirror, loopback: _Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport_https, "MAX_ATTEMPTS", 3)
    _https_mirror(mirror, loopback.url)
    sent = mirror.queue()
    push = PushDelivery.objects.get(message=sent)
    body = json.dumps(transport_https.problem("untrusted_sender")).encode()
    loopback.replies.append((403, "application/problem+json", body))
    assert transport_https.push_due() == 1
    push.refresh_from_db()
    assert (push.status, push.attempts, push.last_status_code) == (PushDelivery.Status.PENDING, 1, 403)
    assert push.next_attempt_at > clock.now()
    sent.refresh_from_db()
    assert (sent.status, sent.reason) == (ExchangeMessage.Status.FAILED, "untrusted_sender")
    assert transport_https.push_due() == 0  # not due yet
    for _ in range(2):
        PushDelivery.objects.filter(pk=push.pk).update(next_attempt_at=clock.now())
        transport_https.push_due()  # the server answers 503
    push.refresh_from_db()
    assert (push.status, push.attempts) == (PushDelivery.Status.DEAD, 3)
    assert "503" in push.last_error
    assert len(loopback.received) == 3


def test_a_package_the_partner_can_never_take_is_given_up_at_once(mirror: Mirror, loopback: _Loopback) -> None:
    _https_mirror(mirror, loopback.url)
    sent = mirror.queue()
    loopback.replies.append(
        (400, "application/problem+json", json.dumps(transport_https.problem("malformed")).encode())
    )
    transport_https.push_due()
    push = PushDelivery.objects.get(message=sent)
    assert push.status == PushDelivery.Status.DEAD
    sent.refresh_from_db()
    assert (sent.status, sent.reason) == (ExchangeMessage.Status.FAILED, "malformed")


def test_an_unreachable_partner_is_retried(mirror: Mirror) -> None:
    _https_mirror(mirror, "http://127.0.0.1:9/exchange/v1/messages")
    sent = mirror.queue()
    transport_https.push_due()
    push = PushDelivery.objects.get(message=sent)
    assert (push.status, push.attempts) == (PushDelivery.Status.PENDING, 1)
    assert "ConnectionError" in push.last_error


# --- HTTPS: pull -----------------------------------------------------------------------------


def test_pull_answers_a_signed_request_with_the_waiting_messages(mirror: Mirror, recorder: list[Any]) -> None:
    sent = mirror.queue()
    # B (no inbound connections) pulls from A: A's endpoint verifies B's signed request.
    request = transport_https.pull_request(mirror.b)
    response = Client().post("/exchange/v1/pull", data=request, content_type="application/jose+json")
    assert response.status_code == 200
    report = transport_file.import_lines(response.content, transport="https")
    assert report.counts["applied"] == 1
    sent.refresh_from_db()
    assert sent.status == ExchangeMessage.Status.SENT
    replay = Client().post("/exchange/v1/pull", data=request, content_type="application/jose+json")
    assert (replay.status_code, replay.json()["reason"]) == (400, "replayed")
    forged = json.loads(request)
    forged["signature"] = forged["signature"][::-1]
    bad = Client().post("/exchange/v1/pull", data=json.dumps(forged), content_type="application/jose+json")
    assert bad.status_code == 401


def test_the_schema_files_are_up_to_date() -> None:
    folder = Path(__file__).resolve().parents[2] / "docs" / "contracting" / "schemas"
    for code in [*catalogue.TYPES, "envelope"]:
        written = json.loads((folder / f"{code}.json").read_text())
        assert written == catalogue.schema_of(code), f"run: manage.py exchange_schemas --out {folder}"
