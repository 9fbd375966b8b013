"""Demo knowledge base: the 40 Polish procedure guides (Tramitit, CC BY-SA 4.0) as public service
cards, a labour-office FAQ, Łódź 311 FAQ, internal procedures, topics and synonyms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.knowledge import actions, importing
from okienko.knowledge.models import Article, Synonym, Topic

VERSION = 1
FIXTURES = Path(__file__).parent / "fixtures"
GUIDES = "pl-admin-procedure-guides"
ATTRIBUTION = (
    "Źródło: Tramitit guides (https://github.com/tramitit/guides), plik pl/poland/{file}, "
    "licencja CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/deed.pl). "
    "Tekst uproszczony i niebędący źródłem urzędowym; może być nieaktualny."
)

TOPICS = [
    ("praca", "Praca i bezrobocie", "Rejestracja w urzędzie pracy, zasiłki, staże, szkolenia"),
    ("dokumenty", "Dokumenty tożsamości", "Dowód osobisty, paszport, utrata dokumentów"),
    ("meldunek", "Meldunek i adres", "Zameldowanie, wymeldowanie, zmiana adresu"),
    ("rodzina", "Stan cywilny i rodzina", "Urodzenie, małżeństwo, rozwód, zgon, nazwisko"),
    ("pojazdy", "Pojazdy i prawo jazdy", "Rejestracja pojazdu, prawo jazdy, licencje"),
    ("podatki", "Podatki i firma", "PIT, VAT, działalność gospodarcza"),
    ("cudzoziemcy", "Cudzoziemcy", "Pobyt, praca, azyl, obywatelstwo"),
    ("zdrowie", "Zdrowie i ubezpieczenie", "Ubezpieczenie zdrowotne, EKUZ"),
    ("mieszkanie", "Mieszkanie", "Dodatek mieszkaniowy, najem, budowa"),
    ("bezpieczenstwo", "Bezpieczeństwo", "Kradzież, niekaralność, broń"),
    ("miasto", "Sprawy miejskie (Łódź)", "Drogi, oświetlenie, odpady, zieleń"),
]

GUIDE_TOPICS = {
    "akt_malzenstwa": "rodzina",
    "deklaracja_podatkowa_pit": "podatki",
    "dowod_osobisty": "dokumenty",
    "karta_pobytu": "cudzoziemcy",
    "licencja_taksowkarska": "pojazdy",
    "paszport": "dokumenty",
    "pozwolenie_budowlane": "mieszkanie",
    "pozwolenie_na_bron": "bezpieczenstwo",
    "pozwolenie_na_prace_dla_cudzoziemcow": "cudzoziemcy",
    "prawo_jazdy": "pojazdy",
    "rejestracja_dzialalnosci_gospodarczej": "podatki",
    "rejestracja_pobytu_obywatela_ue": "cudzoziemcy",
    "rejestracja_urodzenia_dziecka_za_granica": "rodzina",
    "rozwod": "rodzina",
    "ubezpieczenie_zdrowotne": "zdrowie",
    "uznanie_ojcostwa": "rodzina",
    "wniosek_o_azyl": "cudzoziemcy",
    "wniosek_o_dodatek_mieszkaniowy": "mieszkanie",
    "wniosek_o_obywatelstwo": "cudzoziemcy",
    "wniosek_o_wydanie_europejskiej_karty_ubezpieczenia_zdrowotnego_ekuz": "zdrowie",
    "wydanie_aktu_zgonu": "rodzina",
    "wydanie_duplikatu_aktu_urodzenia": "rodzina",
    "wymiana_prawa_jazdy": "pojazdy",
    "zameldowanie_cudzoziemca": "meldunek",
    "zarejestrowanie_pojazdu": "pojazdy",
    "zasilek_dla_bezrobotnych": "praca",
    "zaswiadczenie_o_niekaralnosci": "bezpieczenstwo",
    "zaswiadczenie_o_zameldowaniu": "meldunek",
    "zgloszenie_cesji_umowy_najmu": "mieszkanie",
    "zgloszenie_kradziezy": "bezpieczenstwo",
    "zgloszenie_urodzenia_dziecka": "rodzina",
    "zgloszenie_utraty_dokumentow": "dokumenty",
    "zgloszenie_zmiany_danych_kontaktowych": "meldunek",
    "zgloszenie_zmiany_imienia": "rodzina",
    "zgloszenie_zmiany_miejsca_zamieszkania": "meldunek",
    "zgloszenie_zmiany_nazwiska": "rodzina",
    "zmiana_adresu_zameldowania": "meldunek",
    "zmiana_dowodu_osobistego": "dokumenty",
    "zmiana_dowodu_rejestracyjnego": "pojazdy",
    "zwrot_podatku_vat_za_zakupy_w_ue": "podatki",
}
# Guides a labour office answers about; the rest belong to the city.
LABOUR_GUIDES = {"zasilek_dla_bezrobotnych", "pozwolenie_na_prace_dla_cudzoziemcow", "ubezpieczenie_zdrowotne"}

SYNONYMS = [
    ("kuroniówka", "zasiłek dla bezrobotnych"),
    ("kuroniowka", "zasiłek dla bezrobotnych"),
    ("pośredniak", "urząd pracy"),
    ("posredniak", "urząd pracy"),
    ("pup", "powiatowy urząd pracy"),
    ("bezrobocie", "bezrobotny zasiłek"),
    ("l4", "zwolnienie lekarskie"),
    ("dotacja", "jednorazowe środki działalność gospodarcza"),
    ("firma", "działalność gospodarcza"),
    ("lampa", "latarnia oświetlenie"),
    ("dziura", "ubytek jezdnia"),
    ("śmieci", "odpady"),
    ("smieci", "odpady"),
    ("wrak", "porzucony pojazd"),
    ("auto", "samochód pojazd"),
    ("nfz", "ubezpieczenie zdrowotne"),
    ("dowód", "dowód osobisty"),
    ("meldunek", "zameldowanie"),
    ("ślub", "małżeństwo"),
    ("zus", "ubezpieczenie"),
    ("kasa", "pieniądze zasiłek"),
    ("kurs", "szkolenie"),
    ("praktyki", "staż"),
    ("19524", "infolinia"),
    ("obcokrajowiec", "cudzoziemiec"),
    ("pozwolenie na pracę", "zezwolenie na pracę"),
    ("ukraść", "kradzież"),
    ("zgubić", "utrata dokumentów"),
    ("papiery", "dokumenty"),
    ("biznes", "działalność gospodarcza"),
    ("żona", "małżonek rodzina"),
    ("mąż", "małżonek rodzina"),
    ("zapisać się", "rejestracja"),
]


def load(*, stdout: Any) -> None:
    for order, (slug, name, description) in enumerate(TOPICS):
        Topic.objects.update_or_create(slug=slug, defaults={"name": name, "description": description, "order": order})
    for phrase, expansion in SYNONYMS:
        if not Synonym.objects.filter(phrase=phrase.lower()).exists():
            Synonym.objects.create(phrase=phrase.lower(), expansion=expansion, created_at=clock.now())
    wup = Organisation.objects.get(code="wup-bialystok")
    city = Organisation.objects.get(code="lodz")
    folder = Path(settings.DATA_DIR) / GUIDES
    paths = sorted(p for p in folder.glob("*.md") if p.name != "SOURCE.md") if folder.is_dir() else []
    published = Article.Status.PUBLISHED
    for org, chosen in (
        (wup, [p for p in paths if p.stem in LABOUR_GUIDES]),
        (city, [p for p in paths if p.stem not in LABOUR_GUIDES]),
    ):
        report = importing.import_markdown(
            chosen, actor=None, organisation=org, attribution=ATTRIBUTION, topics=GUIDE_TOPICS, status=published
        )
        _print(stdout, f"guides ({org.code})", report)
    for name in ("faq_pup.csv", "faq_lodz.csv"):
        with (FIXTURES / name).open(encoding="utf-8", newline="") as stream:
            report = importing.import_csv(stream, actor=None, status=published)
        _print(stdout, name, report)
    if not Article.objects.filter(slug="nowe-przepisy-rynek-pracy-2025").exists():
        actions.create_article(
            actor=None,
            organisation=wup,
            slug="nowe-przepisy-rynek-pracy-2025",
            title="Ważne: nowe przepisy o rynku pracy od 1 czerwca 2025 r.",
            kind=Article.Kind.NEWS,
            audience=Article.Audience.INTERNAL,
            important=True,
            status=published,
            summary="Ustawa o rynku pracy i służbach zatrudnienia zastąpiła ustawę o promocji zatrudnienia.",
            body=(
                "<p>Od 1 czerwca 2025 r. stosujemy ustawę z 20 marca 2025 r. o rynku pracy i służbach "
                "zatrudnienia. Przy pytaniach o zasady sprzed tej daty sprawdzaj datę rejestracji klienta.</p>"
            ),
            review_by=clock.local_now().date() + dt.timedelta(days=30),
        )
    faq = Article.objects.filter(slug="kuroniowka", language="pl").first()
    if faq is not None and not Article.objects.filter(slug="kuroniowka", language="en").exists():
        actions.create_article(
            actor=None,
            organisation=wup,
            slug="kuroniowka",
            language=Article.Language.EN,
            translation_of=faq,
            title="What is “kuroniówka”?",
            question="What is “kuroniówka”?",
            kind=Article.Kind.FAQ,
            audience=Article.Audience.PUBLIC,
            topic=faq.topic,
            status=published,
            body=(
                "<p>“Kuroniówka” is the colloquial name of the unemployment benefit (zasiłek dla bezrobotnych), "
                "after Jacek Kuroń, minister of labour in the early 1990s. It is paid by the county labour office "
                "(PUP) to registered unemployed people who worked at least 365 days in the 18 months before "
                "registering.</p>"
            ),
        )


def _print(stdout: Any, name: str, report: importing.ImportReport) -> None:
    for line in report.lines():
        stdout.write(f"  knowledge {name}: {line}")
