"""Demo contact history: contacts on several channels for the demo clients, and open callbacks.
Idempotent: a client who already has contacts gets no new ones."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from okienko.accounts.models import Organisation, User
from okienko.catalogue.models import Service
from okienko.clients.models import Client
from okienko.core import clock
from okienko.core.choices import Channel
from okienko.interactions import actions
from okienko.interactions.models import Callback, Interaction

VERSION = 1

LABOUR_QUESTIONS = [
    "Kiedy będzie wypłata zasiłku?",
    "Jakie dokumenty zabrać na rejestrację?",
    "Czy są jeszcze wolne miejsca na staż?",
    "Proszę o zaświadczenie o okresach rejestracji do ZUS.",
    "Czy mogę dostać skierowanie na szkolenie na wózki widłowe?",
    "Podjąłem pracę od poniedziałku — co muszę zgłosić?",
    "Zgubiłem PIT-11 za ubiegły rok.",
]
CITY_QUESTIONS = [
    "Na ulicy przed blokiem jest głęboka dziura.",
    "Od tygodnia nie odebrano śmieci segregowanych.",
    "Latarnia przy przejściu nie świeci od kilku dni.",
    "Sąsiedzi codziennie urządzają głośne imprezy po 23.",
    "Od miesięcy stoi wrak samochodu bez tablic.",
    "Gałęzie drzewa zasłaniają znak stopu.",
]
CHANNELS = (
    [Channel.PHONE] * 6 + [Channel.EMAIL] * 2 + [Channel.COUNTER] * 2 + [Channel.CHAT, Channel.EFORM, Channel.SMS]
)
OUTCOMES = [Interaction.Outcome.ANSWERED] * 6 + [Interaction.Outcome.TRANSFERRED, Interaction.Outcome.OTHER]


def _staff_for(client: Client) -> User | None:
    username = {
        "pup-bialystok": "konsultant.bialystok",
        "pup-lomza": "konsultant.lomza",
        "lodz-ckzm": "konsultant.lodz",
    }.get(client.home_office.code, "konsultant.wup")
    return User.objects.filter(username=username).first()


def load(*, stdout: Any) -> None:
    rng = random.Random(311)  # noqa: S311 - demo data
    now = clock.now()
    wup = Organisation.objects.get(code="wup-bialystok")
    lodz = Organisation.objects.get(code="lodz")
    labour = list(Service.objects.filter(organisation=wup))
    city = list(Service.objects.filter(organisation=lodz))
    recorded = 0
    clients = Client.objects.select_related("home_office").filter(merged_into__isnull=True).order_by("number")
    for client in clients:
        rng = random.Random(client.number)  # noqa: S311 - demo data; per client so reruns match
        if rng.random() < 0.3 or client.interactions.exists():
            continue
        is_city = client.home_office.path.startswith(lodz.path)
        staff = _staff_for(client)
        organisation = client.home_office if staff and staff.username != "konsultant.wup" else wup
        if is_city:
            organisation = client.home_office
        for _ in range(rng.randint(1, 4)):
            started = now - dt.timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 600))
            channel = rng.choice(CHANNELS)
            actions.record_interaction(
                actor=staff,
                channel=channel,
                organisation=organisation,
                client=client,
                direction=Interaction.Direction.IN,
                service=rng.choice(city if is_city else labour),
                question=rng.choice(CITY_QUESTIONS if is_city else LABOUR_QUESTIONS),
                outcome=rng.choice(OUTCOMES),
                notes="Udzielono informacji." if channel == Channel.PHONE else "",
                started_at=started,
                ended_at=started + dt.timedelta(minutes=rng.randint(2, 15)),
            )
            recorded += 1
    if not Callback.objects.exists():
        for client in clients.filter(interactions__isnull=False).distinct()[:12]:
            staff = _staff_for(client)
            interaction = client.interactions.order_by("-started_at").first()
            actions.request_callback(
                actor=staff,
                organisation=interaction.organisation if interaction else client.home_office,
                reason="Klient prosi o oddzwonienie w sprawie terminu wizyty.",
                due_at=now + dt.timedelta(hours=rng.randint(1, 48)),
                target_unit=client.home_office,
                target_user=staff if rng.random() < 0.5 else None,
                client=client,
                interaction=interaction,
                phone=client.contacts.filter(kind="phone").values_list("value", flat=True).first() or "",
            )
    stdout.write(f"  contacts: {recorded} recorded, {Callback.objects.count()} callbacks")
