"""An announcement a supervisor switches on and off without touching the flow (issue 16): a play
node naming the office's "office-closed" announcement says nothing while it is off and the
announcement's current text once it is on; a prompt's own text replaces the node's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.telephony.identity import Identity
from okienko.telephony.ivr import actions as ivr_actions
from okienko.telephony.ivr.models import EntryNumber, Flow
from okienko.telephony.media_models import OFFICE_CLOSED, Prompt
from tests.telephony.test_runtime import Engine, running_engine, until

pytestmark = pytest.mark.django_db(transaction=True)

FLOW = {
    "start": "announcement",
    "default_office": "pup-a",
    "nodes": {
        "announcement": {"type": "play", "prompt": OFFICE_CLOSED, "text": "Komunikat.", "next": "hello"},
        "hello": {"type": "play", "prompt": "hello", "text": "Tekst węzła.", "next": "bye"},
        "bye": {"type": "hangup", "text": "Do widzenia."},
    },
}


@pytest.fixture
def engine(region: Organisation) -> Iterator[Engine]:
    office = Organisation.objects.get(code="pup-a")
    for code, text, announcement in (
        (OFFICE_CLOSED, "Urząd jest dziś nieczynny.", True),
        ("hello", "Dzień dobry z zapowiedzi.", False),
    ):
        Prompt.objects.create(
            organisation=office,
            code=code,
            name=code,
            text=text,
            is_announcement=announcement,
            active=not announcement,
            updated_at=clock.now(),
        )
    flow = Flow.objects.create(organisation=region, code="announced", name="Announced")
    ivr_actions.publish(actor=None, version=ivr_actions.create_draft(actor=None, flow=flow, definition=FLOW))
    EntryNumber.objects.create(number="9700", name="Test", organisation=region, flow=flow)
    with running_engine() as started:
        yield started


def _prompts(engine: Engine) -> list[str]:
    phone = engine.socket(Identity(role="phone", caller="600000000"))
    until(phone, "hello")
    phone.send(json.dumps({"type": "dial", "number": "9700"}))
    said: list[str] = []
    while True:
        frame: dict[str, Any] = json.loads(phone.recv(timeout=10))
        if frame["type"] == "prompt":
            said.append(frame["text"])
        if frame["type"] == "ended":
            phone.close()
            return said


def test_an_announcement_switched_off_is_silent_and_switched_on_is_heard(engine: Engine) -> None:
    assert _prompts(engine) == ["Dzień dobry z zapowiedzi.", "Do widzenia."]
    Prompt.objects.filter(code=OFFICE_CLOSED).update(active=True, text="Dziś nieczynne z powodu awarii.")
    assert _prompts(engine) == ["Dziś nieczynne z powodu awarii.", "Dzień dobry z zapowiedzi.", "Do widzenia."]
