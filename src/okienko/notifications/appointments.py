"""Appointments at the office (issue 19, item 6): the notification service's side of the
``jobs_appointments.*`` events — the confirmation of a booking, the reminder the day before and
the notice when the office cancels.

One message per appointment and event: by SMS to the client's phone unless the client refused
SMS (the keyword STOP/NIE withdraws the consent) — never between 21:00 and 8:00 Europe/Warsaw (a
message queued then is due at 8:00); without a phone or with SMS refused, by e-mail to the portal
account's or the client's address. A client who asked not to be informed gets nothing. The keys
(``appointment-<event>:<id>``) make a repeated delivery queue nothing new.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from okienko.accounts.models import Location
from okienko.core import clock, events
from okienko.core.clock import WARSAW
from okienko.core.models import OutboxEvent
from okienko.jobs.appointments import actions as appointment_actions
from okienko.jobs.appointments import texts
from okienko.jobs.appointments.models import Appointment, Status
from okienko.notifications.job_alerts import defer_for_quiet_hours
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


def address_of(appointment: Appointment) -> str:
    schedule = appointment.visit_type.schedule
    location = schedule.location or (
        Location.objects.filter(organisation=appointment.office).order_by("-is_main", "pk").first()
    )
    office = str(appointment.office)
    if location is None:
        return office
    return f"{office}, {location.street}, {location.postal_code} {location.city}"


def context_for(appointment: Appointment, language: str = "pl") -> dict[str, str]:
    site = str(settings.SITE_URL).rstrip("/")
    link = site + reverse("portal:appointments")
    office = appointment.office
    today = clock.now().astimezone(WARSAW).date()
    phone = office.phone
    hours = appointment.visit_type.schedule.cancel_hours
    if language == "en":
        cancel = f"To cancel: {link}" + (f" or phone {phone}" if phone else "") + f" (online until {hours} h before)."
    else:
        cancel = (
            f"Odwołanie: {link}" + (f" lub tel. {phone}" if phone else "") + f" (na portalu do {hours} godz. przed)."
        )
    return {
        "name": appointment.client.display_name,
        "visit": appointment.visit_type.name,
        "when": texts.spoken_when(appointment.starts_at, today=today, language=language),
        "address": address_of(appointment),
        "cancel_info": cancel,
        "reason": appointment.cancel_reason,
        "link": link,
        "office": str(office),
        "office_phone": phone,
        "office_email": office.email,
    }


def tell(appointment: Appointment, event: str, key: str) -> Notification | None:
    """The one message about ``appointment``: SMS when allowed, else e-mail."""
    client = appointment.client
    preference = Preference.objects.filter(client=client).first()
    if preference is not None and preference.channel == Preference.Choice.NONE:
        return None
    language = (preference.language if preference else "") or "pl"
    phone = primary_contact(client, "phone")
    if phone and latest_consent(client, CONSENT_FOR_CHANNEL[Channel.SMS]) is not False:
        sent = direct(event, appointment.office, phone, context_for(appointment, "pl"), key=key, client=client)
        if sent is not None:
            return defer_for_quiet_hours(sent)
        return None
    account = appointment.booked_by_account
    address = (account.email if account is not None and account.email else "") or primary_contact(client, "email")
    if not address:
        return None
    created = notify(
        Message(event=event, organisation=appointment.office, context=context_for(appointment, language), key=key),
        [Recipient(email=address, name=client.display_name, language=language)],
    )
    return created[0] if created else None


def _appointment(event: OutboxEvent) -> Appointment | None:
    return (
        Appointment.objects.select_related("client", "office", "visit_type__schedule__location", "booked_by_account")
        .filter(pk=int(event.payload.get("appointment_id") or 0))
        .first()
    )


@events.subscriber(appointment_actions.TOPIC_BOOKED, name="notifications.appointment_booked")
def on_booked(event: OutboxEvent) -> None:
    appointment = _appointment(event)
    if appointment is None or appointment.status != Status.BOOKED or appointment.starts_at <= clock.now():
        return
    tell(appointment, Event.APPOINTMENT_BOOKED, f"appointment-booked:{appointment.pk}")


@events.subscriber(appointment_actions.TOPIC_REMINDER, name="notifications.appointment_reminder")
def on_reminder_due(event: OutboxEvent) -> None:
    appointment = _appointment(event)
    if appointment is None or appointment.status != Status.BOOKED or appointment.starts_at <= clock.now():
        return
    tell(appointment, Event.APPOINTMENT_REMINDER, f"appointment-reminder:{appointment.pk}")


@events.subscriber(appointment_actions.TOPIC_CANCELLED, name="notifications.appointment_cancelled")
def on_cancelled(event: OutboxEvent) -> None:
    appointment = _appointment(event)
    if appointment is None or not event.payload.get("by_office"):
        return
    tell(appointment, Event.APPOINTMENT_CANCELLED, f"appointment-cancelled:{appointment.pk}")
