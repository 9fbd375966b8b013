"""The adapter interface: what the engine asks of the telephony underneath (media and signalling),
so that the same engine drives the simulator's browser softphone, an embedded SIP endpoint and
Asterisk (ARI) in production.

:class:`SimAdapter` is the simulator's: no media; digits come from the browser softphone
(``press``), what would have been played is recorded (``prompts``), time-outs run on the asyncio
loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol


class Adapter(Protocol):
    supports_listen_in: bool

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

    async def record(self, call: str, start: bool) -> None: ...

    async def listen_in(self, call: str, supervisor: str) -> None: ...


@dataclass
class _SimCall:
    digits: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    prompts: list[tuple[str, str]] = field(default_factory=list)
    answered: bool = False
    ended: bool = False
    bridged: str = ""
    transferred: str = ""
    recording: bool = False
    listeners: list[str] = field(default_factory=list)


class SimAdapter:
    """The simulator's adapter (the browser softphone): digits in, prompts out, no media."""

    supports_listen_in = True

    def __init__(self) -> None:
        self._calls: dict[str, _SimCall] = {}

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
        pressed = ""
        timeout = first_timeout
        while len(pressed) < max_digits and not state.ended:
            try:
                digit = await asyncio.wait_for(state.digits.get(), timeout)
            except TimeoutError:
                break
            if digit == "" or state.ended:
                break  # woken by a hang-up
            if terminator and digit == terminator:
                break
            pressed += digit
            timeout = inter_digit_timeout
        if state.ended or len(pressed) < min_digits:
            return None
        return pressed

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

    async def record(self, call: str, start: bool) -> None:
        self._call(call).recording = start

    async def listen_in(self, call: str, supervisor: str) -> None:
        self._call(call).listeners.append(supervisor)
