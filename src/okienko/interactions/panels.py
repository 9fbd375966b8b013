"""What the contacts app shows on composite desk screens (``core.panels``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import clock, formatting, panels, work_panels
from okienko.core.work_panels import WorkItem
from okienko.interactions import actions
from okienko.interactions.forms import InteractionForm, PaperContactForm
from okienko.interactions.models import Callback, Interaction


def _records(request: HttpRequest) -> bool:
    return access.has_perm_anywhere(request.user, Perm.INTERACTIONS_RECORD)


def record(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    """The form recording the current contact with this client."""
    if not _records(request):
        return None
    return {"client": client, "form": InteractionForm(organisation=getattr(request, "organisation", None))}


def paper(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    """The form registering a letter, a fax or a visit at the counter of this client."""
    if not _records(request):
        return None
    form = PaperContactForm(
        organisation=getattr(request, "organisation", None), max_scan_bytes=actions.max_scan_bytes()
    )
    return {"client": client, "form": form}


def client_callbacks(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    """Open callbacks for the client (whoever may open the card sees them)."""
    if not _records(request):
        return None
    callbacks = client.callbacks.open().select_related("target_unit", "target_user").order_by("due_at")[:20]
    return {"client": client, "callbacks": list(callbacks)}


def history(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    """The client's one contact history across channels and offices (ADR 0011), with closed callbacks."""
    contacts = client.interactions.select_related("staff", "service", "organisation", "case").prefetch_related(
        "attachments"
    )
    closed = client.callbacks.exclude(status=Callback.Status.CREATED).select_related("closed_by")
    return {
        "history": list(contacts.order_by("-started_at", "-id")[:50]),
        "callbacks_closed": list(closed.order_by("-closed_at")[:20]),
    }


def my_callbacks(request: HttpRequest, _obj: Any) -> Mapping[str, Any] | None:
    """On the client search page: callbacks waiting for the viewer."""
    if not _records(request):
        return None
    waiting = Callback.objects.open().for_target(request.user).select_related("client").order_by("due_at")[:10]
    return {"callbacks": list(waiting)}


def my_recent_contacts(request: HttpRequest, _obj: Any) -> Mapping[str, Any] | None:
    """On the client search page: the viewer's own latest contacts."""
    recent = (
        Interaction.objects.filter(staff_id=request.user.pk).select_related("client", "service").order_by("-started_at")
    )
    return {"recent": list(recent[:10])}


def callbacks_due_today(request: HttpRequest, _obj: Any) -> Mapping[str, Any] | None:
    """On the desk start page: callbacks for the viewer (or their unit) due by the end of today,
    the overdue ones first."""
    if not _records(request):
        return None
    now = clock.now()
    end_of_day = dt.datetime.combine(clock.local_now().date() + dt.timedelta(days=1), dt.time(), clock.WARSAW)
    due = (
        Callback.objects.open()
        .for_target(request.user)
        .filter(due_at__lt=end_of_day)
        .select_related("client")
        .order_by("due_at", "id")
    )
    return work_panels.of_rows(
        "callbacks-today",
        due,
        item=lambda c: WorkItem(
            str(c.client.display_name if c.client_id and c.client else c.phone or c.reason[:60]),
            reverse("interactions:callbacks"),
            f"{formatting.when(c.due_at)} · {c.reason[:80]}",
            "danger" if c.due_at < now else "",
        ),
        title=_("Callbacks due today"),
        empty=_("No callbacks are due today."),
        more_url=reverse("interactions:callbacks"),
    )


def case_contacts(request: HttpRequest, case: Any) -> Mapping[str, Any] | None:
    """Beside a case: the contacts recorded about it (the viewer already may see the case)."""
    contacts = list(
        Interaction.objects.filter(case=case).select_related("staff", "organisation").order_by("-started_at")[:20]
    )
    return {"contacts": contacts} if contacts else None


def register() -> None:
    for panel in (
        panels.Panel(
            panels.CLIENT_CARD_TOOLS, "interactions.record", "interactions/panels/record.html", record, order=20
        ),
        panels.Panel(panels.CLIENT_CARD_TOOLS, "interactions.paper", "interactions/panels/paper.html", paper, order=25),
        panels.Panel(
            panels.CLIENT_CARD,
            "interactions.callbacks",
            "interactions/panels/callbacks.html",
            client_callbacks,
            order=40,
        ),
        panels.Panel(panels.CLIENT_CARD, "interactions.history", "interactions/panels/history.html", history, order=50),
        panels.Panel(
            panels.CLIENT_SEARCH, "interactions.my_callbacks", "interactions/panels/my_callbacks.html", my_callbacks
        ),
        panels.Panel(
            panels.CLIENT_SEARCH,
            "interactions.recent",
            "interactions/panels/recent.html",
            my_recent_contacts,
            order=110,
        ),
        panels.Panel(
            panels.CASE_SIDE, "interactions.case_contacts", "interactions/panels/case_contacts.html", case_contacts
        ),
        panels.Panel(
            panels.DESK_HOME, "interactions.callbacks_today", work_panels.WORK_PANEL, callbacks_due_today, order=20
        ),
    ):
        panels.register(panel)
