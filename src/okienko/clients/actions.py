"""Writes about clients. Each runs in one transaction with an audit entry and a domain event."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts import access
from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation, TerritorialUnit
from okienko.accounts.roles import Perm
from okienko.clients import identifiers, search
from okienko.clients.duplicates import find_duplicates
from okienko.clients.errors import ClientError, DuplicatesFound
from okienko.clients.models import (
    Client,
    ClientConsent,
    ClientContact,
    ClientMerge,
    ClientNumberCounter,
    ClientRelation,
)
from okienko.core import audit, clock, events
from okienko.core.actors import Actor

EDITABLE_FIELDS = (
    "kind",
    "status",
    "first_name",
    "last_name",
    "organisation_name",
    "pesel",
    "nip",
    "birth_date",
    "home_office",
    "street",
    "postal_code",
    "city",
    "gmina",
    "notes",
)
AUDITED_FIELDS = (*EDITABLE_FIELDS, "number", "pin_hash", "merged_into")
PIN_PATTERN = re.compile(r"\d{4,8}")

# Other apps (cases) register a function moving their records from the merged client to the survivor;
# it returns how many rows it moved.
MergeHook = Callable[[Client, Client], int]
_merge_hooks: dict[str, MergeHook] = {}


def register_merge_hook(name: str, hook: MergeHook) -> None:
    _merge_hooks[name] = hook


def _require(actor: Actor, perm: str, organisation: Organisation) -> None:
    # ``actor=None`` is the system itself (demo loader, imports): no staff permission applies.
    if actor is not None:
        access.require_perm_in(actor, perm, organisation)


def _gmina(code: str | None) -> TerritorialUnit | None:
    if not code:
        return None
    unit = TerritorialUnit.objects.filter(code=code, kind=TerritorialUnit.Kind.GMINA).first()
    if unit is None:
        raise ClientError(_("Unknown gmina (TERYT code %(code)s).") % {"code": code}, field="gmina")
    return unit


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate identifiers and the fields each kind of client needs; return normalised values."""
    try:
        if fields.get("pesel"):
            fields["pesel"] = identifiers.validate_pesel(fields["pesel"])
        if fields.get("nip"):
            fields["nip"] = identifiers.validate_nip(fields["nip"])
    except ValidationError as exc:
        raise ClientError(exc.messages[0], field="pesel" if exc.code and "pesel" in exc.code else "nip") from exc
    kind = fields.get("kind", Client.Kind.PERSON)
    if kind == Client.Kind.PERSON and not (fields.get("last_name") or "").strip():
        raise ClientError(_("Enter the person's last name."), field="last_name")
    if kind == Client.Kind.ORGANISATION and not (fields.get("organisation_name") or "").strip():
        raise ClientError(_("Enter the organisation's name."), field="organisation_name")
    if fields.get("pesel") and not fields.get("birth_date"):
        fields["birth_date"] = identifiers.pesel_birth_date(fields["pesel"])
    born = fields.get("birth_date")
    if isinstance(born, dt.date) and not dt.date(1800, 1, 1) <= born <= clock.local_now().date():
        raise ClientError(_("Enter a date of birth between 1800 and today."), field="birth_date")
    return fields


def _next_number() -> str:
    counter, _created = ClientNumberCounter.objects.select_for_update().get_or_create(prefix=search.NUMBER_PREFIX)
    while True:
        counter.last_value += 1
        number = search.format_number(counter.last_value)
        if not Client.objects.filter(number=number).exists():
            break
    counter.save(update_fields=["last_value"])
    return number


def _refresh_search(client: Client) -> None:
    contacts = list(client.contacts.values_list("normalized", flat=True))
    client.search_name = search.search_name_of(client)
    client.search_text = search.search_text_of(client, contacts)
    Client.objects.filter(pk=client.pk).update(search_name=client.search_name, search_text=client.search_text)
    search.remember_name(client.search_name)


def _add_contacts(client: Client, kind: str, values: Iterable[str]) -> list[ClientContact]:
    created = []
    for value in values:
        value = (value or "").strip()
        if not value:
            continue
        normalized = search.normalize_contact(kind, value)
        if kind == ClientContact.Kind.PHONE and len(normalized) < 9:
            raise ClientError(_("The phone number %(value)s is too short.") % {"value": value}, field="phones")
        if kind == ClientContact.Kind.EMAIL and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", normalized):
            raise ClientError(_("%(value)s is not an e-mail address.") % {"value": value}, field="emails")
        if client.contacts.filter(kind=kind, normalized=normalized).exists():
            continue
        primary = not client.contacts.filter(kind=kind).exists()
        created.append(
            ClientContact.objects.create(
                client=client, kind=kind, value=value, normalized=normalized, is_primary=primary
            )
        )
    return created


def register_client(
    *,
    actor: Actor,
    home_office: Organisation,
    kind: str = Client.Kind.PERSON,
    number: str | None = None,
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    gmina_code: str | None = None,
    accept_duplicates: bool = False,
    **fields: Any,
) -> Client:
    """Register a client after a duplicate check.

    Raises ``DuplicatesFound`` when possible duplicates exist and ``accept_duplicates`` is false;
    a client with the same PESEL or NIP can never be registered twice.
    """
    _require(actor, Perm.CLIENTS_EDIT, home_office)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown client fields: {sorted(unknown)}")
    phones, emails = list(phones), list(emails)
    cleaned = _clean({**fields, "kind": kind})
    duplicates, certain = find_duplicates(
        actor=actor,
        office=home_office,
        pesel=cleaned.get("pesel", ""),
        nip=cleaned.get("nip", ""),
        phones=phones,
        emails=emails,
        first_name=cleaned.get("first_name", ""),
        last_name=cleaned.get("last_name", ""),
        organisation_name=cleaned.get("organisation_name", "") if kind == Client.Kind.ORGANISATION else "",
        birth_date=cleaned.get("birth_date"),
    )
    if duplicates and (certain or not accept_duplicates):
        raise DuplicatesFound(duplicates, blocking=certain)
    with transaction.atomic():
        if number:
            number = number.strip().upper()
            if Client.objects.filter(number=number).exists():
                raise ClientError(
                    _("The client number %(number)s is already used.") % {"number": number}, field="number"
                )
        now = clock.now()
        client = Client(
            number=number or _next_number(),
            home_office=home_office,
            gmina=_gmina(gmina_code),
            created_at=now,
            updated_at=now,
            **cleaned,
        )
        client.save()
        _add_contacts(client, ClientContact.Kind.PHONE, phones)
        _add_contacts(client, ClientContact.Kind.EMAIL, emails)
        _refresh_search(client)
        audit.record(
            "clients.registered",
            actor=actor,
            obj=client,
            organisation_id=home_office.pk,
            changes=audit.diff({}, audit.snapshot(client, AUDITED_FIELDS)),
            data={"duplicates_accepted": [d.client.number for d in duplicates]} if duplicates else None,
        )
        events.emit(
            "client.registered",
            obj=client,
            organisation_id=home_office.pk,
            payload={"client": client.pk, "uuid": client.uuid, "number": client.number},
        )
    return client


def update_client(*, actor: Actor, client: Client, gmina_code: str | None = None, **changes: Any) -> Client:
    """Change a client's data; the audit entry holds old and new values of what changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown client fields: {sorted(unknown)}")
    _require(actor, Perm.CLIENTS_EDIT, client.home_office)
    if "home_office" in changes:
        _require(actor, Perm.CLIENTS_EDIT, changes["home_office"])
    current = {name: getattr(client, name) for name in EDITABLE_FIELDS if name != "gmina"}
    cleaned = _clean({**current, **changes})
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        before = audit.snapshot(client, AUDITED_FIELDS)
        for name, value in cleaned.items():
            if name in changes or name == "birth_date":
                setattr(client, name, value)
        if gmina_code is not None:
            client.gmina = _gmina(gmina_code)
        client.updated_at = clock.now()
        client.save()
        _refresh_search(client)
        changed = audit.diff(before, audit.snapshot(client, AUDITED_FIELDS))
        audit.record("clients.updated", actor=actor, obj=client, organisation_id=client.home_office_id, changes=changed)
        events.emit(
            "client.updated",
            obj=client,
            organisation_id=client.home_office_id,
            payload={"client": client.pk, "uuid": client.uuid, "fields": sorted(changed)},
        )
    return client


def add_contact(*, actor: Actor, client: Client, kind: str, value: str) -> ClientContact | None:
    """Add a phone number or e-mail address (nothing happens if the client already has it)."""
    _require(actor, Perm.CLIENTS_EDIT, client.home_office)
    with transaction.atomic():
        created = _add_contacts(client, kind, [value])
        if not created:
            return None
        _refresh_search(client)
        audit.record(
            "clients.contact_added",
            actor=actor,
            obj=client,
            organisation_id=client.home_office_id,
            changes={kind: [None, value]},
        )
        events.emit(
            "client.updated",
            obj=client,
            organisation_id=client.home_office_id,
            payload={"client": client.pk, "uuid": client.uuid, "fields": ["contacts"]},
        )
    return created[0]


def set_pin(*, actor: Actor, client: Client, pin: str) -> None:
    """Set or reset the client's PIN (4–8 digits). It is stored hashed and never logged."""
    _require(actor, Perm.CLIENTS_EDIT, client.home_office)
    if not PIN_PATTERN.fullmatch(pin or ""):
        raise ClientError(_("A PIN has 4 to 8 digits."), field="pin")
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        had_pin = client.has_pin
        before = audit.snapshot(client, ["pin_hash"])
        client.pin_hash = make_password(pin)
        client.pin_set_at = clock.now()
        client.save(update_fields=["pin_hash", "pin_set_at"])
        audit.record(
            "clients.pin_reset" if had_pin else "clients.pin_set",
            actor=actor,
            obj=client,
            organisation_id=client.home_office_id,
            changes=audit.diff(before, audit.snapshot(client, ["pin_hash"])),
        )
        events.emit(
            "client.updated",
            obj=client,
            organisation_id=client.home_office_id,
            payload={"client": client.pk, "uuid": client.uuid, "fields": ["pin"]},
        )


def check_pin(client: Client, pin: str) -> bool:
    """Whether ``pin`` is the client's PIN (for phone or portal identification)."""
    return bool(client.pin_hash) and check_password(pin, client.pin_hash)


def record_consent(
    *,
    actor: Actor,
    client: Client,
    topic: str,
    granted: bool,
    source: str,
    given_at: dt.datetime | None = None,
) -> ClientConsent:
    """Record that a consent was given or withdrawn, when and through which source."""
    _require(actor, Perm.CLIENTS_EDIT, client.home_office)
    if topic not in ClientConsent.Topic.values:
        raise ClientError(_("Unknown consent."), field="topic")
    with transaction.atomic():
        existing = ClientConsent.objects.filter(client=client, topic=topic).first()
        before = {topic: existing.granted} if existing else {}
        consent, _created = ClientConsent.objects.update_or_create(
            client=client,
            topic=topic,
            defaults={
                "granted": granted,
                "source": source,
                "given_at": given_at or clock.now(),
                "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
        audit.record(
            "clients.consent_recorded",
            actor=actor,
            obj=client,
            organisation_id=client.home_office_id,
            changes=audit.diff(before, {topic: granted}),
            data={"source": source, "given_at": consent.given_at},
        )
        events.emit(
            "client.updated",
            obj=client,
            organisation_id=client.home_office_id,
            payload={"client": client.pk, "uuid": client.uuid, "fields": ["consents"]},
        )
    return consent


def relate_clients(*, actor: Actor, person: Client, kind: str, other: Client, role: str = "") -> ClientRelation:
    """Record that ``person`` acts for ``other`` (an organisation, or someone they represent)."""
    _require(actor, Perm.CLIENTS_EDIT, person.home_office)
    if person.pk == other.pk:
        raise ClientError(_("A client cannot act on their own behalf."), field="other")
    if person.kind != Client.Kind.PERSON:
        raise ClientError(_("Only a person can act for someone else."), field="person")
    with transaction.atomic():
        relation, _created = ClientRelation.objects.update_or_create(
            person=person, kind=kind, other=other, defaults={"role": role}
        )
        audit.record(
            "clients.relation_recorded",
            actor=actor,
            obj=person,
            organisation_id=person.home_office_id,
            data={"kind": kind, "other": other.number, "role": role},
        )
        events.emit(
            "client.updated",
            obj=person,
            organisation_id=person.home_office_id,
            payload={"client": person.pk, "uuid": person.uuid, "fields": ["relations"]},
        )
    return relation


def _move(merged: Client, survivor: Client) -> dict[str, int]:
    moved: dict[str, int] = {}
    existing = set(survivor.contacts.values_list("kind", "normalized"))
    contacts = 0
    for contact in merged.contacts.all():
        if (contact.kind, contact.normalized) in existing:
            contact.delete()
        else:
            ClientContact.objects.filter(pk=contact.pk).update(client=survivor, is_primary=False)
            contacts += 1
    moved["contacts"] = contacts
    survivor_topics = set(survivor.consents.values_list("topic", flat=True))
    moved["consents"] = merged.consents.exclude(topic__in=survivor_topics).update(client=survivor)
    merged.consents.all().delete()
    relations = 0
    for relation in ClientRelation.objects.filter(person=merged).exclude(other=survivor):
        if not ClientRelation.objects.filter(person=survivor, kind=relation.kind, other=relation.other).exists():
            ClientRelation.objects.filter(pk=relation.pk).update(person=survivor)
            relations += 1
    for relation in ClientRelation.objects.filter(other=merged).exclude(person=survivor):
        if not ClientRelation.objects.filter(person=relation.person, kind=relation.kind, other=survivor).exists():
            ClientRelation.objects.filter(pk=relation.pk).update(other=survivor)
            relations += 1
    ClientRelation.objects.filter(person=merged).delete()
    ClientRelation.objects.filter(other=merged).delete()
    moved["relations"] = relations
    for name, hook in sorted(_merge_hooks.items()):
        moved[name] = hook(merged, survivor)
    return moved


def merge_clients(*, actor: Actor, survivor: Client, merged: Client, reason: str = "") -> ClientMerge:
    """Join ``merged`` into ``survivor``: phones and e-mails, consents, relations and (through the
    merge hooks of the apps above: contact history, callbacks, cases) move to the survivor;
    ``merged`` stays, marked as merged, so its number still resolves."""
    _require(actor, Perm.CLIENTS_EDIT, survivor.home_office)
    _require(actor, Perm.CLIENTS_EDIT, merged.home_office)
    if survivor.pk == merged.pk:
        raise ClientError(_("A client cannot be merged with itself."))
    with transaction.atomic():
        locked = {c.pk: c for c in Client.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])}
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        if survivor.merged_into_id or merged.merged_into_id:
            raise ClientError(_("One of these clients has already been merged."))
        moved = _move(merged, survivor)
        # Fill the survivor's gaps from the merged record.
        filled = {}
        for name in ("pesel", "nip", "birth_date", "street", "postal_code", "city", "first_name", "organisation_name"):
            if not getattr(survivor, name) and getattr(merged, name):
                filled[name] = getattr(merged, name)
                setattr(survivor, name, getattr(merged, name))
        if not survivor.gmina_id and merged.gmina_id:
            survivor.gmina_id = merged.gmina_id
        if not survivor.pin_hash and merged.pin_hash:
            survivor.pin_hash, survivor.pin_set_at = merged.pin_hash, merged.pin_set_at
        now = clock.now()
        survivor.updated_at = now
        survivor.save()
        _refresh_search(survivor)
        merged.merged_into = survivor
        merged.pin_hash = ""
        merged.updated_at = now
        merged.save(update_fields=["merged_into", "pin_hash", "updated_at"])
        record = ClientMerge.objects.create(
            survivor=survivor,
            merged=merged,
            merged_number=merged.number,
            merged_by=user_of(actor),
            merged_at=now,
            moved={**moved, "filled": sorted(filled), "reason": reason},
        )
        data: Mapping[str, Any] = {
            "merged": merged.number,
            "survivor": survivor.number,
            "moved": moved,
            "reason": reason,
        }
        audit.record("clients.merged", actor=actor, obj=survivor, organisation_id=survivor.home_office_id, data=data)
        audit.record("clients.merged_away", actor=actor, obj=merged, organisation_id=merged.home_office_id, data=data)
        events.emit(
            "client.updated",
            obj=survivor,
            organisation_id=survivor.home_office_id,
            payload={"client": survivor.pk, "uuid": survivor.uuid, "merged": merged.pk, "merged_uuid": merged.uuid},
        )
    return record
