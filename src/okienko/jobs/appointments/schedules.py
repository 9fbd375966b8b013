"""Keeping an office's appointment schedule on the desk (issue 19, item 6): the schedule's settings,
the weekly hours, the days that differ (closed or other hours), the visit types and switching the
schedule off.

Booked visits are never broken. Every change that could leave a booked future visit outside the
hours is made in one transaction that first notes which booked future visits lie outside the
hours (or beyond the desks) already, makes the change, and looks again: when the change adds any,
it is refused and rolled back with the number of visits and the first dates, so that staff cancel
or move those visits (the day view tells each client) before changing the hours. The grid of the
slots cannot change while booked future visits exist (their taken desks lie on the old grid), nor
can a schedule with booked future visits be switched off.

Every change is audited (``jobs_appointments.schedule_*``) with what changed; the actor must
manage schedules in the office (``access.may_manage``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from okienko.accounts.models import Location, Organisation
from okienko.core import audit, clock
from okienko.core.actors import Actor
from okienko.core.clock import WARSAW
from okienko.core.errors import Conflict, Forbidden, InvalidInput
from okienko.jobs.appointments import access, slots
from okienko.jobs.appointments.models import (
    Appointment,
    Schedule,
    ScheduleException,
    Status,
    VisitType,
    WeeklyHours,
)

MAX_RANGES_PER_DAY = 6
SHOWN_DATES = 5
SETTINGS_FIELDS = ("name", "location", "slot_minutes", "horizon_days", "cancel_hours", "portal_booking")
VISIT_TYPE_FIELDS = ("name", "minutes", "description", "portal", "active", "order")


@dataclass(frozen=True)
class Range:
    """Hours of one weekday (or of one different day) with the desks working in parallel."""

    opens: dt.time
    closes: dt.time
    desks: int = 1

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}" + (f" x{self.desks}" if self.desks != 1 else "")


class StrandedError(Conflict):
    """The change would leave booked visits outside the hours."""

    slug = "booked-visits-outside-hours"

    def __init__(self, appointments: Sequence[Appointment], *, switching_off: bool = False) -> None:
        count = len(appointments)
        dates = ", ".join(a.starts_at.astimezone(WARSAW).strftime("%Y-%m-%d %H:%M") for a in appointments[:SHOWN_DATES])
        more = "…" if count > SHOWN_DATES else ""
        message = (
            ngettext(
                "Not switched off: %(count)d visit is booked ahead (%(dates)s). Cancel it in the day view first"
                " (the client is told).",
                "Not switched off: %(count)d visits are booked ahead (%(dates)s). Cancel them in the day view first"
                " (each client is told).",
                count,
            )
            if switching_off
            else ngettext(
                "Not saved: %(count)d booked visit (%(dates)s) would be outside the hours. Cancel or move it"
                " in the day view first (the client is told), then change the hours.",
                "Not saved: %(count)d booked visits (%(dates)s) would be outside the hours. Cancel or move them"
                " in the day view first (each client is told), then change the hours.",
                count,
            )
            % {"count": count, "dates": dates + more}
        )
        super().__init__(message, count=count)
        self.count = count


# --- checks --------------------------------------------------------------------------------------


def _require(actor: Actor, office: Organisation) -> None:
    if not access.may_manage(actor, office):
        raise Forbidden(_("You may not change the appointment schedules of this office."))


def validate_ranges(ranges: Iterable[Range], *, field: str = "hours") -> list[Range]:
    """Sorted ranges, each starting before it ends, none overlapping another, 1–50 desks."""
    result = sorted(ranges, key=lambda r: (r.opens, r.closes))
    if len(result) > MAX_RANGES_PER_DAY:
        raise InvalidInput(_("At most 6 ranges of hours a day."), field=field)
    for r in result:
        if r.opens >= r.closes:
            raise InvalidInput(
                _("%(range)s: the start must be before the end.") % {"range": f"{r.opens:%H:%M}-{r.closes:%H:%M}"},
                field=field,
            )
        if not 1 <= r.desks <= 50:
            raise InvalidInput(_("Desks in parallel: from 1 to 50."), field=field)
    for earlier, later in itertools.pairwise(result):
        if later.opens < earlier.closes:
            raise InvalidInput(
                _("%(first)s and %(second)s overlap.") % {"first": str(earlier), "second": str(later)}, field=field
            )
    return result


def _booked_future(schedule: Schedule, now: dt.datetime) -> list[Appointment]:
    return list(
        Appointment.objects.filter(office_id=schedule.office_id, status=Status.BOOKED, starts_at__gte=now).order_by(
            "starts_at", "desk"
        )
    )


def _outside(schedule: Schedule, booked: Sequence[Appointment]) -> set[int]:
    """The booked visits not inside the hours of their day (or on a desk beyond those working)."""
    hours: dict[dt.date, list[slots.Interval]] = {}
    found = set()
    for appointment in booked:
        day = appointment.starts_at.astimezone(WARSAW).date()
        if day not in hours:
            hours[day] = slots.hours_of(schedule, day)
        inside = any(
            slots.at(day, i.opens) <= appointment.starts_at
            and appointment.ends_at <= slots.at(day, i.closes)
            and appointment.desk <= i.desks
            for i in hours[day]
        )
        if not inside:
            found.add(appointment.pk)
    return found


def _guarded(schedule: Schedule, change: Callable[[], None], *, now: dt.datetime | None = None) -> None:
    """Run ``change`` (inside the caller's transaction) and refuse it when it strands booked visits."""
    now = now or clock.now()
    Schedule.objects.select_for_update().filter(pk=schedule.pk).first()
    booked = _booked_future(schedule, now)
    before = _outside(schedule, booked)
    change()
    stranded = [a for a in booked if a.pk in _outside(schedule, booked) - before]
    if stranded:
        raise StrandedError(stranded)


def _audit(action: str, actor: Actor, schedule: Schedule, **data: Any) -> None:
    audit.record(
        f"jobs_appointments.schedule_{action}",
        actor=actor,
        obj=schedule,
        organisation_id=schedule.office_id,
        data=data or None,
    )


def _check_settings(office: Organisation, values: Mapping[str, Any]) -> dict[str, Any]:
    clean = {k: values[k] for k in SETTINGS_FIELDS if k in values}
    if "name" in clean:
        clean["name"] = " ".join(str(clean["name"] or "").split())[:120]
    location = clean.get("location")
    if location is not None and (not isinstance(location, Location) or location.organisation_id != office.pk):
        raise InvalidInput(_("Choose one of the office's addresses."), field="location")
    minutes = clean.get("slot_minutes")
    if minutes is not None and not (5 <= int(minutes) <= 240):
        raise InvalidInput(_("The slot length is from 5 to 240 minutes."), field="slot_minutes")
    horizon = clean.get("horizon_days")
    if horizon is not None and not (1 <= int(horizon) <= 180):
        raise InvalidInput(_("Booking ahead: from 1 to 180 days."), field="horizon_days")
    cancel = clean.get("cancel_hours")
    if cancel is not None and not (0 <= int(cancel) <= 240):
        raise InvalidInput(_("Cancelling online: from 0 to 240 hours before."), field="cancel_hours")
    return clean


def _value(value: Any) -> Any:
    if isinstance(value, Location):
        return value.pk
    if isinstance(value, dt.time | dt.date):
        return value.isoformat()
    return value


# --- the schedule --------------------------------------------------------------------------------


def create_schedule(*, actor: Actor, office: Organisation, values: Mapping[str, Any]) -> Schedule:
    """A new schedule of ``office`` (one per office), without hours yet (closed until they are set)."""
    _require(actor, office)
    clean = _check_settings(office, values)
    try:
        with transaction.atomic():
            schedule = Schedule.objects.create(office=office, **clean)
            _audit("created", actor, schedule, **{k: _value(v) for k, v in clean.items()})
    except IntegrityError as exc:
        raise Conflict(_("This office already has a schedule."), field="office") from exc
    return schedule


def update_schedule(
    *, actor: Actor, schedule: Schedule, values: Mapping[str, Any], now: dt.datetime | None = None
) -> Schedule:
    _require(actor, schedule.office)
    clean = _check_settings(schedule.office, values)
    now = now or clock.now()
    changes = {k: [_value(getattr(schedule, k)), _value(v)] for k, v in clean.items() if getattr(schedule, k) != v}
    if not changes:
        return schedule
    with transaction.atomic():
        locked = Schedule.objects.select_for_update().get(pk=schedule.pk)
        if "slot_minutes" in changes:
            booked = len(_booked_future(locked, now))
            if booked:
                raise Conflict(
                    ngettext(
                        "The slot length cannot change while %(count)d visit is booked ahead"
                        " (its time lies on the present grid).",
                        "The slot length cannot change while %(count)d visits are booked ahead"
                        " (their times lie on the present grid).",
                        booked,
                    )
                    % {"count": booked},
                    field="slot_minutes",
                )
            odd = [
                str(v)
                for v in locked.visit_types.filter(active=True)
                if v.minutes % int(clean["slot_minutes"])  # visit types keep whole slots
            ]
            if odd:
                raise InvalidInput(
                    _("The visit types %(names)s would not last a whole number of slots.") % {"names": ", ".join(odd)},
                    field="slot_minutes",
                )
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.save(update_fields=list(clean))
        _audit("changed", actor, locked, changes=changes)
    return locked


def set_active(*, actor: Actor, schedule: Schedule, active: bool, now: dt.datetime | None = None) -> Schedule:
    """Switch the schedule off (refused while visits are booked ahead) or on again."""
    _require(actor, schedule.office)
    now = now or clock.now()
    with transaction.atomic():
        locked = Schedule.objects.select_for_update().get(pk=schedule.pk)
        if locked.active == active:
            return locked
        if not active:
            booked = _booked_future(locked, now)
            if booked:
                raise StrandedError(booked, switching_off=True)
        locked.active = active
        locked.save(update_fields=["active"])
        _audit("activated" if active else "deactivated", actor, locked)
    return locked


# --- weekly hours --------------------------------------------------------------------------------


def set_weekly_hours(
    *, actor: Actor, schedule: Schedule, week: Mapping[int, Iterable[Range]], now: dt.datetime | None = None
) -> Schedule:
    """Replace the hours of the weekdays in ``week`` (a weekday left out keeps its hours)."""
    _require(actor, schedule.office)
    checked: dict[int, list[Range]] = {}
    for weekday, ranges in week.items():
        if weekday not in range(7):
            raise InvalidInput(_("Unknown weekday."), field="hours")
        checked[weekday] = validate_ranges(ranges, field=f"day_{weekday}")
    before = {w: [str(Range(h.opens, h.closes, h.desks)) for h in schedule.hours.filter(weekday=w)] for w in checked}
    after = {w: [str(r) for r in ranges] for w, ranges in checked.items()}
    if before == after:
        return schedule

    def change() -> None:
        WeeklyHours.objects.filter(schedule=schedule, weekday__in=list(checked)).delete()
        WeeklyHours.objects.bulk_create(
            WeeklyHours(schedule=schedule, weekday=w, opens=r.opens, closes=r.closes, desks=r.desks)
            for w, ranges in checked.items()
            for r in ranges
        )

    with transaction.atomic():
        _guarded(schedule, change, now=now)
        changed = {str(w): [before[w], after[w]] for w in checked if before[w] != after[w]}
        _audit("hours_changed", actor, schedule, changes=changed)
    return schedule


# --- days that differ ----------------------------------------------------------------------------


def save_exception(
    *,
    actor: Actor,
    schedule: Schedule,
    day: dt.date,
    closed: bool,
    hours: Range | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> ScheduleException:
    """Close ``day`` or give it other hours (replacing what was set for that day before)."""
    _require(actor, schedule.office)
    now = now or clock.now()
    if day < now.astimezone(WARSAW).date():
        raise InvalidInput(_("The day has passed."), field="day")
    if not closed:
        if hours is None:
            raise InvalidInput(_("Give the hours of the day, or mark it closed."), field="opens")
        hours = validate_ranges([hours], field="opens")[0]
    reason = " ".join(reason.split())[:200]
    saved: list[ScheduleException] = []

    def change() -> None:
        found, _created = ScheduleException.objects.update_or_create(
            schedule=schedule,
            day=day,
            defaults={
                "closed": closed,
                "opens": None if closed or hours is None else hours.opens,
                "closes": None if closed or hours is None else hours.closes,
                "desks": 1 if closed or hours is None else hours.desks,
                "reason": reason,
            },
        )
        saved.append(found)

    with transaction.atomic():
        _guarded(schedule, change, now=now)
        _audit(
            "day_set",
            actor,
            schedule,
            day=day.isoformat(),
            closed=closed,
            hours=None if closed or hours is None else str(hours),
            reason=reason,
        )
    return saved[0]


def delete_exception(*, actor: Actor, exception: ScheduleException, now: dt.datetime | None = None) -> None:
    """The day follows the week again (refused when that strands booked visits)."""
    schedule = exception.schedule
    _require(actor, schedule.office)

    def change() -> None:
        ScheduleException.objects.filter(pk=exception.pk).delete()

    with transaction.atomic():
        _guarded(schedule, change, now=now)
        _audit("day_removed", actor, schedule, day=exception.day.isoformat())


# --- visit types ---------------------------------------------------------------------------------


def save_visit_type(
    *, actor: Actor, schedule: Schedule, values: Mapping[str, Any], visit_type: VisitType | None = None
) -> VisitType:
    """Add a visit type or change one. Visits already booked keep their time and length."""
    _require(actor, schedule.office)
    if visit_type is not None and visit_type.schedule_id != schedule.pk:
        raise InvalidInput(_("No such visit type."))
    clean = {k: values[k] for k in VISIT_TYPE_FIELDS if k in values}
    name = " ".join(str(clean.get("name", visit_type.name if visit_type else "")).split())[:120]
    if not name:
        raise InvalidInput(_("Give the name of the visit type."), field="name")
    clean["name"] = name
    minutes = int(clean.get("minutes", visit_type.minutes if visit_type else 30))
    if not 5 <= minutes <= 480:
        raise InvalidInput(_("A visit lasts from 5 to 480 minutes."), field="minutes")
    if minutes % schedule.slot_minutes:
        raise InvalidInput(
            _("The length must be a multiple of the slot length (%(slot)s min).") % {"slot": schedule.slot_minutes},
            field="minutes",
        )
    with transaction.atomic():
        if visit_type is None:
            visit_type = VisitType.objects.create(schedule=schedule, **clean)
            _audit("visit_type_added", actor, schedule, visit_type=visit_type.pk, **clean)
        else:
            changes = {k: [getattr(visit_type, k), v] for k, v in clean.items() if getattr(visit_type, k) != v}
            if changes:
                for key, value in clean.items():
                    setattr(visit_type, key, value)
                visit_type.save(update_fields=list(clean))
                _audit("visit_type_changed", actor, schedule, visit_type=visit_type.pk, changes=changes)
    return visit_type
