"""Demo knowledge base written for the two demo domains: a labour-office FAQ (WUP Białystok and
its PUPs) and the Łódź city contact centre's answers, each with its legal basis or official source
and the catalogue services it answers; internal procedures, topics and synonyms.

Earlier versions imported 40 procedure guides translated from a foreign guide site (Tramitit);
they described other countries' rules in places (UK benefits, a fee for a Polish ID card) and are
archived when the demo is loaded again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.knowledge import actions, importing
from okienko.knowledge.models import Article, Synonym, Topic

VERSION = 3  # 2: an article due for review and a demo attachment; 3: own content with legal bases
FIXTURES = Path(__file__).parent / "fixtures"
LABOUR_ACT = (
    "Ustawa z dnia 20 marca 2025 r. o rynku pracy i służbach zatrudnienia (Dz.U. 2025 poz. 620), "
    "obowiązująca od 1 czerwca 2025 r."
)
RETIRED_ATTRIBUTION = "Źródło: Tramitit guides"

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
    published = Article.Status.PUBLISHED
    _retire_translated_guides(stdout)
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
            legal_basis=LABOUR_ACT,
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
            legal_basis=LABOUR_ACT,
            summary="The colloquial name of the unemployment benefit paid by the county labour office.",
            body=(
                "<p>“Kuroniówka” is the colloquial name of the unemployment benefit (zasiłek dla bezrobotnych), "
                "after Jacek Kuroń, minister of labour in the early 1990s. It is paid by the county labour office "
                "(PUP) to registered unemployed people who worked at least 365 days in the 18 months before "
                "registering. The current amount is announced every year; ask the office or see praca.gov.pl.</p>"
            ),
        )
    _review_and_attachment_demo(wup)


def _retire_translated_guides(stdout: Any) -> None:
    """Archive the translated foreign guides an earlier demo loaded: an office cannot stand behind them."""
    old = Article.objects.filter(attribution__startswith=RETIRED_ATTRIBUTION).exclude(status=Article.Status.ARCHIVED)
    count = 0
    for article in old:
        actions.transition_article(actor=None, article=article, to_status=Article.Status.ARCHIVED, note="demo v3")
        count += 1
    if count:
        stdout.write(f"  knowledge: {count} translated guides archived")


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
            legal_basis=LABOUR_ACT,
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
