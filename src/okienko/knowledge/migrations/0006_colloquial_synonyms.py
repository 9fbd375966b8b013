"""Ship everyday Polish names of labour-office and city matters as editable synonyms (ADR 0045).

Residents and job seekers write "kuroniówka", "pośredniak", "prawko", "śmieciarka" where the
articles say "zasiłek dla bezrobotnych", "urząd pracy", "prawo jazdy", "odbiór odpadów". The
search matches a synonym's words in any inflected form, with or without Polish letters, so one
row per word is enough. Rows are only added where the phrase is not defined yet; editors change
or delete them in the synonym editor like their own.
"""

import re

from django.db import migrations
from django.utils import timezone

# (word or phrase, also search for). Words only: the search ignores "się", "na", "z" and other
# function words in phrases.
LEXICON = [
    # labour office: colloquial names of the office, the status and the benefits
    ("kuroniówka", "zasiłek dla bezrobotnych"),
    ("pośredniak", "urząd pracy"),
    ("pup", "powiatowy urząd pracy"),
    ("wup", "wojewódzki urząd pracy"),
    ("bezrobocie", "bezrobotny zasiłek"),
    ("zasiłkowy", "zasiłek"),
    ("robota", "praca"),
    ("fucha", "praca dorywcza"),
    ("dorobić", "dorabiać przychód"),
    ("zarobić", "przychód wynagrodzenie"),
    ("zapisać się", "zarejestrować rejestracja"),
    ("wypisać się", "wyrejestrować wyrejestrowanie"),
    ("rzucić pracę", "rozwiązanie umowy wypowiedzenie"),
    ("zwolnić z pracy", "utrata pracy rozwiązanie umowy"),
    ("stracić pracę", "utrata pracy"),
    ("utrata pracy", "stracić pracę"),
    ("zwolnienie grupowe", "rozwiązanie umowy przez pracodawcę"),
    ("l4", "zwolnienie lekarskie"),
    ("elka", "zwolnienie lekarskie"),
    ("chorobowe", "zwolnienie lekarskie zasiłek chorobowy"),
    ("praktyki", "staż"),
    ("kurs", "szkolenie"),
    ("dofinansowanie", "dotacja refundacja"),
    ("dotacja", "jednorazowe środki działalność gospodarcza"),
    ("własna firma", "działalność gospodarcza"),
    ("jdg", "jednoosobowa działalność gospodarcza"),
    ("ogłoszenie o pracę", "oferta pracy"),
    ("szef", "pracodawca"),
    ("życiorys", "cv"),
    ("pół roku", "6 miesięcy 180 dni"),
    ("socjal", "pomoc społeczna ośrodek pomocy społecznej"),
    ("mops", "ośrodek pomocy społecznej"),
    ("obcokrajowiec", "cudzoziemiec"),
    ("cudzoziemiec", "obcokrajowiec"),
    ("ukrainiec", "obywatel Ukrainy cudzoziemiec"),
    # documents and civil matters
    ("dowód", "dowód osobisty"),
    ("dowodzik", "dowód osobisty"),
    ("prawko", "prawo jazdy"),
    ("meldunek", "zameldowanie"),
    ("przemeldować", "zmiana adresu zameldowania wymeldowanie"),
    ("ślub", "małżeństwo"),
    ("usc", "urząd stanu cywilnego"),
    ("krk", "krajowy rejestr karny niekaralność"),
    ("niekaralność", "krajowy rejestr karny"),
    ("ukraść", "kradzież"),
    ("okraść", "kradzież"),
    ("zgubić", "utrata dokumentów"),
    ("noworodek", "dziecko urodzenie"),
    ("niemowlę", "dziecko"),
    ("niemowlak", "dziecko"),
    ("taxi", "taksówka"),
    ("auto", "samochód pojazd"),
    ("fura", "samochód pojazd"),
    ("tablice", "tablice rejestracyjne"),
    ("komórka", "telefon"),
    # city services
    ("śmieci", "odpady"),
    ("śmieciarka", "odbiór odpadów"),
    ("śmieciowy", "odpady"),
    ("kubeł", "pojemnik na odpady"),
    ("gruz", "odpady"),
    ("dziura", "ubytek jezdnia"),
    ("wyrwa", "dziura ubytek jezdnia"),
    ("asfalt", "nawierzchnia jezdnia"),
    ("lampa", "latarnia oświetlenie"),
    ("gałąź", "konar drzewo"),
    ("wrak", "porzucony pojazd"),
]


def words(text):
    return re.findall(r"[^\W_]+", text, re.UNICODE)


def add_lexicon(apps, schema_editor):
    Synonym = apps.get_model("knowledge", "Synonym")
    existing = set(Synonym.objects.values_list("phrase", flat=True))
    now = timezone.now()
    rows = []
    for phrase, expansion in LEXICON:
        key = " ".join(words(phrase)).lower()
        if key not in existing:
            existing.add(key)
            rows.append(Synonym(phrase=key, expansion=expansion, created_at=now))
    Synonym.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0005_attachment_upload")]

    operations = [migrations.RunPython(add_lexicon, migrations.RunPython.noop)]
