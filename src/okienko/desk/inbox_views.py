"""The 1st line's one inbox: everything that came in and waits for a person, whatever the channel
— e-mail awaiting triage, SMS and letters, faxes and visits not yet turned into a case or answered,
reports from the web and Open311 not yet taken by a unit — oldest first, with its age and, for
cases, the response deadline. Filters per channel and office; each row opens where it is handled
(the e-mail's triage page, the client card or contact, the case)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from okienko.accounts import access as accounts_access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.cases.models import Case
from okienko.cases.workflow import Status
from okienko.channels.models import InboundMessage
from okienko.core import clock
from okienko.core.choices import Channel
from okienko.interactions.models import Interaction

WINDOW = dt.timedelta(days=14)  # contacts older than this are history, not an inbox
LIMIT = 200
PAPER = (Channel.LETTER, Channel.FAX, Channel.COUNTER)


@dataclass(frozen=True)
class Item:
    channel: str
    channel_label: str
    received_at: dt.datetime
    who: str
    what: str
    office: str
    url: str
    handled_by: str = ""
    due: dt.datetime | None = None

    @property
    def age_hours(self) -> int:
        return int((clock.now() - self.received_at).total_seconds() // 3600)

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < clock.now()


def _mail(request: HttpRequest, offices: list[int]) -> list[Item]:
    rows = (
        InboundMessage.objects.visible_to(request.user)
        .awaiting_triage()
        .filter(organisation_id__in=offices)
        .select_related("organisation", "claimed_by", "client")
        .order_by("received_at")[:LIMIT]
    )
    return [
        Item(
            Channel.EMAIL,
            str(Channel.EMAIL.label),
            m.received_at,
            str(m.client) if m.client else (m.from_name or m.from_address),
            m.subject or _("(no subject)"),
            m.organisation.name,
            reverse("desk:mail_detail", args=[m.pk]),
            str(m.claimed_by or ""),
        )
        for m in rows
    ]


def _contacts(request: HttpRequest, offices: list[int], channels: list[str]) -> list[Item]:
    """SMS and paper that came in, became no case and were not marked answered."""
    since = clock.now() - WINDOW
    rows = (
        Interaction.objects.visible_to(request.user)
        .filter(
            organisation_id__in=offices,
            channel__in=channels,
            direction=Interaction.Direction.IN,
            case__isnull=True,
            outcome=Interaction.Outcome.OTHER,
            started_at__gte=since,
        )
        .select_related("organisation", "client")
        .order_by("started_at")[:LIMIT]
    )
    items = []
    for contact in rows:
        url = (
            reverse("clients:card", args=[contact.client.uuid])
            if contact.client
            else reverse("cases:new") + f"?interaction={contact.uuid}"
        )
        items.append(
            Item(
                contact.channel,
                contact.get_channel_display(),
                contact.received_at or contact.started_at,
                str(contact.client) if contact.client else (contact.contact_name or contact.contact_detail),
                (f"{contact.reference_number}: " if contact.reference_number else "") + contact.question,
                contact.organisation.name,
                url,
                str(contact.staff or ""),
            )
        )
    return items


def _reports(request: HttpRequest, offices: list[int]) -> list[Item]:
    """Reports from residents (web, Open311, e-forms) that no unit has taken yet."""
    rows = (
        Case.objects.visible_to(request.user)
        .filter(
            organisation__in=Organisation.objects.filter(pk__in=offices),
            status__in=[Status.NEW, Status.REGISTERED],
            channel__in=[Channel.WEB, Channel.EFORM, Channel.SOCIAL],
        )
        .select_related("organisation", "service", "assigned_to")
        .order_by("created_at")[:LIMIT]
    )
    return [
        Item(
            case.channel,
            case.get_channel_display(),
            case.created_at,
            case.reporter_name or case.number,
            f"{case.number} — {case.service.public_name if case.service_id else ''}",
            case.organisation.name,
            reverse("cases:detail", args=[case.uuid]),
            str(case.assigned_to or ""),
            case.response_due,
        )
        for case in rows
    ]


SOURCES = {
    "email": Channel.EMAIL,
    "sms": Channel.SMS,
    "paper": "paper",
    "web": Channel.WEB,
}


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    if not accounts_access.has_perm_anywhere(request.user, Perm.INTERACTIONS_RECORD):
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)
    mine = accounts_access.organisations_with(request.user, Perm.INTERACTIONS_RECORD).order_by("path")
    offices = list(mine)
    chosen_office = request.GET.get("office", "")
    office_ids = [o.pk for o in offices if not chosen_office or o.code == chosen_office]
    shown = request.GET.get("channel", "")
    shown = shown if shown in SOURCES else ""
    items: list[Item] = []
    if shown in ("", "email"):
        items += _mail(request, office_ids)
    if shown in ("", "sms"):
        items += _contacts(request, office_ids, [Channel.SMS])
    if shown in ("", "paper"):
        items += _contacts(request, office_ids, list(PAPER))
    if shown in ("", "web"):
        items += _reports(request, office_ids)
    items.sort(key=lambda item: item.received_at)
    return render(
        request,
        "desk/inbox.html",
        {
            "items": items[:LIMIT],
            "more": len(items) > LIMIT,
            "offices": offices,
            "chosen_office": chosen_office,
            "shown": shown,
            "channels": [
                ("", _("Everything")),
                ("email", _("E-mail")),
                ("sms", _("SMS")),
                ("paper", _("Letters, faxes and visits")),
                ("web", _("Reports from the web")),
            ],
        },
    )
