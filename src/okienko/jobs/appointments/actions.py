"""Booking, cancelling and closing appointments; the reminders' due list (issue 19, item 6).

Every change is one transaction with its audit entry and an outbox event; the notification
service (``notifications.appointments``) sends the confirmation, the office's cancellation
notice and the reminder. Booking is race-safe: the desk's grid steps are inserted as
``DeskHold`` rows under a unique constraint; when another booking took the desk in the
meantime, the next free desk is tried and, when none is left, the booking answers "taken".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import User
from okienko.clients.models import Client
from okienko.core import audit, clock, events
from okienko.core.actors import SCHEDULER, Actor
from okienko.core.clock import WARSAW
from okienko.core.errors import Conflict, InvalidInput
from okienko.jobs.appointments import slots
from okienko.jobs.appointments.models import Appointment, DeskHold, Schedule, Status, VisitType
from okienko.jobs.seekers.models import PortalAccount

TOPIC_BOOKED = "jobs_appointments.booked"
TOPIC_CANCELLED = "jobs_appointments.cancelled"
TOPIC_REMINDER = "jobs_appointments.reminder_due"
MAX_OPEN_PER_CLIENT = 3  # booked, future appointments a job seeker may hold on the portal
REMINDER_FROM = dt.time(16, 0)  # the reminders of tomorrow's visits go out from this hour


class TakenError(Conflict):
    slug = "slot-taken"
    default_message = _("This time has just been taken. Choose another one.")


def _audit(action: str, actor: Actor, appointment: Appointment, **data: Any) -> None:
    audit.record(action, actor=actor, obj=appointment, organisation_id=appointment.office_id, data=data or None)


def schedule_for_client(client: Client) -> Schedule | None:
    """The schedule of the client's own office (or of a unit below it) that takes portal bookings."""
    office = client.home_office
    return (
        Schedule.objects.filter(active=True, portal_booking=True, office__path__startswith=office.path)
        .select_related("office")
        .order_by("office__path")
        .first()
    )


def schedules_for_client(client: Client) -> list[Schedule]:
    office = client.home_office
    return list(
        Schedule.objects.filter(active=True, office__path__startswith=office.path)
        .select_related("office")
        .order_by("office__path")
    )


def book(
    *,
    actor: Actor,
    client: Client,
    visit_type: VisitType,
    starts_at: dt.datetime,
    account: PortalAccount | None = None,
    notes: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Book ``visit_type`` for ``client`` at ``starts_at`` on the first free desk."""
    schedule = visit_type.schedule
    now = now or clock.now()
    if not visit_type.active or not schedule.active:
        raise InvalidInput(_("This kind of visit is not offered."), field="visit_type")
    if not client.home_office.path.startswith(schedule.office.path) and not schedule.office.path.startswith(
        client.home_office.path
    ):
        raise InvalidInput(_("Visits are booked at the client's own office."), field="visit_type")
    if account is not None:
        if not (visit_type.portal and schedule.portal_booking):
            raise InvalidInput(_("This kind of visit is booked by the office only."), field="visit_type")
        open_count = Appointment.objects.filter(client=client, status=Status.BOOKED, starts_at__gt=now).count()
        if open_count >= MAX_OPEN_PER_CLIENT:
            raise InvalidInput(
                _("You already have 3 booked visits. Cancel one before booking another."), field="visit_type"
            )
    slot = slots.slot_at(schedule, visit_type, starts_at, now=now, horizon=account is not None)
    if slot is None:
        raise TakenError()
    ends_at = starts_at + dt.timedelta(minutes=visit_type.minutes)
    for desk in slot.free_desks:
        try:
            with transaction.atomic():
                # The schedule's row is locked while the visit is written, as a change of the hours
                # locks it (``schedules._guarded``): the hours are read again under the lock, so a
                # booking never lands outside hours changed meanwhile (PostgreSQL; SQLite has one writer).
                Schedule.objects.select_for_update().filter(pk=schedule.pk).first()
                fresh = slots.slot_at(schedule, visit_type, starts_at, now=now, horizon=account is not None)
                if fresh is None:
                    raise TakenError()
                if desk not in fresh.free_desks:
                    continue
                appointment = Appointment.objects.create(
                    client=client,
                    office=schedule.office,
                    visit_type=visit_type,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    desk=desk,
                    booked_by=actor if isinstance(actor, User) else None,
                    booked_by_account=account,
                    notes=notes.strip()[:2000],
                    created_at=now,
                )
                DeskHold.objects.bulk_create(
                    DeskHold(appointment=appointment, office_id=schedule.office_id, desk=desk, starts_at=cell)
                    for cell in slots.cells(schedule, starts_at, visit_type.minutes)
                )
                _audit(
                    "jobs_appointments.booked",
                    actor,
                    appointment,
                    client=client.pk,
                    visit_type=visit_type.pk,
                    starts_at=starts_at.isoformat(),
                    desk=desk,
                    portal_account=account.pk if account else None,
                )
                events.emit(
                    TOPIC_BOOKED,
                    obj=appointment,
                    organisation_id=appointment.office_id,
                    payload={"appointment_id": appointment.pk},
                )
        except IntegrityError:
            continue  # the desk was taken meanwhile: try the next one
        return appointment
    raise TakenError()


def may_cancel_online(appointment: Appointment, *, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    limit = dt.timedelta(hours=appointment.visit_type.schedule.cancel_hours)
    return appointment.status == Status.BOOKED and appointment.starts_at - now >= limit


def cancel(
    *,
    actor: Actor,
    appointment: Appointment,
    by_office: bool,
    reason: str = "",
    account: PortalAccount | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Cancel a booked appointment: the client up to ``cancel_hours`` before, the office until it starts."""
    now = now or clock.now()
    if account is not None and appointment.client_id != account.client_id:
        raise InvalidInput(_("No such appointment."))
    if appointment.status != Status.BOOKED:
        raise Conflict(_("Only a booked appointment can be cancelled."))
    if appointment.starts_at <= now:
        raise Conflict(_("The appointment has already started."))
    if not by_office and not may_cancel_online(appointment, now=now):
        hours = appointment.visit_type.schedule.cancel_hours
        raise Conflict(
            _("A visit can be cancelled here until %(hours)s hours before it. Please call the office.")
            % {"hours": hours}
        )
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status != Status.BOOKED:
            raise Conflict(_("Only a booked appointment can be cancelled."))
        locked.status = Status.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by_office = by_office
        locked.cancel_reason = reason.strip()[:300]
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by_office", "cancel_reason"])
        DeskHold.objects.filter(appointment=locked).delete()
        _audit(
            "jobs_appointments.cancelled",
            actor,
            locked,
            by_office=by_office,
            reason=locked.cancel_reason,
            portal_account=account.pk if account else None,
        )
        events.emit(
            TOPIC_CANCELLED,
            obj=locked,
            organisation_id=locked.office_id,
            payload={"appointment_id": locked.pk, "by_office": by_office},
        )
    return locked


def close(*, actor: Actor, appointment: Appointment, status: str, now: dt.datetime | None = None) -> Appointment:
    """Mark a booked appointment attended or not attended (from the day of the visit on)."""
    now = now or clock.now()
    if status not in (Status.ATTENDED, Status.NO_SHOW):
        raise InvalidInput(_("Choose attended or did not come."), field="status")
    if appointment.status not in (Status.BOOKED, Status.ATTENDED, Status.NO_SHOW):
        raise Conflict(_("A cancelled appointment cannot be marked."))
    if appointment.starts_at.astimezone(WARSAW).date() > now.astimezone(WARSAW).date():
        raise Conflict(_("An appointment can be marked on its day or later."))
    with transaction.atomic():
        before = appointment.status
        appointment.status = status
        appointment.save(update_fields=["status"])
        _audit("jobs_appointments.closed", actor, appointment, before=before, status=status)
    return appointment


def remind_due(*, now: dt.datetime | None = None) -> int:
    """Hand tomorrow's booked visits without a reminder to the notification service (once each).

    Runs from 16:00 (Warsaw) on; earlier it does nothing, so the reminder comes the evening before.
    ``reminder_sent_at`` is set in the same transaction as the event: a second run finds nothing."""
    now = now or clock.now()
    local = now.astimezone(WARSAW)
    if local.time() < REMINDER_FROM:
        return 0
    tomorrow = local.date() + dt.timedelta(days=1)
    start = slots.at(tomorrow, dt.time(0, 0))
    end = slots.at(tomorrow + dt.timedelta(days=1), dt.time(0, 0))
    due = Appointment.objects.filter(
        status=Status.BOOKED, reminder_sent_at__isnull=True, starts_at__gte=start, starts_at__lt=end
    ).select_related("visit_type")
    sent = 0
    for appointment in due:
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=appointment.pk, reminder_sent_at__isnull=True, status=Status.BOOKED
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            events.emit(
                TOPIC_REMINDER, organisation_id=appointment.office_id, payload={"appointment_id": appointment.pk}
            )
            _audit("jobs_appointments.reminder_due", SCHEDULER, appointment)
        sent += 1
    return sent


def portal_visit_types(client: Client) -> QuerySet[VisitType]:
    """What a job seeker may book on the portal: the visit types of their own office's schedules."""
    return (
        VisitType.objects.filter(
            active=True,
            portal=True,
            schedule__active=True,
            schedule__portal_booking=True,
            schedule__office__path__startswith=client.home_office.path,
        )
        .select_related("schedule__office")
        .order_by("schedule__office__path", "order", "name")
    )


def staff_visit_types(client: Client, offices: Any) -> QuerySet[VisitType]:
    """What staff may book for ``client``: the visit types of the client's office in their scope."""
    return (
        VisitType.objects.filter(
            active=True,
            schedule__active=True,
            schedule__office__path__startswith=client.home_office.path,
            schedule__office__in=offices,
        )
        .select_related("schedule__office")
        .order_by("schedule__office__path", "order", "name")
    )
