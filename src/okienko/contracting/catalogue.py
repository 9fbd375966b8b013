"""The default catalogue of shareable fields and sharing purposes (configuration: an installation
edits it in the admin; this only fills an empty catalogue, in a data migration and the demo)."""

from __future__ import annotations

from typing import Any

# code, group, label (Polish: this is data an office reads, edited in the admin)
FIELDS: list[tuple[str, str, str]] = [
    ("first_name", "identity", "Imię"),
    ("last_name", "identity", "Nazwisko"),
    ("pesel", "identity", "PESEL"),
    ("birth_date", "identity", "Data urodzenia"),
    ("gender", "identity", "Płeć"),
    ("registered_on", "identity", "Data rejestracji w urzędzie pracy"),
    ("email", "contact", "Adres e-mail"),
    ("phone", "contact", "Telefon"),
    ("address", "contact", "Adres zamieszkania"),
    ("education_level", "education", "Poziom wykształcenia"),
    ("occupations", "work_history", "Zawody (KZiS)"),
    ("work_history", "work_history", "Przebieg pracy"),
    ("qualifications", "qualifications", "Kwalifikacje i uprawnienia"),
    ("past_activation", "past_activation", "Wcześniejsze formy aktywizacji"),
    ("events", "agency_records", "Zdarzenia aktywizacyjne agencji"),
    ("placements", "agency_records", "Zatrudnienia"),
    ("documents", "agency_records", "Dokumenty (dowody)"),
]

# code, name, direction, legal basis, field codes
PURPOSES: list[tuple[str, str, str, str, list[str]]] = [
    (
        "activation",
        "Aktywizacja uczestnika w ramach umowy",
        "office_to_agency",
        "umowa o zlecenie działań aktywizacyjnych; art. 28 lub 26 RODO",
        [
            "first_name",
            "last_name",
            "birth_date",
            "gender",
            "registered_on",
            "email",
            "phone",
            "address",
            "education_level",
            "occupations",
            "work_history",
            "qualifications",
            "past_activation",
        ],
    ),
    (
        "identity-check",
        "Potwierdzenie tożsamości i zatrudnienia (ZUS)",
        "office_to_agency",
        "umowa o zlecenie działań aktywizacyjnych",
        ["first_name", "last_name", "pesel", "birth_date"],
    ),
    (
        "monitoring",
        "Monitorowanie realizacji umowy przez urząd",
        "agency_to_office",
        "umowa o zlecenie działań aktywizacyjnych; rozliczenie transz",
        ["events", "placements", "documents"],
    ),
]


def ensure_catalogue(field_model: Any, purpose_model: Any) -> None:
    """Create the default fields and purposes that do not exist (never changes existing ones)."""
    by_code = {}
    for order, (code, group, label) in enumerate(FIELDS):
        by_code[code], _created = field_model.objects.get_or_create(
            code=code, defaults={"group": group, "label": label, "order": order}
        )
    for code, name, direction, basis, fields in PURPOSES:
        purpose, created = purpose_model.objects.get_or_create(
            code=code, defaults={"name": name, "direction": direction, "legal_basis": basis}
        )
        if created:
            purpose.fields.set([by_code[f] for f in fields])
