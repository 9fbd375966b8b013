"""What the notification service shows on desk screens (``core.panels``): the messages sent about
a case beside it, and a client's messages on the client card, each with its delivery status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from okienko.core import panels
from okienko.notifications.models import Notification, Preference, SurveyResponse

LIMIT = 20


def case_messages(request: HttpRequest, case: Any) -> Mapping[str, Any] | None:
    """Beside a case (the viewer already may see it): what the client was sent and how it went."""
    sent = list(Notification.objects.for_case(case).defer("body_html")[:LIMIT])
    survey = SurveyResponse.objects.filter(case=case).first()
    if not sent and survey is None:
        return None
    return {"notifications": sent, "survey": survey, "case": case}


def client_messages(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    """On the client card (the viewer may see the client): messages sent to them, newest first,
    only about cases of offices the viewer may see."""
    from okienko.cases.models import Case

    visible = Case.objects.visible_to(request.user).filter(client=client).values("pk")
    sent = list(
        Notification.objects.filter(client=client, case__in=visible).select_related("case").defer("body_html")[:LIMIT]
    )
    return {"notifications": sent} if sent else None


def how_told(request: HttpRequest, case: Any) -> Mapping[str, Any] | None:
    """Beside a case: on which channel and address each recipient hears about it, and, when that
    is SMS, a live count of the reply's segments (the reply box's text) before it is sent."""
    from okienko.notifications.service import plan_for
    from okienko.notifications.subscribers import case_recipients

    plans = [(recipient, plan_for(recipient)) for recipient in case_recipients(case)]
    if not plans:
        return None
    sms = any(plan.channel == "sms" and not plan.suppressed for _recipient, plan in plans)
    return {"plans": plans, "sms": sms, "case": case}


def preference(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    """How the client wants to be told, editable by staff who may edit the client."""
    from okienko.accounts import access
    from okienko.accounts.roles import Perm
    from okienko.notifications.views import PreferenceForm

    current = Preference.objects.filter(client=client).first()
    editable = access.has_perm_in(request.user, Perm.CLIENTS_EDIT, client.home_office)
    return {"client": client, "preference": current, "form": PreferenceForm(instance=current), "editable": editable}


def register() -> None:
    panels.register(
        panels.Panel(
            panels.CASE_SIDE, "notifications.case", "notifications/panels/case_messages.html", case_messages, order=60
        )
    )
    panels.register(
        panels.Panel(
            panels.CASE_SIDE, "notifications.how_told", "notifications/panels/how_told.html", how_told, order=55
        )
    )
    panels.register(
        panels.Panel(
            panels.CLIENT_CARD_TOOLS,
            "notifications.preference",
            "notifications/panels/preference.html",
            preference,
            order=60,
        )
    )
    panels.register(
        panels.Panel(
            panels.CLIENT_CARD,
            "notifications.client",
            "notifications/panels/client_messages.html",
            client_messages,
            order=60,
        )
    )
