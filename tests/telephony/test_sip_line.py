"""The embedded SIP line end to end with real SIP peers (issue 16): Debian's baresip calls the
engine from a network namespace, hears the welcome prompt (its audio envelope matches the
synthesised prompt), identifies with client number and PIN by RFC 4733 DTMF, is queued to the
client's office after the recording notice, and the consultant's desk rings with the client's
context; on answer the engine rings the consultant's SIP phone (baresip answering by itself) and
bridges the two; the conversation is recorded to a stored file with its digest and legal basis."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import OperationalError

from okienko.accounts.models import Organisation, User
from okienko.clients.models import Client
from okienko.telephony.identity import Identity
from okienko.telephony.media_models import CallRecording
from okienko.telephony.models import CallEventRecord, PhoneQueue
from tests.telephony import sip_rig
from tests.telephony.test_runtime import (  # noqa: F401 - fixtures
    Engine,
    agent,
    caller_client,
    office,
    running_engine,
    until,
)

pytestmark = [pytest.mark.django_db(transaction=True), sip_rig.skip_without_rig]

SIP_PORT = 5062
WELCOME = "Dzień dobry, tu wojewódzki urząd pracy. Witamy na infolinii."


@pytest.fixture
def net() -> Iterator[sip_rig.Net]:
    with sip_rig.namespace() as created:
        yield created


@pytest.fixture
def line_engine(office: Organisation, net: sip_rig.Net, settings: Any) -> Iterator[Engine]:  # noqa: F811
    from okienko.telephony.ivr import actions as ivr_actions
    from okienko.telephony.ivr.models import EntryNumber, FlowVersion

    entry = EntryNumber.objects.get(number="9510")
    definition = dict(FlowVersion.objects.filter(flow=entry.flow).latest("number").definition)
    definition["nodes"] = {**definition["nodes"], "welcome": {"type": "play", "text": WELCOME, "next": "auth"}}
    ivr_actions.publish(
        actor=None, version=ivr_actions.create_draft(actor=None, flow=entry.flow, definition=definition)
    )
    PhoneQueue.objects.filter(code="tel-pup-a").update(record_calls=True)
    settings.TELEPHONY_SIP_LISTEN = f"{net.host}:{SIP_PORT}"
    settings.TELEPHONY_SIP_PUBLIC_HOST = net.host
    with running_engine(line="sip") as engine:
        yield engine


def _wait(condition: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    locked = False
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OperationalError as exc:  # SQLite's in-memory test database: the engine is writing
            if "locked" not in str(exc):
                raise
            value, locked = None, True
        if value:
            return value
        time.sleep(0.05)
    if locked:  # the shared-cache table lock also refused the engine's write; PostgreSQL runs it in full
        pytest.skip(f"SQLite's in-memory test database kept {what} locked")
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.allow_hosts(["127.0.0.1", "10.77.0.0/16"])
def test_a_sip_caller_hears_the_prompt_identifies_by_dtmf_and_is_bridged_and_recorded(
    line_engine: Engine,
    net: sip_rig.Net,
    caller_client: Client,  # noqa: F811
    agent: User,  # noqa: F811
    tmp_path: Path,
) -> None:
    silence = sip_rig.sound(tmp_path / "silence.wav", "trim", "0", "60")
    tone = sip_rig.sound(tmp_path / "tone.wav", "synth", "60", "sine", "440", "vol", "0.3")
    caller = sip_rig.Baresip(
        net, tmp_path / "caller", user="601234567", port=5070, ctrl=4444, source=silence, auto=False
    )
    phone = sip_rig.Baresip(net, tmp_path / "agent", user="agent", port=5080, ctrl=4445, source=tone, auto=True)
    try:
        caller.connect()
        phone.connect()
        desk = line_engine.socket(Identity(role="agent", user=str(agent.pk), name="Test", queues={"tel-pup-a": 0}))
        until(desk, "state")
        desk.send(json.dumps({"type": "login", "phone": phone.uri}))
        desk.send(json.dumps({"type": "ready"}))
        _wait(lambda: line_engine.runtime.acd.agent_state(str(agent.pk)), 5, "the agent logged in")

        caller.command("dial", f"sip:9510@{net.host}:{SIP_PORT}")
        caller.wait_event("CALL_ESTABLISHED", 10)
        call = _wait(lambda: next(iter(line_engine.runtime.calls.values()), None), 5, "the engine's call")
        assert call.entry == "9510"
        _wait(lambda: "auth" in call.path, 15, "the welcome prompt to end")
        caller.keys(caller_client.number + "#")
        time.sleep(0.5)
        caller.keys("4321#")

        ring = until(desk, "ring", timeout=20)
        assert ring["client"] == str(caller_client.pk)
        assert ring["client_number"] == caller_client.number
        desk.send(json.dumps({"type": "answer", "call": ring["call"]}))
        until(desk, "connected", timeout=25)
        phone.wait_event("CALL_ESTABLISHED", 10)
        assert call.consent_played
        assert call.recording
        time.sleep(2.0)  # the conversation: the consultant's phone sends its tone
        desk.send(json.dumps({"type": "hangup", "call": ring["call"]}))
        caller.wait_event("CALL_CLOSED", 10)
        recording = _wait(lambda: CallRecording.objects.filter(call=ring["call"]).first(), 10, "the stored recording")
        line_engine.flush()
    finally:
        caller.stop()
        phone.stop()

    # What the caller heard begins with the welcome prompt: its envelope matches the prompt's.
    from okienko.telephony.prompts import DjangoPromptSource

    prompt = sip_rig.envelope(DjangoPromptSource().audio_for("", WELCOME, 8000))
    heard_file = caller.heard()
    assert heard_file is not None
    heard = sip_rig.envelope(heard_file, seconds=len(prompt) * sip_rig.FRAME + 3)
    correlation, _lag = sip_rig.best_match(prompt, heard, max_lag=100)
    assert correlation > 0.6, correlation

    # The recording: consent played, digest, legal basis, retention; it holds the agent's tone.
    assert recording.consent_played
    assert recording.queue == "tel-pup-a"
    assert len(recording.sha256) == 64
    assert recording.legal_basis
    assert recording.retain_until
    with recording.file.open("rb") as stored:
        saved = tmp_path / "recording.wav"
        saved.write_bytes(stored.read())
    loud = [value for value in sip_rig.envelope(saved) if value > 500]
    assert len(loud) * sip_rig.FRAME > 1.0, "the recording should hold the consultant's tone"
    kinds = set(CallEventRecord.objects.filter(call=ring["call"]).values_list("kind", flat=True))
    assert {"record.consent", "record.start", "record.stop", "connect"} <= kinds


@pytest.mark.allow_hosts(["127.0.0.1", "10.77.0.0/16"])
def test_a_sip_caller_leaves_a_voicemail_message_kept_in_the_office_box_with_a_callback(
    line_engine: Engine, net: sip_rig.Net, region: Organisation, tmp_path: Path
) -> None:
    from okienko.telephony.ivr import actions as ivr_actions
    from okienko.telephony.ivr.models import EntryNumber, Flow
    from okienko.telephony.media_models import VoicemailMessage

    flow = Flow.objects.create(organisation=region, code="vm-9520", name="Voicemail")
    definition = {
        "start": "box",
        "default_office": "pup-a",
        "nodes": {"box": {"type": "voicemail", "box": "{office}", "text": "Zostaw wiadomość po sygnale."}},
    }
    ivr_actions.publish(actor=None, version=ivr_actions.create_draft(actor=None, flow=flow, definition=definition))
    EntryNumber.objects.create(number="9520", name="Poczta głosowa", organisation=region, flow=flow)
    tone = sip_rig.sound(tmp_path / "tone.wav", "synth", "60", "sine", "440", "vol", "0.3")
    caller = sip_rig.Baresip(net, tmp_path / "caller", user="601234567", port=5070, ctrl=4444, source=tone)
    try:
        caller.connect()
        caller.command("dial", f"sip:9520@{net.host}:{SIP_PORT}")
        caller.wait_event("CALL_ESTABLISHED", 10)
        call = _wait(lambda: next(iter(line_engine.runtime.calls.values()), None), 5, "the engine's call")
        _wait(lambda: call.recording, 15, "the greeting to end and the message to be recorded")
        time.sleep(2.0)  # the message: the caller's tone
        caller.command("hangup")
        message = _wait(lambda: VoicemailMessage.objects.filter(call=call.id).first(), 10, "the stored message")
    finally:
        caller.stop()
    assert message.box.organisation.code == "pup-a"
    assert message.callback is not None
    assert message.duration >= 1.5
    with message.file.open("rb") as stored:
        saved = tmp_path / "message.wav"
        saved.write_bytes(stored.read())
    loud = [value for value in sip_rig.envelope(saved) if value > 500]
    assert len(loud) * sip_rig.FRAME > 1.0, "the message should hold the caller's tone"
