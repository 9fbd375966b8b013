"""Who is acting, from where and through which channel: set per request, read by the audit log."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class RequestContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
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
