"""The real pipeline: beat → task on the SQLite broker → outbox → worker → subscriber."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_worker_delivers_outbox_events_over_the_embedded_broker(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "OKIENKO_PROFILE": "dev",
        "OKIENKO_VAR_DIR": str(tmp_path),
        "OKIENKO_SECRET_KEY": "worker-test-" + "k" * 40,
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, "-m", "okienko.manage"]
    # Well over a hundred migrations: minutes on a loaded two-core machine.
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, timeout=400)
    send = "import django; django.setup(); from okienko.core.tasks import heartbeat; heartbeat.delay()"
    subprocess.run([sys.executable, "-c", send], env=env, check=True, timeout=60)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "okienko.conf.celery", "worker", "--pool", "solo", "-l", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    delivered = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and delivered is None:
            time.sleep(0.5)
            with sqlite3.connect(tmp_path / "okienko.sqlite3") as db:
                row = db.execute("SELECT delivered_at FROM core_workerheartbeat WHERE id = 1").fetchone()
            delivered = row[0] if row else None
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert delivered is not None, "the worker did not deliver the heartbeat within 60 s"
