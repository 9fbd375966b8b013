"""Duplicate detection before a client is registered (or to show on a card)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from okienko.clients.errors import Duplicate
from okienko.clients.models import Client, ClientContact
from okienko.clients.search import fold, normalize_contact

LIMIT = 10


def find_duplicates(
    *,
    pesel: str = "",
    nip: str = "",
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    first_name: str = "",
    last_name: str = "",
    organisation_name: str = "",
    birth_date: dt.date | None = None,
    exclude_id: int | None = None,
) -> tuple[list[Duplicate], bool]:
    """Existing clients that may be the same; the flag says whether one is certain (same PESEL/NIP)."""
    found: dict[int, Duplicate] = {}
    certain = False
    base = Client.objects.active().select_related("home_office")
    if exclude_id is not None:
        base = base.exclude(pk=exclude_id)

    def add(clients: Iterable[Client], reason: str) -> None:
        for client in clients:
            found.setdefault(client.pk, Duplicate(client)).reasons.append(reason)

    if pesel:
        same = list(base.filter(pesel=pesel)[:LIMIT])
        certain = certain or bool(same)
        add(same, _("same PESEL"))
    if nip:
        same = list(base.filter(nip=nip)[:LIMIT])
        certain = certain or bool(same)
        add(same, _("same NIP"))
    phone_values = [normalize_contact(ClientContact.Kind.PHONE, p) for p in phones if p]
    if phone_values:
        ids = ClientContact.objects.filter(kind=ClientContact.Kind.PHONE, normalized__in=phone_values).values(
            "client_id"
        )
        add(base.filter(pk__in=ids)[:LIMIT], _("same phone number"))
    email_values = [normalize_contact(ClientContact.Kind.EMAIL, e) for e in emails if e]
    if email_values:
        ids = ClientContact.objects.filter(kind=ClientContact.Kind.EMAIL, normalized__in=email_values).values(
            "client_id"
        )
        add(base.filter(pk__in=ids)[:LIMIT], _("same e-mail address"))
    if last_name and first_name and birth_date:
        name = fold(f"{last_name} {first_name}")
        add(base.filter(search_name=name, birth_date=birth_date)[:LIMIT], _("same name and date of birth"))
    if organisation_name:
        add(base.filter(search_name=fold(organisation_name))[:LIMIT], _("same organisation name"))
    return list(found.values()), certain
