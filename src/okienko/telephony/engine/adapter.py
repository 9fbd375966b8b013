"""The adapter interface: what the engine asks of the telephony underneath (media and signalling),
so that the same engine drives the simulator's browser softphone, an embedded SIP endpoint and
Asterisk (ARI) in production.

:class:`SimAdapter` is the simulator's: no media; digits come from the browser softphone
(``press``), what would have been played is recorded (``prompts``), time-outs run on the asyncio
loop.
"""

from __future__ import annotations

import asyncio
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

# What an adapter can do beyond the basics; the wallboard shows a supervision button only when the
# adapter carrying the call has the matching capability (issue 16).
AUDIO = "audio"  # plays real audio (prompts as files), so a prompt source is needed
RECORD = "record"  # records calls to files
LISTEN = "listen"  # a supervisor hears both parties, neither hears them
WHISPER = "whisper"  # the supervisor speaks to the agent only
BARGE = "barge"  # the supervisor joins the conversation
SUPERVISION_MODES = (LISTEN, WHISPER, BARGE)


class Unsupported(RuntimeError):
    """The adapter cannot do what was asked (e.g. whisper on a simulator call)."""


class PromptSource(Protocol):
    """Where adapters with real audio get a prompt's sound: a recorded prompt by its id, or the
    text synthesised (cached). ``rate`` is 8000 or 16000 (Hz, mono, 16-bit PCM WAV)."""

    def audio_for(self, prompt_id: str, text: str, rate: int) -> Path: ...


class AdapterEvents(Protocol):
    """What an adapter with real calls reports to the runtime (the simulator's calls come from the
    browser softphone instead)."""

    async def incoming(self, call: str, number: str, caller: str) -> None:
        """A call to ``number`` (an entry number) from ``caller`` arrived; the adapter answers
        only when the runtime says so (``answer``)."""
        ...

    async def gone(self, call: str) -> None:
        """The caller hung up (or the connection carrying the call was lost for good)."""
        ...

    async def recorded(self, call: str, path: Path, started: float, ended: float) -> None:
        """A recording of ``call`` is complete in ``path`` (the runtime stores and deletes it)."""
        ...

    async def failure(self, what: str, detail: str) -> None:
        """Something went wrong that staff must hear of (storage full, connection lost…)."""
        ...


class Adapter(Protocol):
    capabilities: frozenset[str]

    async def answer(self, call: str) -> None: ...

    async def play(self, call: str, prompt_id: str, text: str) -> None: ...

    async def collect(
        self,
        call: str,
        min_digits: int,
        max_digits: int,
        terminator: str,
        first_timeout: float,
        inter_digit_timeout: float,
    ) -> str | None:
        """Digits pressed (without the terminator), or None if fewer than ``min_digits`` came."""
        ...

    async def bridge(self, call: str, agent: str) -> None: ...

    async def transfer(self, call: str, number: str) -> None: ...

    async def hangup(self, call: str) -> None: ...

    async def record(self, call: str, start: bool) -> None:
        """Start or stop recording; a finished file comes back through ``AdapterEvents.recorded``."""
        ...

    async def supervise(self, call: str, supervisor: str, mode: str) -> None:
        """Let ``supervisor`` listen in, whisper or barge (``SUPERVISION_MODES``); raises
        :class:`Unsupported` when the adapter lacks the capability."""
        ...

    async def stop_supervising(self, call: str, supervisor: str) -> None: ...


async def collect_digits(
    digits: asyncio.Queue[str],
    ended: Callable[[], bool],
    min_digits: int,
    max_digits: int,
    terminator: str,
    first_timeout: float,
    inter_digit_timeout: float,
) -> str | None:
    """The digit-collection rule every adapter shares: wait ``first_timeout`` for the first key,
    ``inter_digit_timeout`` for each next, stop at the terminator or ``max_digits``; fewer than
    ``min_digits`` (or a hang-up, signalled by an empty string in the queue) gives None."""
    pressed = ""
    timeout = first_timeout
    while len(pressed) < max_digits and not ended():
        try:
            digit = await asyncio.wait_for(digits.get(), timeout)
        except TimeoutError:
            break
        if digit == "" or ended():
            break  # woken by a hang-up
        if terminator and digit == terminator:
            break
        pressed += digit
        timeout = inter_digit_timeout
    if ended() or len(pressed) < min_digits:
        return None
    return pressed


def _silence(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A 16-bit mono WAV of ``seconds`` of silence (the simulator's recording)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(b"\x00\x00" * int(max(seconds, 0.0) * rate))
    return path


@dataclass
class _SimCall:
    digits: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    prompts: list[tuple[str, str]] = field(default_factory=list)
    answered: bool = False
    ended: bool = False
    bridged: str = ""
    transferred: str = ""
    recording: bool = False
    listeners: dict[str, str] = field(default_factory=dict)  # supervisor → mode


class SimAdapter:
    """The simulator's adapter (the browser softphone): digits in, prompts out, no media.

    It "records" too, so that the whole recording path (notice, storage, retention, playback)
    can be tried from the demo: the file is silence as long as the call was recorded — the
    simulator carries no voice — and is reported through ``events.recorded`` like a real one."""

    capabilities = frozenset({LISTEN, WHISPER, BARGE, RECORD})
    MAX_RECORDING = 3600.0  # seconds of silence at most

    def __init__(self, events: AdapterEvents | None = None, record_dir: Path | None = None) -> None:
        self._calls: dict[str, _SimCall] = {}
        self.events = events
        self.record_dir = record_dir
        self._recording: dict[str, float] = {}  # call → when its recording started

    def _call(self, call: str) -> _SimCall:
        state = self._calls.get(call)
        if state is None:
            state = self._calls[call] = _SimCall()
        return state

    # -- the softphone's side ----------------------------------------------------------------

    def press(self, call: str, digits: str) -> None:
        """The caller pressed keys (one or several; ``*`` and ``#`` included)."""
        state = self._call(call)
        if state.ended:
            return
        for digit in digits:
            state.digits.put_nowait(digit)

    def prompts(self, call: str) -> list[tuple[str, str]]:
        """What was played to the call: (prompt id, text) in order."""
        return list(self._call(call).prompts)

    def ended(self, call: str) -> bool:
        return call in self._calls and self._calls[call].ended

    def bridged(self, call: str) -> str:
        return self._call(call).bridged

    def forget(self, call: str) -> None:
        """Drop a finished call's state (the runtime calls it when the call is over)."""
        self._calls.pop(call, None)

    # -- the Adapter protocol ----------------------------------------------------------------

    async def answer(self, call: str) -> None:
        self._call(call).answered = True

    async def play(self, call: str, prompt_id: str, text: str) -> None:
        state = self._call(call)
        if not state.ended:
            state.prompts.append((prompt_id, text))

    async def collect(
        self,
        call: str,
        min_digits: int,
        max_digits: int,
        terminator: str,
        first_timeout: float,
        inter_digit_timeout: float,
    ) -> str | None:
        state = self._call(call)
        return await collect_digits(
            state.digits, lambda: state.ended, min_digits, max_digits, terminator, first_timeout, inter_digit_timeout
        )

    async def bridge(self, call: str, agent: str) -> None:
        self._call(call).bridged = agent

    async def transfer(self, call: str, number: str) -> None:
        state = self._call(call)
        state.transferred = number
        state.ended = True
        state.digits.put_nowait("")

    async def hangup(self, call: str) -> None:
        state = self._call(call)
        state.ended = True
        state.digits.put_nowait("")  # wakes a collect in progress
        if call in self._recording:
            await self.record(call, False)

    async def record(self, call: str, start: bool) -> None:
        self._call(call).recording = start
        if start:
            self._recording.setdefault(call, time.time())
            return
        started = self._recording.pop(call, None)
        if started is None or self.events is None or self.record_dir is None:
            return
        ended = time.time()
        path = await asyncio.to_thread(
            _silence, self.record_dir / f"{call}.wav", min(ended - started, self.MAX_RECORDING)
        )
        await self.events.recorded(call, path, started, ended)

    async def supervise(self, call: str, supervisor: str, mode: str) -> None:
        if mode not in self.capabilities:
            raise Unsupported(mode)
        self._call(call).listeners[supervisor] = mode

    async def stop_supervising(self, call: str, supervisor: str) -> None:
        self._call(call).listeners.pop(supervisor, None)

    def supervisors(self, call: str) -> dict[str, str]:
        return dict(self._call(call).listeners)
