"""Automatic removal of personal data from descriptions before any public surface shows them
(``cases.publication.redact``, ADR 0042)."""

from __future__ import annotations

import pytest

from okienko.cases.publication import public_description, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mój PESEL to 85010112345.", "Mój PESEL to […]."),
        ("PESEL: 850101 12345", "PESEL: […]"),
        ("Proszę dzwonić: 600 100 200", "Proszę dzwonić: […]"),
        ("tel. +48 600-100-200 po 16", "tel. […] po 16"),
        ("tel. 0048600100200", "tel. […]"),
        ("sekretariat (42) 638 44 00", "sekretariat […]"),
        ("telefon 600100200", "telefon […]"),
        ("napiszcie na jan.kowalski+zgl@poczta.example.pl, dzięki", "napiszcie na […], dzięki"),
        ("konto PL61 1090 1014 0000 0712 1981 2874", "konto […]"),
        ("konto 61 1090 1014 0000 0712 1981 2874", "konto […]"),
        ("konto DE89370400440532013000", "konto […]"),
        ("NIP 123-456-78-90", "NIP […]"),
        ("dowód osobisty ABC123456", "dowód osobisty […]"),
        ("dowód ABC 123456, paszport EA 1234567", "dowód […], paszport […]"),
        ("auto EL 12345 stoi od tygodnia", "auto […] stoi od tygodnia"),
        ("samochód WX1234A na trawniku", "samochód […] na trawniku"),
        ("Pan Jan Kowalski zgłasza", "Pan […] zgłasza"),
        ("przed domem Pani Nowak-Kowalskiej", "przed domem Pani […]"),
        ("przekazałem Panu Kowalskiemu", "przekazałem Panu […]"),
        ("rozmawiałam z panią Zielińską", "rozmawiałam z panią […]"),
        ("Państwo Nowakowie hałasują", "Państwo […] hałasują"),
        ("zgłasza p. Wiśniewski", "zgłasza p. […]"),
        ("Nazywam się Anna Maria Nowak i mieszkam obok", "Nazywam się […] i mieszkam obok"),
        ("sąsiad Kowalski pali śmieci", "sąsiad […] pali śmieci"),
        ("sąsiadka Nowak z psem", "sąsiadka […] z psem"),
    ],
)
def test_personal_data_in_polish_texts_is_removed(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dziura ma 30 cm głębokości i 1,5 m szerokości.",
        "Od 2026-03-02 10:30 nie świeci latarnia nr 1234.",
        "Od 02.03.2026 godz. 10:30, ul. Piotrkowska 104, 90-001 Łódź.",
        "Punkt 51.7592, 19.4560; zgłoszenie LODZ/2026/000123.",
        "Panorama miasta zasłonięta, pan z psem nie sprząta, Pani mówiła, że wie.",
        "Linia MPK 86 nie przyjechała; COVID19 to nie numer.",
        "Tekst\tz tabulatorem\ni nowymi liniami.",
    ],
)
def test_ordinary_descriptions_stay_as_written(text: str) -> None:
    assert redact(text) == text


def test_withheld_descriptions_are_empty_whatever_they_contain() -> None:
    for publication in ("private", "listed", "moderated"):
        assert public_description(publication=publication, is_public=True, description="Dziura", approved=None) == ""
    assert public_description(publication="redacted", is_public=False, description="Dziura", approved=None) == ""


def test_the_approved_text_is_what_a_moderated_service_shows_redacted() -> None:
    shown = public_description(
        publication="moderated", is_public=True, description="oryginał", approved="Zadzwoń 600100200"
    )
    assert shown == "Zadzwoń […]"
