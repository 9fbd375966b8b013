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

VERSION = 2  # 2: an article due for review (owner: redaktor) and a demo attachment
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
    _review_and_attachment_demo(wup)


def _demo_pdf(text: str) -> bytes:
    """A one-page PDF with one line of (ASCII) text, so the demo needs no binary fixture."""
    stream = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _review_and_attachment_demo(wup: Organisation) -> None:
    """An internal procedure owned by ``redaktor`` whose review date has passed (the desk start
    page and the hourly reminder e-mail show it), and a form attached to a public FAQ entry
    (/pomoc/artykul/zasilek-od-kiedy/)."""
    from okienko.accounts.models import User

    editor = User.objects.filter(username="redaktor").first()
    if editor is not None and not Article.objects.filter(slug="procedura-rejestracja-bezrobotnego").exists():
        actions.create_article(
            actor=None,
            organisation=wup,
            slug="procedura-rejestracja-bezrobotnego",
            title="Procedura: rejestracja osoby bezrobotnej",
            kind=Article.Kind.PROCEDURE,
            audience=Article.Audience.INTERNAL,
            status=Article.Status.PUBLISHED,
            owner=editor,
            review_by=clock.local_now().date() - dt.timedelta(days=3),
            body=(
                "<p>Sprawdź tożsamość, status na rynku pracy i okresy zatrudnienia; wydaj decyzję o "
                "rejestracji i ustal profil pomocy.</p>"
            ),
        )
    card = Article.objects.filter(slug="zasilek-od-kiedy", language=Article.Language.PL).first()
    if card is not None and not card.attachments.exists():
        actions.add_attachment(
            actor=None,
            article=card,
            name="wzor-wniosku-demo.pdf",
            data=_demo_pdf("Wzor wniosku - dokument demonstracyjny Okienka"),
            title="Wzór wniosku (PDF, demo)",
        )


def _print(stdout: Any, name: str, report: importing.ImportReport) -> None:
    for line in report.lines():
        stdout.write(f"  knowledge {name}: {line}")
