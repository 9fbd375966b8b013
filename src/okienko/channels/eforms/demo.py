"""The two example forms (a city report for Łódź and a labour-office request for PUP Białystok),
registered for their services, and one signed demo submission of each received through the
intake. Idempotent: forms are matched by code; a form's demo submission is made once. Called from
``channels.demo``."""

from __future__ import annotations

from importlib import resources
from typing import Any

from okienko.accounts.models import Organisation
from okienko.catalogue.models import Service
from okienko.channels.eforms import intake, sample
from okienko.channels.eforms.models import EForm, EFormSubmission

# code, name, receiving office, service code, schema file, field mapping, example file (to drop in)
FORMS: list[tuple[str, str, str, str, str, dict[str, str], str]] = [
    (
        "lodz-zgloszenie-problemu",
        "Zgłoszenie problemu w przestrzeni publicznej",
        "lodz",
        "dzikie-wysypisko",
        "lodz-zgloszenie-problemu.xsd",
        {
            "description": "f:Opis",
            "reporter_name": "f:Zglaszajacy/f:ImieNazwisko",
            "reporter_email": "f:Zglaszajacy/f:Email",
            "reporter_phone": "f:Zglaszajacy/f:Telefon",
            "address": "f:Miejsce/f:Adres",
            "latitude": "f:Miejsce/f:Szerokosc",
            "longitude": "f:Miejsce/f:Dlugosc",
            "attachments": "f:Zalacznik",
        },
        "example-lodz-zgloszenie.xml",
    ),
    (
        "pup-wniosek-zaswiadczenie",
        "Wniosek o wydanie zaświadczenia",
        "pup-bialystok",
        "zaswiadczenie-o-statusie",
        "pup-wniosek-zaswiadczenie.xsd",
        {
            "description": "concat('Wniosek o zaświadczenie (', f:RodzajZaswiadczenia, '): ', f:Cel)",
            "reporter_email": "f:Wnioskodawca/f:Email",
            "answer:cel": "f:Cel",
            "answer:doreczenie": "f:SposobDoreczenia",
            "attachments": "f:Zalacznik",
        },
        "example-pup-wniosek.xml",
    ),
]


def package_file(name: str) -> bytes:
    return resources.files("okienko.channels.eforms").joinpath(f"forms/{name}").read_bytes()


def register_forms() -> list[EForm]:
    forms = []
    for code, name, office_code, service_code, schema, mapping, _example in FORMS:
        office = Organisation.objects.filter(code=office_code).first()
        if office is None:
            continue
        candidates = Service.objects.filter(code=service_code).select_related("organisation")
        found = next((s for s in candidates if office.is_within(s.organisation)), None)
        if found is None:
            continue
        form, _created = EForm.objects.update_or_create(
            code=code,
            defaults={
                "organisation": office,
                "name": name,
                "service": found,
                "schema": package_file(schema).decode("utf-8"),
                "field_mapping": mapping,
                "active": True,
            },
        )
        forms.append(form)
    return forms


def _demo_submission(form: EForm) -> bytes:
    """A signed submission of ``form`` other than the shipped example (which README has people drop
    into the inbox themselves), signed by a key made for the occasion."""
    signer = sample.make_signer("Tomasz Wójcik (demo)")
    if form.code == "pup-wniosek-zaswiadczenie":
        data = sample.pup_request(first="Tomasz", last="Wójcik", pesel="85060712345", purpose="do MOPS")
        title = "Wniosek o zaświadczenie o statusie osoby bezrobotnej"
    else:
        data = sample.lodz_report(
            name="Tomasz Wójcik",
            email="t.wojcik@poczta.example.pl",
            address="ul. Wólczańska 215, Łódź",
            description="Porzucone meble i worki z gruzem przy wjeździe do parku.",
        )
        title = "Porzucone meble przy parku"
    return sample.sign(sample.envelope(form.code, data, title=title, sender_name="Tomasz Wójcik"), signer, xades=True)


def load(*, stdout: Any) -> None:
    forms = register_forms()
    for form in forms:
        if not form.submissions.filter(transport=EFormSubmission.Transport.DEMO).exists():
            intake.receive(_demo_submission(form), transport=EFormSubmission.Transport.DEMO, source_name="demo")
    stdout.write(f"  {len(forms)} electronic forms: " + ", ".join(f.code for f in forms))
