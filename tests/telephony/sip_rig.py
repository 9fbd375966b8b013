"""Real SIP peers for the embedded SIP line's tests: a private network namespace joined to this
one by a veth pair the test creates (baresip announces its own address in SDP and cannot be held
to loopback), Debian's baresip as the caller (scripted over its ``ctrl_tcp`` netstring JSON) and as
an auto-answering agent phone, and the audio envelope that tells whether a prompt was heard."""

from __future__ import annotations

import array
import contextlib
import json
import math
import os
import shutil
import socket
import subprocess
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FRAME = 0.02  # seconds per envelope frame


def missing() -> str:
    """Why the SIP end-to-end tests cannot run here ("" if they can)."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "baresip", "sox"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    try:
        import pjsua2  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return "pjsua2 is not installed (the sip extra)"
    return ""


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True, timeout=10)


@dataclass
class Net:
    name: str
    host: str  # this side of the veth pair (the engine binds here)
    peer: str  # the namespace's side (baresip runs there)


@contextlib.contextmanager
def namespace() -> Iterator[Net]:
    """A namespace with one veth link to this one, private /30 addresses, removed afterwards."""
    tag = f"{os.getpid() % 100000}"
    net = Net(f"okt{tag}", f"10.77.{os.getpid() % 250}.1", f"10.77.{os.getpid() % 250}.2")
    outer, inner = f"okv{tag}a", f"okv{tag}b"
    _ip("netns", "del", net.name, check=False)
    _ip("link", "del", outer, check=False)
    try:
        _ip("netns", "add", net.name)
        _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
        _ip("link", "set", inner, "netns", net.name)
        _ip("addr", "add", f"{net.host}/30", "dev", outer)
        _ip("link", "set", outer, "up")
        _ip("-n", net.name, "addr", "add", f"{net.peer}/30", "dev", inner)
        _ip("-n", net.name, "link", "set", inner, "up")
        _ip("-n", net.name, "link", "set", "lo", "up")
        yield net
    finally:
        _ip("link", "del", outer, check=False)
        _ip("netns", "del", net.name, check=False)


def sound(path: Path, *effect: str) -> Path:
    """A 16-bit 8 kHz mono WAV made by sox (``synth 30 sine 440`` or silence)."""
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", str(path), *effect],
        check=True,
        capture_output=True,
        timeout=20,
    )
    return path


class Baresip:
    """One baresip user agent in the namespace, with its own configuration folder."""

    def __init__(
        self, net: Net, folder: Path, *, user: str, port: int, ctrl: int, source: Path, auto: bool = False
    ) -> None:
        self.net, self.folder, self.ctrl = net, folder, ctrl
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "dump").mkdir(exist_ok=True)
        modules = ["stdio", "g711", "aufile", "sndfile"]
        lines = [
            "poll_method epoll",
            f"sip_listen {net.peer}:{port}",
            f"audio_player aufile,{folder / 'played.wav'}",
            f"audio_source aufile,{source}",
            f"audio_alert aufile,{source}",
            "module_path /usr/lib/baresip/modules",
            *(f"module {name}.so" for name in modules),
            "module_app account.so",
            "module_app menu.so",
            "module_app ctrl_tcp.so",
            f"ctrl_tcp_listen {net.peer}:{ctrl}",
            f"snd_path {folder / 'dump'}",
        ]
        (folder / "config").write_text("\n".join(lines) + "\n")
        answer = ";answermode=auto" if auto else ""
        (folder / "accounts").write_text(f"<sip:{user}@{net.peer}:{port}>;regint=0{answer}\n")
        self.uri = f"sip:{user}@{net.peer}:{port}"
        self.log = (folder / "baresip.log").open("w")
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", net.name, "baresip", "-f", str(folder)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=folder / "dump",
        )
        self.sock: socket.socket | None = None
        self._buffer = b""
        self.events: list[dict[str, Any]] = []
        self._tokens = 0

    def connect(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.create_connection((self.net.peer, self.ctrl), timeout=1.0)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def command(self, name: str, params: str = "") -> None:
        assert self.sock is not None
        self._tokens += 1
        body = json.dumps({"command": name, "params": params, "token": str(self._tokens)}).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body + b",")

    def keys(self, digits: str, gap: float = 0.25) -> None:
        for digit in digits:
            self.command("sndcode", digit)
            time.sleep(gap)

    def wait_event(self, kind: str, timeout: float) -> dict[str, Any]:
        """The next event of ``kind`` (read from the netstring stream), or AssertionError."""
        assert self.sock is not None
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("type") == kind:
                    self.events.remove(event)
                    return event
            left = deadline - time.monotonic()
            assert left > 0, f"baresip: no {kind} (log: {(self.folder / 'baresip.log').read_text()[-1500:]})"
            self.sock.settimeout(min(left, 0.5))
            with contextlib.suppress(TimeoutError):
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise AssertionError("baresip closed its control connection")
                self._buffer += chunk
            self._parse()

    def _parse(self) -> None:
        while b":" in self._buffer:
            size, _sep, rest = self._buffer.partition(b":")
            if not size.isdigit() or len(rest) < int(size) + 1:
                return
            body, self._buffer = rest[: int(size)], rest[int(size) + 1 :]
            with contextlib.suppress(ValueError):
                message = json.loads(body)
                if message.get("event"):
                    self.events.append(message)

    def heard(self) -> Path | None:
        """The WAV of what this agent received (baresip's sndfile ``-dec`` dump)."""
        found = sorted((self.folder / "dump").glob("*-dec.wav"))
        return found[-1] if found else None

    def stop(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.command("quit")
            self.sock.close()
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.log.close()


def envelope(path: Path, seconds: float | None = None) -> list[float]:
    """RMS per 20 ms frame of a 16-bit mono WAV."""
    with wave.open(str(path), "rb") as source:
        rate = source.getframerate()
        count = source.getnframes() if seconds is None else min(source.getnframes(), int(seconds * rate))
        samples = array.array("h", source.readframes(count))
    step = max(1, int(rate * FRAME))
    return [
        math.sqrt(sum(s * s for s in samples[i : i + step]) / step) for i in range(0, len(samples) - step + 1, step)
    ]


def best_match(prompt: list[float], heard: list[float], max_lag: int) -> tuple[float, int]:
    """The highest Pearson correlation of the prompt's envelope with the heard one over lags of
    0…``max_lag`` frames, and that lag."""
    best, at = -1.0, 0
    n = len(prompt)
    mean_p = sum(prompt) / n
    dev_p = [v - mean_p for v in prompt]
    norm_p = math.sqrt(sum(v * v for v in dev_p)) or 1.0
    for lag in range(0, max_lag + 1):
        window = heard[lag : lag + n]
        if len(window) < n:
            break
        mean_h = sum(window) / n
        dev_h = [v - mean_h for v in window]
        norm_h = math.sqrt(sum(v * v for v in dev_h)) or 1.0
        value = sum(a * b for a, b in zip(dev_p, dev_h, strict=True)) / (norm_p * norm_h)
        if value > best:
            best, at = value, lag
    return best, at


skip_without_rig = pytest.mark.skipif(bool(missing()), reason=missing() or "ready")
