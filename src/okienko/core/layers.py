"""The embedded channel layer (one process, no Redis): channels' in-memory layer with its sweep
for expired messages and group memberships run at most once a second. Upstream sweeps on every
``receive``, walking every channel of the process: with 550 chat connections that walk took about
a sixth of the process's time (bench/chat_load.py). Expiry is a minute by default, so being up to a
second late changes nothing a client can see."""

from __future__ import annotations

import time
from typing import Any

from channels.layers import InMemoryChannelLayer as UpstreamInMemoryChannelLayer


class InMemoryChannelLayer(UpstreamInMemoryChannelLayer):  # type: ignore[misc]
    sweep_interval = 1.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep < self.sweep_interval:
            return
        self._last_sweep = now
        super()._clean_expired()

    async def flush(self) -> None:
        await super().flush()
        self._last_sweep = 0.0
