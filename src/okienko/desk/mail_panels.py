"""The desk start page's e-mail panel: messages awaiting triage, oldest first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.channels.models import InboundMessage, Mailbox
from okienko.core import formatting, work_panels
from okienko.core.work_panels import WorkItem


def waiting(request: HttpRequest, _obj: Any) -> Mapping[str, Any] | None:
    offices = access.organisations_with(request.user, Perm.INTERACTIONS_RECORD)
    if not Mailbox.objects.filter(organisation__in=offices, active=True).exists():
        return None  # no mailbox to triage in the viewer's offices
    rows = InboundMessage.objects.visible_to(request.user).awaiting_triage().order_by("received_at", "id")
    return work_panels.of_rows(
        "mail-waiting",
        rows,
        item=lambda m: WorkItem(
            str(m.subject or _("(no subject)"))[:80],
            reverse("desk:mail_detail", args=[m.pk]),
            f"{formatting.when(m.received_at)} · {m.from_address}",
            "",
        ),
        title=_("E-mails awaiting triage"),
        empty=_("No e-mail is waiting."),
        more_url=reverse("desk:mail_queue"),
    )
