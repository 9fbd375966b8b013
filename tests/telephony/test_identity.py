"""The signed identity the web server gives the engine: verified, fresh, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing

from okienko.telephony import identity
from okienko.telephony.identity import Identity, verify


def test_a_signed_identity_comes_back_whole() -> None:
    sent = Identity(role="agent", user="7", name="Ewa", queues={"tel-pup-a": 0, "tel-pup-b": 1}, scope=[])
    assert verify(sent.sign()) == sent


TOKENS = {
    "empty": lambda: "",
    "forged": lambda: "forged",
    "another-salt": lambda: signing.dumps({"role": "agent"}, salt="another.salt"),
    "unknown-role": lambda: signing.dumps({"role": "root"}, salt=identity.SALT),
    "queues-not-a-mapping": lambda: signing.dumps({"role": "agent", "queues": ["x"]}, salt=identity.SALT),
    "not-an-object": lambda: signing.dumps(["agent"], salt=identity.SALT),
}


@pytest.mark.parametrize("case", TOKENS)  # signed when the test runs: stable test ids across workers
def test_anything_else_is_refused(case: str) -> None:
    assert verify(TOKENS[case]()) is None


def test_a_stale_identity_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    token = Identity(role="phone").sign()
    monkeypatch.setattr(identity, "MAX_AGE", -1)
    assert verify(token) is None


def test_runall_starts_the_engine_when_its_port_is_free(settings: Any) -> None:
    from okienko.core.management.commands import runall
    from tests.conftest import free_port

    settings.TELEPHONY_ENGINE_URL = f"ws://127.0.0.1:{free_port()}"
    command = runall.telephony_command("python")
    assert command == ["python", "-m", "okienko.manage", "telephony"]
