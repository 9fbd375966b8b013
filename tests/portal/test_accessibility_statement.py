"""The portal's accessibility statement (deklaracja dostępności): the structure of the minister's
technical conditions (the ``a11y-*`` ids), the public body's data from the organisation tree or
``PORTAL_ACCESSIBILITY``, Polish and English, linked from the footer of every portal page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from okienko.accounts.models import Organisation

pytestmark = pytest.mark.django_db

IDS = (
    "a11y-wstep",
    "a11y-podmiot",
    "a11y-url",
    "a11y-data-publikacja",
    "a11y-data-aktualizacja",
    "a11y-status",
    "a11y-data-sporzadzenie",
    "a11y-audytor",
    "a11y-kontakt",
    "a11y-osoba",
    "a11y-email",
    "a11y-telefon",
    "a11y-procedura",
    "a11y-architektura",
    "a11y-aplikacje",
)


def _element(html: str, ident: str) -> str:
    found = re.search(rf'<(\w+)[^>]*\bid="{ident}"[^>]*>(.*?)</\1>', html, re.S)
    assert found is not None, ident
    return re.sub(r"<[^>]+>", "", found.group(2)).strip()


def test_every_element_of_the_structure_is_there_once(client: Client, region: Organisation) -> None:
    response = client.get("/deklaracja-dostepnosci/")
    assert response.status_code == 200
    html = response.content.decode()
    for ident in IDS:
        assert html.count(f'id="{ident}"') == 1, ident
    assert _element(html, "a11y-podmiot") == region.name
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", _element(html, "a11y-data-publikacja"))
    assert 'datetime="' in html
    assert "częściowo zgodna" in _element(html, "a11y-status")
    assert "samooceny" in _element(html, "a11y-audytor")


def test_the_institution_configures_it(client: Client, region: Organisation, settings: Any) -> None:
    settings.PORTAL_ACCESSIBILITY = {
        "entity": "Wojewódzki Urząd Pracy w Białymstoku",
        "published": "2025-03-01",
        "updated": "2026-11-30",
        "status": "full",
        "auditor": "Fundacja Dostępna Sieć",
        "person": "Joanna Malinowska",
        "email": "dostepnosc@wup.example.pl",
        "phone": "85 749 72 00",
        "apps": "Aplikacja „Praca Podlasie” na Androida ma własną deklarację.",
    }
    html = client.get("/deklaracja-dostepnosci/").content.decode()
    assert _element(html, "a11y-podmiot") == "Wojewódzki Urząd Pracy w Białymstoku"
    assert _element(html, "a11y-data-publikacja") == "2025-03-01"
    assert _element(html, "a11y-data-aktualizacja") == "2026-11-30"
    assert _element(html, "a11y-status").startswith("Strona internetowa jest zgodna")
    assert "Fundacja Dostępna Sieć" in _element(html, "a11y-audytor")
    assert _element(html, "a11y-osoba") == "Joanna Malinowska"
    assert _element(html, "a11y-email") == "dostepnosc@wup.example.pl"
    assert 'href="tel:857497200"' in html
    assert "Praca Podlasie" in html
    assert "Treści niedostępne" not in html


def test_a_bad_configured_date_falls_back(client: Client, region: Organisation, settings: Any) -> None:
    settings.PORTAL_ACCESSIBILITY = {"published": "1 marca", "status": "nonsense"}
    response = client.get("/deklaracja-dostepnosci/")
    assert response.status_code == 200
    assert "częściowo zgodna" in _element(response.content.decode(), "a11y-status")


def test_english(client: Client, region: Organisation) -> None:
    with translation.override("en"):
        html = client.get("/deklaracja-dostepnosci/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    if 'lang="en"' not in html:
        client.cookies["django_language"] = "en"
        html = client.get("/deklaracja-dostepnosci/").content.decode()
    assert 'lang="en"' in html
    assert "Accessibility statement" in html
    for ident in IDS:
        assert html.count(f'id="{ident}"') == 1, ident


def test_only_reading(client: Client, region: Organisation) -> None:
    assert client.post("/deklaracja-dostepnosci/").status_code == 405


@pytest.mark.parametrize("url", ["/", "/oferty/", "/konto/logowanie/", "/zglos/"])
def test_the_footer_links_it(client: Client, region: Organisation, url: str) -> None:
    html = client.get(url).content.decode()
    footer = html[html.index('<footer class="portal-footer">') :]
    assert 'href="/deklaracja-dostepnosci/"' in footer
