"""Two installations for the exchange tests (issue 18): each a child process with its own var
directory and SQLite database, migrated from scratch, driven step by step (``Twin.run``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STEP_TIMEOUT = 120


class TwinError(AssertionError):
    pass


def environment(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "REDIS_", "CELERY_", "DATABASE_"))}
    env.update(
        {
            "OKIENKO_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'okienko.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "okienko.conf.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        }
    )
    return env


def migrate(var_dir: Path) -> subprocess.Popen[bytes]:
    var_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "okienko.manage", "migrate", "--noinput", "-v", "0"],
        env=environment(var_dir),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


class Twin:
    """A running installation. ``run(code, **vars)`` executes ``code`` there and returns what the
    code bound to ``result`` (JSON-serialisable)."""

    def __init__(self, name: str, var_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.name = name
        self.var_dir = var_dir
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "twoinst" / "worker.py")],
            env={**environment(var_dir), **(extra_env or {})},
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(var_dir / "twin.log", "wb"),  # noqa: SIM115 - closed with the process
            text=True,
        )
        self._read()

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        import selectors

        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            if not selector.select(STEP_TIMEOUT):
                raise TwinError(f"{self.name}: no answer in {STEP_TIMEOUT} s")
        line = self.proc.stdout.readline()
        if not line:
            log = (self.var_dir / "twin.log").read_text(errors="replace")[-3000:]
            raise TwinError(f"{self.name} stopped:\n{log}")
        return dict(json.loads(line))

    def run(self, step: str, /, **variables: Any) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"code": textwrap.dedent(step), "vars": variables}) + "\n")
        self.proc.stdin.flush()
        reply = self._read()
        if "error" in reply:
            raise TwinError(f"{self.name}: {reply['error']}\n{reply.get('traceback', '')}")
        return reply.get("result")

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
