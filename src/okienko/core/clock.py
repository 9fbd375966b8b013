"""The one source of the current time. Tests move it with ``time_machine``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

WARSAW = ZoneInfo("Europe/Warsaw")


def now() -> dt.datetime:
    """Return the current time, aware, in UTC."""
    return timezone.now()


def local_now() -> dt.datetime:
    """Return the current time in Europe/Warsaw."""
    return now().astimezone(WARSAW)
