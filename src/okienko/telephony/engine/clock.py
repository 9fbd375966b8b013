"""The engine's time: injected, so the same code runs on the wall clock (the live process) and on
a virtual clock (the simulator and the tests, where a day passes in seconds)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now(self) -> float:
        """Seconds (the virtual clock's own epoch, or the Unix time)."""
        ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer: ...


class _VirtualTimer:
    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    """Time moves only when told to; timers fire in order of time, then of scheduling."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._heap: list[tuple[float, int, _VirtualTimer, Callable[[], None]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self._now

    def call_later(self, delay: float, callback: Callable[[], None]) -> _VirtualTimer:
        timer = _VirtualTimer()
        heapq.heappush(self._heap, (self._now + max(delay, 0.0), next(self._order), timer, callback))
        return timer

    def call_at(self, when: float, callback: Callable[[], None]) -> _VirtualTimer:
        return self.call_later(when - self._now, callback)

    def next_time(self) -> float | None:
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def step(self) -> bool:
        """Fire the next timer (moving time to it); False when none is left."""
        while self._heap:
            when, _order, timer, callback = heapq.heappop(self._heap)
            if timer.cancelled:
                continue
            self._now = max(self._now, when)
            callback()
            return True
        return False

    def run_until(self, until: float) -> None:
        """Fire every timer due up to ``until`` and leave the time there."""
        while True:
            upcoming = self.next_time()
            if upcoming is None or upcoming > until:
                break
            self.step()
        self._now = max(self._now, until)

    def advance(self, seconds: float) -> None:
        self.run_until(self._now + seconds)


class AsyncioClock:
    """The running event loop's timers on the Unix time (the ``okienko telephony`` process)."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop

    def now(self) -> float:
        return time.time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        loop = self._loop or asyncio.get_running_loop()
        return loop.call_later(max(delay, 0.0), callback)
