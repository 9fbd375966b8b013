"""Twenty concurrent SIP calls through the IVR of the embedded SIP line (issue 16): SIPp places
them at once over loopback, each hears the welcome and the menu, presses 1 by SIP INFO
(application/dtmf-relay) and is said goodbye and hung up by the engine — none lost, every one
took the menu's option (the digit arrived), none fell to the menu's time-out."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import OperationalError

from okienko.accounts.models import Organisation
from okienko.telephony.ivr import actions as ivr_actions
from okienko.telephony.ivr.models import EntryNumber, Flow
from okienko.telephony.models import CallEventRecord
from tests.telephony import sip_rig
from tests.telephony.test_runtime import Engine, running_engine

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp is not installed"),
    pytest.mark.skipif(bool(sip_rig.missing()) and "pjsua2" in sip_rig.missing(), reason="pjsua2 is not installed"),
]

SCENARIO = Path(__file__).parent / "sipp" / "ivr_info_dtmf.xml"
CALLS = 20
FLOW = {
    "start": "welcome",
    "nodes": {
        "welcome": {"type": "play", "text": "Urząd pracy, dzień dobry.", "next": "menu"},
        "menu": {
            "type": "menu",
            "text": "Naciśnij jeden.",
            "options": {"1": "thanks"},
            "timeout": 6,
            "retries": 0,
            "on_fail": "missed",
        },
        "thanks": {"type": "hangup", "text": "Dziękujemy, do widzenia."},
        "missed": {"type": "hangup", "text": "Nie wybrano."},
    },
}


def _udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def sip_engine(region: Organisation, settings: Any) -> Iterator[tuple[Engine, int]]:
    flow = Flow.objects.create(organisation=region, code="load-9600", name="Load")
    ivr_actions.publish(actor=None, version=ivr_actions.create_draft(actor=None, flow=flow, definition=FLOW))
    EntryNumber.objects.create(number="9600", name="Load test", organisation=region, flow=flow)
    port = _udp_port()
    settings.TELEPHONY_SIP_LISTEN = f"127.0.0.1:{port}"
    settings.TELEPHONY_SIP_PUBLIC_HOST = "127.0.0.1"
    with running_engine(line="sip") as engine:
        yield engine, port


def test_twenty_concurrent_calls_through_the_ivr_none_lost(sip_engine: tuple[Engine, int], tmp_path: Path) -> None:
    engine, port = sip_engine
    command = [
        "sipp",
        f"127.0.0.1:{port}",
        "-sf",
        str(SCENARIO),
        "-s",
        "9600",
        "-i",
        "127.0.0.1",
        "-p",
        str(_udp_port()),
        "-mi",
        "127.0.0.1",
        "-mp",
        str(_udp_port() // 2 * 2),
        "-m",
        str(CALLS),
        "-l",
        str(CALLS),
        "-r",
        str(CALLS),
        "-timeout",
        "60s",
        "-timeout_error",
        "-trace_stat",
        "-stf",
        str(tmp_path / "stat.csv"),
        "-trace_err",
        "-error_file",
        str(tmp_path / "errors.log"),
        "-nostdin",
    ]
    run = subprocess.run(command, capture_output=True, timeout=90, cwd=tmp_path, check=False)
    errors = (tmp_path / "errors.log").read_text(errors="replace") if (tmp_path / "errors.log").exists() else ""
    assert run.returncode == 0, f"sipp exit {run.returncode}: {errors[-2000:]}"

    # The engine ends a call once its BYE is answered (or given up after SIP's 32 s), then writes
    # the log in batches; on SQLite's in-memory test database a read may meet the engine's write
    # lock for a moment. Poll (bounded) until all twenty ends are in the log.
    deadline = time.monotonic() + 45
    ends: Counter[Any] = Counter()
    nodes: Counter[Any] = Counter()
    while time.monotonic() < deadline:
        try:
            engine.flush()
            ends = Counter(
                record.data.get("reason")
                for record in CallEventRecord.objects.filter(kind="call.end", call__startswith="sip-")
            )
            nodes = Counter(
                record.data.get("node")
                for record in CallEventRecord.objects.filter(kind="ivr.node", call__startswith="sip-")
            )
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
        if sum(ends.values()) >= CALLS and not engine.runtime.calls:
            break
        time.sleep(0.2)
    assert sum(ends.values()) == CALLS, (ends, len(engine.runtime.calls))
    assert nodes["thanks"] == CALLS, nodes  # every caller's key arrived by SIP INFO
    assert nodes["missed"] == 0, nodes
