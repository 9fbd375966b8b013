"""Duplicate detection before a client is registered (or to show on a card).

Only clients of the same data controller as the office registering are considered (ADR 0041): a
city consultant typing the PESEL of a labour office's client learns nothing, and registration
proceeds. Inside the controller, a duplicate the actor may not see is marked ``visible=False``
and shown only as "a client of <office>" (ADR 0011).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from okienko.accounts.models import Organisation
from okienko.clients.errors import Duplicate
from okienko.clients.models import Client, ClientContact
from okienko.clients.search import normalize_contact
from okienko.core.actors import Actor
from okienko.core.text import fold

LIMIT = 10


def find_duplicates(
    *,
    actor: Actor,
    office: Organisation,
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
    """Clients of ``office``'s data controller that may be the same person or organisation as the
    one about to be registered there; the flag says whether one is certain (same PESEL/NIP)."""
    found: dict[int, Duplicate] = {}
    certain = False
    base = (
        Client.objects.active()
        .filter(home_office__path__startswith=office.controller_path)
        .select_related("home_office")
    )
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
    if found and actor is not None:
        visible = set(Client.objects.visible_to(actor).filter(pk__in=found).values_list("pk", flat=True))
        for duplicate in found.values():
            duplicate.visible = duplicate.client.pk in visible
    return list(found.values()), certain
