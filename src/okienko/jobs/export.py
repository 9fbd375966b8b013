"""Export of verified published offers in CBOP's structure (the field names of the offices'
central offer database web service, "Instrukcja pobierania ofert pracy z CBOP", 2024, section
1.4): JSON, one object per offer, in ``{"oferty": [...]}`` (``docs/jobs.md`` lists the mapping)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from okienko.jobs import content, search
from okienko.jobs.models import JobOffer
from okienko.jobs.states import CBOP_CONTRACT, OfferStatus, PayPeriod, Shifts

SHIFTS: dict[str, str] = {
    Shifts.ONE: "jednozmianowa",
    Shifts.TWO: "dwuzmianowa",
    Shifts.THREE: "trzyzmianowa",
    Shifts.CONTINUOUS: "ruch ciągły",
    Shifts.FLEXIBLE: "inna",
}
WORK_MODES = {"on_site": "Stacjonarna", "remote": "Zdalna", "hybrid": "hybrydowa"}


def exportable(offices: Any = None) -> QuerySet[JobOffer]:
    offers = JobOffer.objects.filter(status=OfferStatus.PUBLISHED, verified=True).select_related("employer", "office")
    if offices is not None:
        offers = offers.filter(office__in=offices)
    return offers.order_by("pk")


def _money(value: Decimal | None) -> str:
    return f"{value:.2f}" if value is not None else ""


def cbop_record(offer: JobOffer) -> dict[str, Any]:
    employer = offer.employer
    contract, short = CBOP_CONTRACT.get(offer.contract_type, ("", "Inny"))
    pay = _money(offer.pay_min) + (
        f" - {_money(offer.pay_max)}" if offer.pay_max and offer.pay_max != offer.pay_min else ""
    )
    pay = f"{pay} {offer.pay_currency}".strip() if pay else ""
    hourly = offer.pay_period == PayPeriod.HOUR
    return {
        "identyfikatorOferty": str(offer.uuid),
        "typOferty": "OFERTA_PRACY",
        "statusOferty": "A",
        "stanowisko": offer.title,
        "zawod": search.occupation_names().get(offer.occupation_code, ""),
        "kodZawodu": offer.occupation_code,
        "edycjaKlasyfikacjiZawodow": offer.occupation_edition,
        "miejscowosc": offer.place_locality,
        "kodMiejscowosci": offer.place_teryt if len(offer.place_teryt) == 7 else "",
        "kodPowiatu": offer.place_teryt[:4],
        "kodWojewodztwa": offer.place_teryt[:2],
        "kraj": "Polska",
        "kodKraju": "PL",
        "ulica": offer.place_street,
        "zakresObowiazkow": content.plain_text(offer.description),
        "rodzajZatrudnienia": contract,
        "skroconyRodzajZatrudnienia": short,
        "wymiarEtatu": float(offer.working_time),
        "zmianowosc": SHIFTS.get(offer.shifts, ""),
        "dodInfoCzasPracy": offer.hours_note,
        "trybyPracy": WORK_MODES.get(offer.work_mode, ""),
        "rodzajWynagrodzenia": "Wynagrodzenie brutto",
        "wynagrodzenieBrutto": pay,
        "wynagrodzenieBruttoZTypemStawki": f"{pay}/godz" if pay and hourly else pay,
        "systemWynagradzania": "Czasowy ze stawką godzinową" if hourly else "Czasowy ze stawką miesięczną",
        "opisWynagrodzenia": offer.pay_note,
        "wymaganiaKonieczne": {
            "wyksztalcenia": ", ".join(offer.education),
            "staze": f"{offer.experience_years} lat" if offer.experience_years else "",
            "jezyki": ", ".join(f"{x.get('language', '')} {x.get('level', '')}".strip() for x in offer.languages),
            "uprawnienia": ", ".join(f"prawo jazdy kat. {c}" for c in offer.driving_licences),
            "umiejetnosci": ", ".join(offer.skills),
        },
        "inneWymagania": offer.requirements_text,
        "czyPodanoWymagania": bool(
            offer.education or offer.skills or offer.languages or offer.driving_licences or offer.requirements_text
        ),
        "pracodawca": employer.name,
        "nip": employer.nip,
        "regon": employer.regon,
        "sposobAplikowania": offer.contact_preference,
        "nazwaUrzeduPracy": offer.office.name,
        "osobaDoKontaktu": offer.contact_name,
        "nrTelefonu": offer.contact_phone,
        "email": offer.contact_email,
        "lWolnychMiejsc": offer.posts,
        "dataDodaniaOferty": offer.published_at.date().isoformat() if offer.published_at else "",
        "dataAktualizacji": offer.updated_at.date().isoformat(),
        "ofertaWaznaDo": offer.valid_until.isoformat(),
        "kodJezyka": "pl",
    }


def iter_json(offers: QuerySet[JobOffer]) -> Iterator[str]:
    """The export as JSON text in pieces (streamed: no list of every offer in memory)."""
    yield '{"format": "CBOP-1.4", "oferty": ['
    first = True
    for offer in offers.iterator(chunk_size=500):
        yield ("" if first else ",") + json.dumps(cbop_record(offer), ensure_ascii=False)
        first = False
    yield "]}\n"
