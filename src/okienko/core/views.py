"""Health check and error pages."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from okienko.core import audit, events, workqueue
from okienko.core.middleware import is_loopback
from okienko.core.models import WorkerHeartbeat


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "vendor": connection.vendor}


def _check_cache() -> dict[str, Any]:
    key = "okienko:health"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return what was written")
    return {"status": "ok"}


def _check_tasks() -> dict[str, Any]:
    """The broker answers, and no work queue has left a due item waiting for long.

    ``queues`` gives every registered work queue's depth, due items, lag and dead letters
    (ADR 0046); ``outbox_lag_seconds`` and ``dead_letters`` are the outbox's, as before."""
    from celery import current_app  # the project's app (okienko.conf loads it with the settings)

    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    metrics = {queue.name: queue.metrics() for queue in workqueue.registered()}
    outbox = metrics.get(events.OUTBOX.name) or events.OUTBOX.metrics()
    status = "degraded" if any(m.lagging for m in metrics.values()) else "ok"
    beat = WorkerHeartbeat.objects.filter(pk=1).values_list("delivered_at", flat=True).first()
    return {
        "status": status,
        "outbox_lag_seconds": round(outbox.lag_seconds, 1),
        "dead_letters": outbox.dead,
        "worker_last_seen": beat.isoformat() if beat else None,
        "queues": {name: m.as_dict() for name, m in metrics.items()},
    }


def _may_see_health_details(request: HttpRequest) -> bool:
    """Staff and the machine itself (a load balancer's probe on loopback, an operator's curl) see
    which component failed and how long it took; anyone else only the overall status."""
    user = getattr(request, "user", None)
    return is_loopback(request) or (user is not None and user.is_authenticated)


@never_cache
def health_view(request: HttpRequest) -> JsonResponse:
    """200 when every component works (``degraded`` still 200), 503 when one fails. The database
    engine, timings and error texts only for staff and loopback callers."""
    checks: dict[str, dict[str, Any]] = {}
    for name, check in (("database", _check_database), ("cache", _check_cache), ("tasks", _check_tasks)):
        started = time.perf_counter()
        try:
            result = check()
        except Exception as exc:  # noqa: BLE001 - a health check reports, it never raises
            result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        checks[name] = result
    failed = any(c["status"] == "error" for c in checks.values())
    body: dict[str, Any] = {"status": "error" if failed else "ok"}
    if _may_see_health_details(request):
        body |= {"checks": checks, "version": settings.SPECTACULAR_SETTINGS["VERSION"]}
    return JsonResponse(body, status=503 if failed else 200)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    audit.record(
        "security.csrf_rejected", actor=user, kind="security", data={"path": request.path[:200], "reason": reason[:200]}
    )
    return render(
        request,
        "errors/error.html",
        {"status": 403, "title": _("The form has expired"), "message": _("Reload the page and submit the form again.")},
        status=403,
    )


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "errors/error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        audit.record(
            "security.permission_denied", actor=request.user, kind="security", data={"path": request.path[:200]}
        )
    return _error(request, 403, _("Access denied"), _("You do not have the role needed for this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Page not found"), _("The page or object you asked for does not exist."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("Something went wrong"), _("The error was logged. Try again in a moment."))
