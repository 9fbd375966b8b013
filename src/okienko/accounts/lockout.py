"""Login lockout (django-axes): per user name, and per client address across all user names.

A user name is locked after ``AXES_FAILURE_LIMIT`` failures within the cool-off time from any
address (a forged or rotating address does not help), and an address is refused for every user
name after ``LOGIN_IP_FAILURE_LIMIT`` failures (guessing many user names from one place). The
address is ``core.middleware.client_ip`` (``AXES_CLIENT_IP_CALLABLE``), which believes
``X-Forwarded-For`` only from ``OKIENKO_TRUSTED_PROXIES``.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest

DEFAULT_IP_FAILURE_LIMIT = 30


def ip_failure_limit() -> int:
    return int(getattr(settings, "LOGIN_IP_FAILURE_LIMIT", DEFAULT_IP_FAILURE_LIMIT))


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # django-axes ships no type information
    """Axes' database handler with two limits instead of one."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures that count towards the lockout, on the scale of ``AXES_FAILURE_LIMIT``: the
        user name's own, or the address's scaled so that reaching ``LOGIN_IP_FAILURE_LIMIT`` equals
        reaching ``AXES_FAILURE_LIMIT`` (axes compares one number with one limit)."""
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_user = _failures(recent.filter(username=username)) if username else 0
        ip = getattr(request, "axes_ip_address", None)
        by_ip = _failures(recent.filter(ip_address=ip)) if ip else 0
        user_limit = int(get_failure_limit(request, credentials))
        return max(by_user, by_ip * user_limit // max(ip_failure_limit(), 1))

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """A successful sign-in clears that user name's failures only; the address's failures
        against other user names stay counted."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return int(count)
