"""Saving searches, finding the offers they match and handing the alerts to the notification
service (issue 19, item 6).

Alerts leave through the outbox: ``jobs_alerts.due`` (the saved searches of one office with
their alerts' ids) is picked up by the notification service (``notifications.job_alerts``), which
renders and queues the e-mail and/or SMS, with a signed one-click unsubscribe link in every
e-mail and the SMS quiet hours (21:00–8:00 Europe/Warsaw) respected. ``at once`` searches get
their event when the offer is published; ``daily`` ones from ``send_digests`` (Celery beat).
An SMS "STOP"/"NIE" (``sms.opted_out``) turns SMS off on every saved search of the client.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core import signing
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from okienko.clients.models import Client
from okienko.core import audit, clock, events
from okienko.core.actors import SystemActor
from okienko.core.errors import InvalidInput
from okienko.jobs.alerts import matching
from okienko.jobs.alerts.models import Alert, Frequency, SavedSearch
from okienko.jobs.models import JobOffer
from okienko.jobs.seekers.models import PortalAccount

ACTOR = SystemActor("jobs_alerts")
UNSUBSCRIBE_SALT = "okienko.jobs.alerts.unsubscribe"
MAX_SEARCHES = 20
TOPIC_DUE = "jobs_alerts.due"
# "At once" alerts of one office travel together: an event names up to this many saved searches
# with their alerts (a popular offer matches hundreds; an event each cost more than matching).
DUE_PER_EVENT = 200


def _audit(action: str, search: SavedSearch, **data: Any) -> None:
    audit.record(action, actor=ACTOR, obj=search, organisation_id=search.office_id, data=data or None)


def clean_filters(values: Mapping[str, Any]) -> dict[str, Any]:
    """The offer search form's cleaned data as JSON (decimals as text, empty values dropped)."""
    out: dict[str, Any] = {}
    for key in matching.FILTER_KEYS:
        value = values.get(key)
        if value in (None, "", [], False):
            continue
        out[key] = str(value) if key == "pay_min" else value
    return out


def save_search(
    *,
    account: PortalAccount,
    name: str,
    filters: Mapping[str, Any],
    by_email: bool,
    by_sms: bool,
    frequency: str,
) -> SavedSearch:
    client = account.client
    if client is None:
        raise InvalidInput(_("Only a job seeker's account can save searches."))
    if not (by_email or by_sms):
        raise InvalidInput(_("Choose e-mail, SMS or both."), field="by_email")
    if frequency not in Frequency.values:
        raise InvalidInput(_("Choose how often."), field="frequency")
    if SavedSearch.objects.filter(account=account, active=True).count() >= MAX_SEARCHES:
        raise InvalidInput(_("You can keep at most 20 saved searches. Delete one first."))
    cleaned = clean_filters(filters)
    with transaction.atomic():
        saved = SavedSearch.objects.create(
            account=account,
            client=client,
            office=client.home_office,
            name=(name.strip() or str(_("My search")))[:120],
            filters=cleaned,
            occupation=str(cleaned.get("occupation", ""))[:6],
            area=str(cleaned.get("area", ""))[:7],
            by_email=by_email,
            by_sms=by_sms,
            frequency=frequency,
            created_at=clock.now(),
        )
        _audit("jobs_alerts.search_saved", saved, portal_account=account.pk, sms=by_sms, frequency=frequency)
    return saved


def delete_search(*, account: PortalAccount, search: SavedSearch) -> None:
    if search.account_id != account.pk:
        raise InvalidInput(_("No such saved search."))
    with transaction.atomic():
        _audit("jobs_alerts.search_deleted", search, portal_account=account.pk)
        search.delete()


def unsubscribe_token(search: SavedSearch) -> str:
    return signing.dumps({"s": str(search.uuid)}, salt=UNSUBSCRIBE_SALT, compress=True)


def search_for_token(token: str) -> SavedSearch | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    return SavedSearch.objects.filter(uuid=str(value.get("s") or "00000000-0000-0000-0000-000000000000")).first()


def unsubscribe(search: SavedSearch, *, how: str = "link") -> SavedSearch:
    """Stop the alerts of ``search`` (idempotent)."""
    if not search.active:
        return search
    with transaction.atomic():
        search.active = False
        search.unsubscribed_at = clock.now()
        search.save(update_fields=["active", "unsubscribed_at"])
        _audit("jobs_alerts.unsubscribed", search, how=how)
    return search


def stop_sms(client: Client) -> int:
    """SMS off on every saved search of ``client`` (the SMS keyword STOP/NIE)."""
    changed = 0
    for search in SavedSearch.objects.filter(client=client, by_sms=True):
        with transaction.atomic():
            search.by_sms = False
            if not search.by_email:
                search.active = False
                search.unsubscribed_at = clock.now()
            search.save(update_fields=["by_sms", "active", "unsubscribed_at"])
            _audit("jobs_alerts.sms_stopped", search, how="sms")
        changed += 1
    return changed


# --- matching and alerts -----------------------------------------------------------------------


def record_matches(offers: Iterable[JobOffer], *, matcher: matching.Matcher | None = None) -> int:
    """Match ``offers`` against the active saved searches and store the alerts (once per
    search and offer); ``at once`` searches get their ``jobs_alerts.due`` event. Returns how
    many new alerts were stored."""
    found = matching.match(offers, matcher=matcher)
    if not found:
        return 0
    now = clock.now()
    rows = [(s, o, now) for o, searches in found.items() for s in searches]
    with transaction.atomic():
        _insert_alerts(rows)
        fresh = list(
            Alert.objects.filter(offer_id__in=list(found), created_at=now, sent_at__isnull=True).values_list(
                "pk", "search_id", "search__frequency"
            )
        )
        due: dict[int, list[int]] = {}
        for pk, search_id, frequency in fresh:
            if frequency == Frequency.AT_ONCE:
                due.setdefault(search_id, []).append(pk)
        offices = dict(SavedSearch.objects.filter(pk__in=list(due)).values_list("pk", "office_id"))
        by_office: dict[int | None, list[list[Any]]] = {}
        for search_id, ids in due.items():
            by_office.setdefault(offices.get(search_id), []).append([search_id, ids])
        with events.batch():
            for office_id, pairs in by_office.items():
                for start in range(0, len(pairs), DUE_PER_EVENT):
                    events.emit(
                        TOPIC_DUE,
                        organisation_id=office_id,
                        payload={"due": pairs[start : start + DUE_PER_EVENT], "digest": False},
                    )
    return len(fresh)


def _insert_alerts(rows: list[tuple[int, int, dt.datetime]]) -> None:
    """Store (search, offer, created) rows once each: a plain multi-row insert that skips pairs
    already alerted (a day's offers against 100,000 searches make ~10⁵ rows; model instances
    cost more than the insert)."""
    table = Alert._meta.db_table
    statement = (
        f"INSERT INTO {table} (search_id, offer_id, created_at) VALUES (%s, %s, %s) "  # noqa: S608 - fixed names
        "ON CONFLICT (search_id, offer_id) DO NOTHING"
    )
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM stores it (SQLite keeps text)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(statement, [(s, o, adapt(at)) for s, o, at in rows[start : start + 5000]])


def on_offer_published(offer_id: int) -> int:
    offer = JobOffer.objects.published().filter(pk=offer_id).first()
    if offer is None:
        return 0
    return record_matches([offer])


def send_digests(*, now: dt.datetime | None = None) -> int:
    """One ``jobs_alerts.due`` event per daily search with unsent alerts (idempotent: the
    alerts are marked sent by the notification service)."""
    now = now or clock.now()
    pending: dict[int, list[int]] = {}
    rows = Alert.objects.filter(
        sent_at__isnull=True, search__active=True, search__frequency=Frequency.DAILY
    ).values_list("pk", "search_id")
    for pk, search_id in rows:
        pending.setdefault(search_id, []).append(pk)
    offices = dict(SavedSearch.objects.filter(pk__in=list(pending)).values_list("pk", "office_id"))
    with transaction.atomic(), events.batch():
        for search_id, ids in pending.items():
            events.emit(
                TOPIC_DUE,
                organisation_id=offices.get(search_id),
                payload={"search_id": search_id, "alert_ids": ids[:50], "digest": True, "day": now.date().isoformat()},
            )
        SavedSearch.objects.filter(pk__in=list(pending)).update(last_digest_at=now)
    return len(pending)


def mark_sent(alert_ids: Iterable[int]) -> None:
    Alert.objects.filter(pk__in=list(alert_ids), sent_at__isnull=True).update(sent_at=clock.now())


QUIET_FROM = dt.time(21, 0)
QUIET_UNTIL = dt.time(8, 0)


def sms_allowed_at(local: dt.datetime) -> dt.datetime:
    """The first moment from ``local`` (Europe/Warsaw) outside the SMS quiet hours 21:00–8:00."""
    at = local.time()
    if QUIET_UNTIL <= at < QUIET_FROM:
        return local
    day = local.date() if at < QUIET_UNTIL else local.date() + dt.timedelta(days=1)
    return local.replace(year=day.year, month=day.month, day=day.day, hour=8, minute=0, second=0, microsecond=0)
