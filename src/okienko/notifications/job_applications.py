"""A new application for an employer's job offer (issue 19, items 1 and 4): the notification
service's side of ``jobs.application_sent``.

After the commit the worker tells every active member of the offer's employer whose portal account
has a verified e-mail address — the employer's team (``jobs.team``) — once per application (the
key names it). The message names the offer's position and links to the application on the portal
(``/konto/zgloszenia/<uuid>/``, which asks to sign in); it never carries the candidate's name,
contact details, CV or letter: opening the application is what is logged as an access to personal
data. A withdrawn application by the time the event is delivered is not announced.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.jobs.models import EmployerMembership
from okienko.jobs.seekers.models import Application, PortalAccount
from okienko.notifications.models import Event
from okienko.notifications.service import Message, Recipient, notify


def recipients(employer_id: int) -> list[Recipient]:
    """The employer's active members with a verified portal e-mail address, in joining order."""
    users = EmployerMembership.objects.filter(employer_id=employer_id, active=True).values_list("user_id", flat=True)
    accounts = (
        PortalAccount.objects.filter(
            user_id__in=list(users),
            user__is_active=True,
            kind=PortalAccount.Kind.EMPLOYER,
            email_verified_at__isnull=False,
        )
        .exclude(email__isnull=True)
        .exclude(email="")
        .order_by("pk")
    )
    return [Recipient(email=str(account.email), language="pl") for account in accounts]


@events.subscriber("jobs.application_sent", name="notifications.job_application")
def on_application_sent(event: OutboxEvent) -> None:
    application = (
        Application.objects.select_related("offer", "offer__employer", "offer__office")
        .filter(pk=int(event.payload.get("application") or 0))
        .first()
    )
    if application is None or application.status == Application.Status.WITHDRAWN:
        return
    offer = application.offer
    found = recipients(offer.employer_id)
    if not found:
        return
    link = str(settings.SITE_URL).rstrip("/") + reverse("portal:employer_application", args=[application.uuid])
    notify(
        Message(
            event=Event.JOB_APPLICATION,
            organisation=offer.office,
            context={"offer_title": offer.title, "link": link, "office": offer.office.name},
            key=f"job-application:{application.pk}",
        ),
        found,
    )
