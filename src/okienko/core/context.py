"""Who is acting, from where and through which channel: set per request, read by the audit log."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from okienko.core.ids import request_id


@dataclass(frozen=True)
class RequestContext:
    request_id: str = field(default_factory=request_id)
    channel: str = "system"
    ip: str | None = None
    user_agent: str = ""


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("okienko_request", default=None)


def current() -> RequestContext:
    ctx = _current.get()
    return ctx if ctx is not None else RequestContext()


@contextmanager
def using(ctx: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


@contextmanager
def channel(name: str) -> Iterator[RequestContext]:
    """Run a block as if it came through ``name`` (e.g. ``phone``, ``import``, ``api``)."""
    with using(replace(current(), channel=name)) as ctx:
        yield ctx
