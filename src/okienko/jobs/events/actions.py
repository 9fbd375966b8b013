"""Actions on trainings, events, registrations and announcements (issue 19, items 6–7). Each
runs in one transaction and audits the change (``jobs_events.*``).

Lifecycle of an item: draft → published → cancelled | archived (a draft may be cancelled too).
Publishing emits ``jobs_events.published`` (ids only); its outbox subscriber (``subscribers.py``,
run by the worker) finds the matching job seekers (``announce``) and stores one ``Announcement``
per client and item, never a second one, then emits ``jobs_events.announcements_due`` that the
notification service delivers by e-mail and SMS (``notifications.job_announcements``: the same
consents, quiet hours and unsubscribe as job alerts).

Places: ``register`` takes a place with one conditional ``UPDATE … SET taken = taken + 1 WHERE
taken < capacity``; whoever's update changes no row is put on the waiting list (or refused when
the item keeps none). Cancelling a confirmed registration frees the place for the first person
waiting, who is told by e-mail or SMS (``jobs_events.registration_promoted``, delivered by
``notifications.job_promotions`` after commit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Organisation
from okienko.clients.models import Client
from okienko.core import audit, clock, events
from okienko.core.actors import Actor, SystemActor
from okienko.core.errors import Conflict, InvalidInput, TransitionNotAllowed
from okienko.jobs import content, search
from okienko.jobs.alerts.models import SavedSearch
from okienko.jobs.events.models import (
    Announcement,
    AnnouncementOptOut,
    Event,
    Registration,
    Training,
)
from okienko.jobs.events.states import ItemStatus, RegistrationStatus, may_move
from okienko.jobs.seekers.models import CV, CVArea, CVOccupation, PortalAccount

PORTAL = SystemActor("portal")
ANNOUNCER = SystemActor("jobs_events")
TOPIC_PUBLISHED = "jobs_events.published"
TOPIC_DUE = "jobs_events.announcements_due"
TOPIC_PROMOTED = "jobs_events.registration_promoted"
OPT_OUT_SALT = "okienko.jobs.events.opt_out"
BATCH = 200
MAX_OCCUPATIONS = 10

TRAINING_FIELDS = (
    "title",
    "description",
    "provider",
    "start_date",
    "end_date",
    "hours",
    "online",
    "place_locality",
    "place_teryt",
    "cost",
    "funding",
    "occupations",
    "capacity",
    "waiting_list",
    "registration_open",
    "registration_deadline",
)
EVENT_FIELDS = (
    "title",
    "description",
    "kind",
    "starts_at",
    "ends_at",
    "online",
    "address",
    "place_teryt",
    "online_link",
    "occupations",
    "capacity",
    "waiting_list",
    "registration_open",
)

Item = Training | Event


def _kind(item: Item) -> str:
    return "training" if isinstance(item, Training) else "event"


def _audit(action: str, item: Item, *, actor: Actor, **data: Any) -> None:
    audit.record(
        f"jobs_events.{_kind(item)}_{action}",
        actor=actor,
        obj=item,
        organisation_id=item.office_id,
        data=data or None,
    )


def _check_office(office: Organisation) -> None:
    if office.kind not in (Organisation.Kind.REGION_OFFICE, Organisation.Kind.COUNTY_OFFICE):
        raise InvalidInput(_("Only a regional or county labour office organises trainings and events."))


def clean_occupations(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace(";", ",").replace(" ", ",").split(",")
    codes = list(dict.fromkeys(str(v).strip() for v in (value or []) if str(v).strip()))
    if len(codes) > MAX_OCCUPATIONS:
        raise InvalidInput(_("Name at most 10 occupations."), field="occupations")
    names = search.occupation_names()
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise InvalidInput(
            _("No such occupation in the KZiS 2023: %(codes)s.") % {"codes": ", ".join(unknown[:5])},
            field="occupations",
        )
    return codes


def _clean(values: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    cleaned = dict(values)
    if "description" in cleaned:
        cleaned["description"] = content.sanitise(str(cleaned["description"] or ""))
    if "occupations" in cleaned:
        cleaned["occupations"] = clean_occupations(cleaned["occupations"])
    for name in ("title", "provider", "place_locality", "address", "online_link"):
        if name in cleaned:
            cleaned[name] = " ".join(str(cleaned[name] or "").split())
    return cleaned


def _validate(item: Item) -> None:
    try:
        item.full_clean(exclude=["office"])
    except ValidationError as exc:
        raise InvalidInput(errors={k: " ".join(v) for k, v in exc.message_dict.items()}) from exc
    if isinstance(item, Training):
        if item.end_date < item.start_date:
            raise InvalidInput(_("The training cannot end before it starts."), field="end_date")
        if item.registration_deadline and item.registration_deadline > item.end_date:
            raise InvalidInput(_("Registration must close before the training ends."), field="registration_deadline")
        if not item.online and not item.place_locality:
            raise InvalidInput(_("Give the place of the training or mark it as online."), field="place_locality")
        if item.online:
            item.place_teryt = item.place_teryt if item.place_locality else ""
    else:
        if item.ends_at < item.starts_at:
            raise InvalidInput(_("The event cannot end before it starts."), field="ends_at")
        if item.online and not item.online_link:
            raise InvalidInput(_("Give the link to the online meeting."), field="online_link")
        if not item.online and not item.address:
            raise InvalidInput(_("Give the address of the event or mark it as online."), field="address")
    if item.capacity < item.taken:
        raise InvalidInput(_("More people are registered than the places you give."), field="capacity")


def _index(item: Item) -> None:
    item.title_keys = f" {search.analyse(item.title)} "


def _create(model: type[Item], *, actor: Actor, office: Organisation, values: Mapping[str, Any]) -> Item:
    _check_office(office)
    allowed = TRAINING_FIELDS if model is Training else EVENT_FIELDS
    item = model(office=office, **_clean(values, allowed))
    _validate(item)
    with transaction.atomic():
        _index(item)
        item.save()
        _audit("created", item, actor=actor)
    return item


def create_training(*, actor: Actor, office: Organisation, values: Mapping[str, Any]) -> Training:
    found = _create(Training, actor=actor, office=office, values=values)
    assert isinstance(found, Training)
    return found


def create_event(*, actor: Actor, office: Organisation, values: Mapping[str, Any]) -> Event:
    found = _create(Event, actor=actor, office=office, values=values)
    assert isinstance(found, Event)
    return found


def update_item(*, actor: Actor, item: Item, values: Mapping[str, Any]) -> Item:
    """Change a draft or a published item (a cancelled or archived one stays as it was)."""
    if item.status not in (ItemStatus.DRAFT, ItemStatus.PUBLISHED):
        raise Conflict(_("A cancelled or archived item cannot be changed."))
    cleaned = _clean(values, TRAINING_FIELDS if isinstance(item, Training) else EVENT_FIELDS)
    changes = {k: [str(getattr(item, k)), str(v)] for k, v in cleaned.items() if getattr(item, k) != v}
    for name, value in cleaned.items():
        setattr(item, name, value)
    _validate(item)
    with transaction.atomic():
        _index(item)
        item.save()
        audit.record(
            f"jobs_events.{_kind(item)}_updated",
            actor=actor,
            obj=item,
            organisation_id=item.office_id,
            changes=changes,
        )
    return item


def _move(item: Item, to: str, *, actor: Actor, reason: str = "") -> None:
    before = item.status
    if not may_move(before, to):
        raise TransitionNotAllowed(from_status=before, to_status=to, reason="training/event workflow")
    item.status = to
    item.status_reason = reason[:500]
    item.save(update_fields=["status", "status_reason", "published_at", "updated_at"])
    audit.record(
        f"jobs_events.{_kind(item)}_{to}",
        actor=actor,
        obj=item,
        organisation_id=item.office_id,
        changes={"status": [before, to]},
        data={"reason": reason} if reason else None,
    )


def _ended(item: Item) -> bool:
    if isinstance(item, Training):
        return item.end_date < clock.local_now().date()
    return item.ends_at < clock.now()


def publish(*, actor: Actor, item: Item) -> Item:
    """Publish a draft; its announcements to matching job seekers follow (through the outbox)."""
    if _ended(item):
        raise InvalidInput(_("This item has already ended."))
    with transaction.atomic():
        item.published_at = clock.now()
        _move(item, ItemStatus.PUBLISHED, actor=actor)
        events.emit(
            TOPIC_PUBLISHED,
            obj=item,
            payload={"kind": _kind(item), "id": item.pk, "uuid": str(item.uuid)},
            organisation_id=item.office_id,
        )
    return item


def cancel(*, actor: Actor, item: Item, reason: str) -> Item:
    if not reason.strip():
        raise InvalidInput(_("Say why it is cancelled."), field="reason")
    with transaction.atomic():
        _move(item, ItemStatus.CANCELLED, actor=actor, reason=reason.strip())
    return item


def archive(*, actor: Actor, item: Item) -> Item:
    with transaction.atomic():
        _move(item, ItemStatus.ARCHIVED, actor=actor)
    return item


# --- registrations -----------------------------------------------------------------------------


def registration_closed_reason(item: Item) -> str:
    """Why nobody can register now ("" when they can)."""
    if item.status != ItemStatus.PUBLISHED:
        return str(_("Registration is closed."))
    if not item.registration_open:
        return str(_("Registration is closed."))
    today = clock.local_now().date()
    if isinstance(item, Training):
        if item.registration_deadline and item.registration_deadline < today:
            return str(_("The registration deadline has passed."))
        if item.start_date < today:
            return str(_("The training has already started."))
    elif item.starts_at < clock.now():
        return str(_("The event has already started."))
    if item.taken >= item.capacity and not item.waiting_list:
        return str(_("There are no free places."))
    return ""


def _registrations(item: Item) -> Any:
    field = "training" if isinstance(item, Training) else "event"
    return Registration.objects.filter(**{field: item})


def register(
    *,
    item: Item,
    account: PortalAccount | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
) -> Registration:
    """Register a signed-in job seeker (``account``) or a guest (name and e-mail) for ``item``."""
    closed = registration_closed_reason(item)
    if closed:
        raise Conflict(closed)
    if account is not None:
        client = account.client
        name = client.display_name if client is not None else (account.email or "")
        email = account.email or ""
        key = f"a:{account.pk}"
    else:
        name, email, phone = " ".join(name.split())[:200], email.strip().lower()[:254], phone.strip()[:40]
        if not name:
            raise InvalidInput(_("Give your name."), field="name")
        if not email:
            raise InvalidInput(_("Give your e-mail address."), field="email")
        key = f"e:{email}"
    model = type(item)
    try:
        with transaction.atomic():
            found = _registrations(item).select_for_update().filter(person_key=key).first()
            if found is not None and found.status != RegistrationStatus.CANCELLED:
                raise Conflict(_("You are already registered."))
            got = model.objects.filter(pk=item.pk, taken__lt=F("capacity")).update(taken=F("taken") + 1)
            if got:
                status = RegistrationStatus.CONFIRMED
            elif item.waiting_list:
                status = RegistrationStatus.WAITING
            else:
                raise Conflict(_("There are no free places."))
            registration = found or Registration(
                training=item if isinstance(item, Training) else None,
                event=item if isinstance(item, Event) else None,
                person_key=key,
            )
            registration.account = account
            registration.name, registration.email, registration.phone = name, email, phone
            registration.status = status
            registration.created_at = clock.now()
            registration.cancelled_at = None
            registration.save()
            audit.record(
                f"jobs_events.{_kind(item)}_registered",
                actor=account.user if account is not None else PORTAL,
                obj=registration,
                organisation_id=item.office_id,
                data={"item": str(item.uuid), "status": status, "guest": account is None},
            )
    except IntegrityError as exc:  # the same person twice at the same moment
        raise Conflict(_("You are already registered.")) from exc
    item.refresh_from_db(fields=["taken"])
    return registration


def cancel_registration(*, registration: Registration, actor: Actor) -> Registration:
    """Cancel (idempotent); a freed place goes to the first person on the waiting list."""
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    item = registration.item
    model = type(item)
    with transaction.atomic():
        was = registration.status
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = clock.now()
        registration.save(update_fields=["status", "cancelled_at"])
        audit.record(
            f"jobs_events.{_kind(item)}_registration_cancelled",
            actor=actor,
            obj=registration,
            organisation_id=item.office_id,
            data={"item": str(item.uuid), "was": was},
        )
        if was == RegistrationStatus.CONFIRMED:
            model.objects.filter(pk=item.pk, taken__gt=0).update(taken=F("taken") - 1)
            waiting = (
                _registrations(item)
                .select_for_update()
                .filter(status=RegistrationStatus.WAITING)
                .order_by("created_at", "pk")
                .first()
            )
            if waiting is not None and model.objects.filter(pk=item.pk, taken__lt=F("capacity")).update(
                taken=F("taken") + 1
            ):
                waiting.status = RegistrationStatus.CONFIRMED
                waiting.save(update_fields=["status"])
                audit.record(
                    f"jobs_events.{_kind(item)}_registration_promoted",
                    actor=ANNOUNCER,
                    obj=waiting,
                    organisation_id=item.office_id,
                    data={"item": str(item.uuid)},
                )
                # Delivered after commit by the notification service (``notifications.job_promotions``).
                events.emit(
                    TOPIC_PROMOTED,
                    obj=waiting,
                    organisation_id=item.office_id,
                    payload={"registration_id": waiting.pk},
                )
    return registration


def registrations_of(account: PortalAccount) -> list[Registration]:
    return list(
        Registration.objects.filter(account=account)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("training", "event", "training__office", "event__office")
        .order_by("-created_at")[:100]
    )


# --- announcements -----------------------------------------------------------------------------


def territory(office: Organisation) -> list[str]:
    """The TERYT prefixes an office serves: its own territory, or for a regional office without
    one, its voivodeship (the first two digits of its county offices' territories)."""
    codes = list(office.territory.values_list("code", flat=True))
    if codes:
        return sorted(codes)
    if office.kind == Organisation.Kind.REGION_OFFICE:
        below = Organisation.objects.filter(path__startswith=office.path).exclude(pk=office.pk)
        return sorted(
            {
                c[:2]
                for c in Organisation.territory.through.objects.filter(organisation__in=below).values_list(
                    "territorialunit_id", flat=True
                )
            }
        )
    return []


def _overlaps(area: str, prefixes: Iterable[str]) -> bool:
    return any(area.startswith(p) or p.startswith(area) for p in prefixes)


def _home_within(client: Client, office: Organisation) -> bool:
    home = client.home_office
    if home is None:
        return False
    return home.pk == office.pk or (office.kind == Organisation.Kind.REGION_OFFICE and home.is_within(office))


def _occupation_prefixes(codes: list[str]) -> set[str]:
    return {c[:n] for c in codes for n in range(1, 7)}


def matching_clients(item: Item) -> dict[int, dict[str, Any]]:
    """client pk → {"account", "by_email", "by_sms", "reason"}: the job seekers whose CV (an
    occupation in the same 4-digit KZiS group) or saved search (an occupation prefix of one of
    the item's codes) matches, with a preferred area in the organiser's territory (or, with no
    area, registered at the organiser or a county office of the organising region)."""
    codes = [c for c in item.occupations if len(c) == 6]
    if not codes:
        return {}
    office = item.office
    prefixes = territory(office)
    found: dict[int, dict[str, Any]] = {}
    groups = {c[:4] for c in codes}
    where = Q()
    for group in groups:
        where |= Q(code__startswith=group)
    cv_ids = set(CVOccupation.objects.filter(where).values_list("cv_id", flat=True)[:50_000])
    areas: dict[int, list[str]] = {}
    for cv_id, teryt in CVArea.objects.filter(cv_id__in=cv_ids).values_list("cv_id", "teryt"):
        areas.setdefault(cv_id, []).append(teryt)
    for cv in CV.objects.filter(pk__in=cv_ids).select_related("client", "client__home_office"):
        wanted = areas.get(cv.pk, [])
        if (wanted and _overlaps_any(wanted, prefixes)) or (not wanted and _home_within(cv.client, office)):
            found[cv.client_id] = {"account": None, "by_email": False, "by_sms": False, "reason": "cv"}
    searches = SavedSearch.objects.filter(active=True, occupation__in=_occupation_prefixes(codes)).select_related(
        "client", "client__home_office"
    )
    for saved in searches.order_by("pk")[:50_000]:
        if saved.area:
            if not _overlaps(saved.area, prefixes):
                continue
        elif not _home_within(saved.client, office):
            continue
        entry = found.setdefault(
            saved.client_id, {"account": None, "by_email": False, "by_sms": False, "reason": "search"}
        )
        entry["reason"] = "search"
        entry["account"] = entry["account"] or saved.account_id
        entry["by_email"] = entry["by_email"] or saved.by_email
        entry["by_sms"] = entry["by_sms"] or saved.by_sms
    opted_out = set(AnnouncementOptOut.objects.filter(client_id__in=list(found)).values_list("client_id", flat=True))
    return {k: v for k, v in found.items() if k not in opted_out}


def _overlaps_any(areas: list[str], prefixes: list[str]) -> bool:
    return any(_overlaps(a, prefixes) for a in areas)


def announce(item: Item) -> list[Announcement]:
    """Store the announcements of a published ``item`` (once per client: idempotent) and emit
    ``jobs_events.announcements_due`` for the new ones, in batches."""
    if item.status != ItemStatus.PUBLISHED:
        return []
    found = matching_clients(item)
    if not found:
        return []
    field = "training" if isinstance(item, Training) else "event"
    now = clock.now()
    rows = [
        Announcement(
            **{field: item},
            client_id=client_id,
            account_id=entry["account"],
            by_email=entry["by_email"],
            by_sms=entry["by_sms"],
            reason=entry["reason"],
            created_at=now,
        )
        for client_id, entry in found.items()
    ]
    with transaction.atomic():
        Announcement.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        fresh = list(Announcement.objects.filter(**{field: item}, created_at=now, sent_at__isnull=True).order_by("pk"))
        ids = [a.pk for a in fresh]
        with events.batch():
            for start in range(0, len(ids), BATCH):
                events.emit(
                    TOPIC_DUE,
                    organisation_id=item.office_id,
                    payload={"kind": field, "id": item.pk, "announcement_ids": ids[start : start + BATCH]},
                )
        audit.record(
            f"jobs_events.{field}_announced",
            actor=ANNOUNCER,
            obj=item,
            organisation_id=item.office_id,
            data={"clients": len(ids)},
        )
    return fresh


def on_published(kind: str, pk: int) -> list[Announcement]:
    model = Training if kind == "training" else Event
    item = model.objects.published().select_related("office").filter(pk=pk).first()
    return announce(item) if item is not None else []


def mark_sent(ids: Iterable[int]) -> None:
    Announcement.objects.filter(pk__in=list(ids), sent_at__isnull=True).update(sent_at=clock.now())


def opt_out_token(client: Client) -> str:
    return signing.dumps({"c": client.pk}, salt=OPT_OUT_SALT, compress=True)


def client_for_token(token: str) -> Client | None:
    try:
        value = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("c"), int):
        return None
    return Client.objects.filter(pk=value["c"]).first()


def opt_out(client: Client, *, how: str = "link") -> AnnouncementOptOut:
    """No more announcements for ``client`` (idempotent)."""
    with transaction.atomic():
        found, created = AnnouncementOptOut.objects.get_or_create(
            client=client, defaults={"how": how[:10], "created_at": clock.now()}
        )
        if created:
            audit.record(
                "jobs_events.announcements_opted_out",
                actor=ANNOUNCER,
                obj=client,
                organisation_id=client.home_office_id,
                data={"how": how},
            )
    return found


def opt_in(client: Client) -> None:
    with transaction.atomic():
        deleted, _rows = AnnouncementOptOut.objects.filter(client=client).delete()
        if deleted:
            audit.record(
                "jobs_events.announcements_opted_in", actor=ANNOUNCER, obj=client, organisation_id=client.home_office_id
            )


def when_text(item: Item) -> str:
    """ "12.01.2027–23.01.2027" or "12.01.2027 10:00–14:00" (Europe/Warsaw)."""
    if isinstance(item, Training):
        start, end = item.start_date, item.end_date
        return f"{start:%d.%m.%Y}" if start == end else f"{start:%d.%m.%Y}–{end:%d.%m.%Y}"
    from django.utils import timezone

    start_at, end_at = timezone.localtime(item.starts_at), timezone.localtime(item.ends_at)
    if start_at.date() == end_at.date():
        return f"{start_at:%d.%m.%Y %H:%M}–{end_at:%H:%M}"
    return f"{start_at:%d.%m.%Y %H:%M}–{end_at:%d.%m.%Y %H:%M}"


def place_text(item: Item) -> str:
    if isinstance(item, Training):
        return str(_("online")) if item.online and not item.place_locality else item.place_locality
    return str(_("online")) if item.online else item.address


def archive_past(*, today: dt.date | None = None) -> int:
    """Archive published items that ended more than a week ago (Celery beat; idempotent)."""
    today = today or clock.local_now().date()
    cutoff = today - dt.timedelta(days=7)
    done = 0
    for training in Training.objects.filter(status=ItemStatus.PUBLISHED, end_date__lt=cutoff)[:1000]:
        archive(actor=ANNOUNCER, item=training)
        done += 1
    for event in Event.objects.filter(status=ItemStatus.PUBLISHED, ends_at__date__lt=cutoff)[:1000]:
        archive(actor=ANNOUNCER, item=event)
        done += 1
    return done
