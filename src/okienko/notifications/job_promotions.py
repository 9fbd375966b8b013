"""A place freed on a training or job fair (issue 19, items 6–7): the notification service's side of
``jobs_events.registration_promoted``.

When a confirmed registration is cancelled, the first person on the waiting list takes the place
(``jobs_events.actions.cancel_registration``, in the same transaction as this event); after the
commit the worker tells that person — and only that person — once (the notification key names the
registration). A job seeker with a portal account is told on the channel of their notification
preference (as every client message: ``service.plan_for`` — "do not inform me" means nothing is
sent, SMS only with the phone and without a refusal, never between 21:00 and 8:00 Europe/Warsaw);
a guest who registered with an e-mail address gets an e-mail. The message names the item, its
date and place, and links to the portal page with the person's registrations (where they can
cancel), or for a guest to the item's page.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.jobs.events import actions as event_actions
from okienko.jobs.events.models import Registration, Training
from okienko.jobs.events.states import ItemStatus, RegistrationStatus
from okienko.notifications.job_alerts import defer_for_quiet_hours
from okienko.notifications.models import Channel, Notification, Preference
from okienko.notifications.models import Event as NotificationEvent
from okienko.notifications.service import Message, Recipient, notify


def context_for(registration: Registration, language: str) -> dict[str, str]:
    item = registration.item
    site = str(settings.SITE_URL).rstrip("/")
    if registration.account_id is not None:
        link = site + reverse("portal:account") + "#registrations"
    else:
        name = "portal:training" if isinstance(item, Training) else "portal:event"
        link = site + reverse(name, args=[item.uuid])
    with translation.override(language):
        kind = str(Training._meta.verbose_name) if isinstance(item, Training) else str(item.get_kind_display())
        place = event_actions.place_text(item)
    return {
        "name": registration.name,
        "item_title": item.title,
        "item_kind": kind[:1].upper() + kind[1:],
        "when": event_actions.when_text(item),
        "place": place,
        "link": link,
        "office": item.office.name,
        "office_phone": item.office.phone,
        "office_email": item.office.email,
    }


def tell(registration: Registration) -> list[Notification]:
    """The one message to the person moved up from the waiting list (nothing when it no longer holds)."""
    item = registration.item
    if registration.status != RegistrationStatus.CONFIRMED or item.status != ItemStatus.PUBLISHED:
        return []
    account = registration.account
    client = account.client if account is not None else None
    preference = Preference.objects.filter(client=client).first() if client is not None else None
    language = (preference.language if preference else "") or "pl"
    email = (account.email if account is not None else "") or registration.email
    recipient = Recipient(
        email=email, phone=registration.phone, name=registration.name, client=client, language=language
    )
    message = Message(
        event=NotificationEvent.JOB_EVENT_PROMOTED,
        organisation=item.office,
        context=context_for(registration, language),
        key=f"job-event-promoted:{registration.pk}",
    )
    created = notify(message, [recipient])
    return [defer_for_quiet_hours(n) if n.channel == Channel.SMS else n for n in created]


@events.subscriber(event_actions.TOPIC_PROMOTED, name="notifications.job_event_promoted")
def on_promoted(event: OutboxEvent) -> None:
    registration = (
        Registration.objects.select_related("account__client", "training__office", "event__office")
        .filter(pk=int(event.payload.get("registration_id") or 0))
        .first()
    )
    if registration is not None:
        tell(registration)
