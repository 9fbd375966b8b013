"""Announcements of trainings and job fairs (issue 19, items 6–7): the notification service's
side of ``jobs_events.announcements_due``.

Delivered exactly as job alerts are: a job seeker found through a saved search gets the channels
chosen for that search; one found through the CV gets the channel of the notification preference
(e-mail when none is set, nothing for "do not inform me"). The e-mail carries a signed one-click
link that stops these announcements; an SMS is sent only while the client has not refused SMS
(the keyword STOP/NIE), never between 21:00 and 8:00 Europe/Warsaw (queued for 8:00), with the
transport's per-client quiet hours on top. Each announcement is sent once (its notification key).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from okienko.core import events
from okienko.core.models import OutboxEvent
from okienko.jobs.events import actions as event_actions
from okienko.jobs.events.models import Announcement, Event, Training
from okienko.jobs.events.states import ItemStatus
from okienko.notifications.job_alerts import defer_for_quiet_hours
from okienko.notifications.models import Channel, Preference
from okienko.notifications.models import Event as NotificationEvent
from okienko.notifications.service import (
    CONSENT_FOR_CHANNEL,
    Message,
    Recipient,
    direct,
    latest_consent,
    notify,
    primary_contact,
)


def context_for(announcement: Announcement, item: Training | Event, language: str) -> dict[str, str]:
    site = str(settings.SITE_URL).rstrip("/")
    name = "portal:training" if isinstance(item, Training) else "portal:event"
    with translation.override(language):
        kind = str(Training._meta.verbose_name).capitalize() if isinstance(item, Training) else item.get_kind_display()
        kind = kind[:1].upper() + kind[1:]
        place = event_actions.place_text(item)
    return {
        "name": announcement.client.display_name,
        "item_title": item.title,
        "item_kind": kind,
        "when": event_actions.when_text(item),
        "place": place,
        "link": site + reverse(name, args=[item.uuid]),
        "unsubscribe_link": site
        + reverse("portal:events_unsubscribe", args=[event_actions.opt_out_token(announcement.client)]),
        "office": item.office.name,
    }


def _channels(announcement: Announcement, preference: Preference | None) -> tuple[bool, bool]:
    if announcement.reason == "search":
        return announcement.by_email, announcement.by_sms
    if preference is None or preference.channel == Preference.Choice.EMAIL:
        return True, False
    return False, preference.channel == Preference.Choice.SMS


def deliver(announcement: Announcement) -> None:
    item = announcement.training or announcement.event
    if item is None or item.status != ItemStatus.PUBLISHED:
        return
    client = announcement.client
    preference = Preference.objects.filter(client=client).first()
    language = preference.language if preference else "pl"
    by_email, by_sms = _channels(announcement, preference)
    context = context_for(announcement, item, language)
    key = f"job-announcement:{announcement.pk}"
    if by_email and latest_consent(client, CONSENT_FOR_CHANNEL[Channel.EMAIL]) is not False:
        address = (announcement.account.email if announcement.account else "") or primary_contact(client, "email")
        if address:
            message = Message(
                event=NotificationEvent.JOB_ANNOUNCEMENT, organisation=item.office, context=context, key=key
            )
            notify(message, [Recipient(email=address, name=client.display_name, language=language)])
    if by_sms and latest_consent(client, CONSENT_FOR_CHANNEL[Channel.SMS]) is not False:
        phone = primary_contact(client, "phone")
        if phone:
            sent = direct(NotificationEvent.JOB_ANNOUNCEMENT, item.office, phone, context, key=key, client=client)
            if sent is not None:
                defer_for_quiet_hours(sent)


@events.subscriber(event_actions.TOPIC_DUE, name="notifications.job_announcements")
def on_announcements_due(event: OutboxEvent) -> None:
    ids = [int(i) for i in event.payload.get("announcement_ids") or []]
    rows = (
        Announcement.objects.filter(pk__in=ids, sent_at__isnull=True)
        .select_related("client", "account", "training__office", "event__office")
        .order_by("pk")
    )
    for announcement in rows:
        deliver(announcement)
        event_actions.mark_sent([announcement.pk])
