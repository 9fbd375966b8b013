"""Job alerts (issue 19, item 6): the notification service's side of ``jobs_alerts.due``.

The job seeker chose the channels of each saved search, so both may be used: the e-mail goes to
the portal account's (or the client's) address with a signed one-click unsubscribe link, the SMS
to the client's mobile number unless the client refused SMS (the keyword STOP/NIE) — and never
between 21:00 and 8:00 Europe/Warsaw: an SMS queued then is due at 8:00. The transport applies
the client's own quiet hours and the per-number limit on top.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from okienko.core import clock, events
from okienko.core.models import OutboxEvent
from okienko.jobs.alerts import actions as alert_actions
from okienko.jobs.alerts.models import Alert, SavedSearch
from okienko.jobs.models import JobOffer
from okienko.jobs.states import OfferStatus
from okienko.notifications.models import Channel, Event, Notification, Preference
from okienko.notifications.service import (
    CONSENT_FOR_CHANNEL,
    Message,
    Recipient,
    direct,
    latest_consent,
    notify,
    primary_contact,
)

MAX_LINES = 50


def _offer_url(offer: JobOffer) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("portal:job_offer", args=[offer.uuid])


def context_for(search: SavedSearch, offers: list[JobOffer], *, digest: bool) -> dict[str, str]:
    site = str(settings.SITE_URL).rstrip("/")
    lines = [f"- {o.title} — {o.place_locality} ({o.employer.name}): {_offer_url(o)}" for o in offers[:MAX_LINES]]
    first = offers[0]
    short = f"{first.title[:60]}, {first.place_locality[:30]}"
    if len(offers) > 1:
        short = f"{len(offers)} ofert, m.in. {short}"
    return {
        "search_name": search.name,
        "offers": "\n".join(lines),
        "offers_short": short,
        "link": _offer_url(first) if len(offers) == 1 else site + reverse("portal:alerts"),
        "unsubscribe_link": site + reverse("portal:alerts_unsubscribe", args=[alert_actions.unsubscribe_token(search)]),
        "office": search.office.name,
        "digest": "1" if digest else "",
        "name": search.client.display_name,
    }


def defer_for_quiet_hours(notification: Notification) -> Notification:
    local = timezone.localtime(clock.now())
    allowed = alert_actions.sms_allowed_at(local)
    if allowed > local:
        notification.available_at = allowed
        notification.status_reason = "quiet hours 21:00-8:00"
        notification.save(update_fields=["available_at", "status_reason"])
    return notification


@events.subscriber(alert_actions.TOPIC_DUE, name="notifications.job_alerts")
def on_alerts_due(event: OutboxEvent) -> None:
    """One message (e-mail and/or SMS) per saved search named in the event: ``due`` lists
    ``[search id, [alert ids]]`` pairs; an older event names one ``search_id``. Each message's
    key names the event and the search, so a retried delivery sends nothing twice."""
    digest = bool(event.payload.get("digest"))
    pairs = event.payload.get("due")
    if pairs is None:
        pairs = [[event.payload.get("search_id"), event.payload.get("alert_ids") or []]]
    for search_id, alert_ids in pairs:
        _send(event, int(search_id or 0), [int(i) for i in alert_ids or []], digest=digest)


def _send(event: OutboxEvent, search_id: int, ids: list[int], *, digest: bool) -> None:
    search = SavedSearch.objects.select_related("client", "office", "account").filter(pk=search_id, active=True).first()
    if search is None:
        return
    alerts = list(
        Alert.objects.filter(pk__in=ids, search=search, sent_at__isnull=True)
        .select_related("offer", "offer__employer")
        .order_by("pk")
    )
    offers = [a.offer for a in alerts if a.offer.status == OfferStatus.PUBLISHED]
    if not offers:
        alert_actions.mark_sent(a.pk for a in alerts)
        return
    context = context_for(search, offers, digest=digest)
    client = search.client
    key = f"job-alert:{event.id}" if "search_id" in event.payload else f"job-alert:{event.id}:{search.pk}"
    message = Message(event=Event.JOB_ALERT, organisation=search.office, context=context, key=key)
    if search.by_email:
        address = search.account.email or primary_contact(client, "email")
        preference = Preference.objects.filter(client=client).first()
        if address:
            notify(
                message,
                [
                    Recipient(
                        email=address, name=client.display_name, language=preference.language if preference else "pl"
                    )
                ],
            )
    if search.by_sms and latest_consent(client, CONSENT_FOR_CHANNEL[Channel.SMS]) is not False:
        phone = primary_contact(client, "phone")
        if phone:
            sent = direct(Event.JOB_ALERT, search.office, phone, context, key=key, client=client)
            if sent is not None:
                defer_for_quiet_hours(sent)
    alert_actions.mark_sent(a.pk for a in alerts)
