"""Fictional registered people for the example exports, the tests and the benchmark: Polish names,
valid PESELs (computed with the checksum), Podlaskie places and occupations that exist in KZiS 2023.
Nobody here is real."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from okienko.contracting.registry.mappers import COLUMNS

FEMALE = [
    "Anna",
    "Katarzyna",
    "Maria",
    "Magdalena",
    "Agnieszka",
    "Joanna",
    "Ewa",
    "Monika",
    "Aleksandra",
    "Natalia",
    "Karolina",
    "Justyna",
    "Paulina",
    "Marta",
    "Beata",
    "Izabela",
    "Weronika",
    "Zofia",
    "Julia",
    "Emilia",
]
MALE = [
    "Piotr",
    "Krzysztof",
    "Tomasz",
    "Paweł",
    "Michał",
    "Marcin",
    "Jakub",
    "Adam",
    "Łukasz",
    "Mateusz",
    "Grzegorz",
    "Dariusz",
    "Kamil",
    "Rafał",
    "Sebastian",
    "Bartosz",
    "Wojciech",
    "Jan",
    "Szymon",
    "Damian",
]
# (masculine, feminine)
SURNAMES = [
    ("Kowalski", "Kowalska"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"),
    ("Krawczyk", "Krawczyk"),
    ("Piotrowski", "Piotrowska"),
    ("Grabowski", "Grabowska"),
    ("Sokołowski", "Sokołowska"),
    ("Olszewski", "Olszewska"),
    ("Kalinowski", "Kalinowska"),
    ("Żukowski", "Żukowska"),
    ("Ostrowski", "Ostrowska"),
    ("Kulesza", "Kulesza"),
    ("Gryko", "Gryko"),
    ("Łapiński", "Łapińska"),
    ("Jabłoński", "Jabłońska"),
    ("Sienkiewicz", "Sienkiewicz"),
    ("Wasilewski", "Wasilewska"),
    ("Dmochowski", "Dmochowska"),
    ("Szczepański", "Szczepańska"),
]
# (town, postcode, TERC code of the gmina, streets)
PLACES = {
    "bialystok": [
        (
            "Białystok",
            "15-062",
            "2061011",
            [
                "ul. Lipowa",
                "ul. Sienkiewicza",
                "ul. Mickiewicza",
                "ul. Wiejska",
                "ul. Kawaleryjska",
                "ul. Pogodna",
                "ul. Warszawska",
                "ul. Zwierzyniecka",
            ],
        ),
        ("Wasilków", "16-010", "2002134", ["ul. Białostocka", "ul. Supraślska", "ul. Polna"]),
        ("Choroszcz", "16-070", "2002014", ["ul. Dominikańska", "ul. Sienkiewicza"]),
        ("Łapy", "18-100", "2002064", ["ul. Główna", "ul. Cmentarna", "ul. Nowa"]),
        ("Supraśl", "16-030", "2002094", ["ul. Kościelna", "ul. 3 Maja"]),
    ],
    "lomza": [
        (
            "Łomża",
            "18-400",
            "2062011",
            ["ul. Długa", "ul. Dworna", "ul. Zjazd", "ul. Szosa Zambrowska", "ul. Wojska Polskiego", "al. Legionów"],
        ),
        ("Zambrów", "18-300", "2014011", ["ul. Fabryczna", "ul. Kościuszki"]),
        ("Kolno", "18-500", "2006011", ["ul. Wojska Polskiego", "ul. Witosa"]),
        ("Piątnica Poduchowna", "18-421", "", ["ul. Górna"]),
    ],
}
OCCUPATIONS = [
    "411003",
    "522301",
    "523002",
    "512001",
    "514101",
    "711202",
    "712101",
    "712905",
    "721306",
    "741103",
    "751201",
    "832201",
    "833203",
    "911205",
    "911207",
    "933301",
    "962907",
    "241103",
    "431103",
    "325101",
]
EDUCATION = [
    "gimnazjalne/podstawowe",
    "zasadnicze zawodowe",
    "średnie ogólnokształcące",
    "policealne i średnie zawodowe",
    "wyższe",
]
EMPLOYERS = [
    "Spółdzielnia Mleczarska Mlekpol",
    "Biedronka sp. z o.o.",
    "Zakład Usług Remontowych „Dom”",
    "Piekarnia Pod Kłosem",
    "Hotel Branicki",
    "Transport Drogowy Nowak",
    "Urząd Gminy Wasilków",
    "Pizzeria Roma",
    "Fabryka Mebli Forte",
    "Przedsiębiorstwo Budowlane Podlasie",
]
QUALIFICATIONS = [
    "prawo jazdy kat. B",
    "prawo jazdy kat. C",
    "uprawnienia SEP do 1 kV",
    "wózki widłowe (UDT)",
    "książeczka sanepidowska",
    "język angielski B1",
    "obsługa kasy fiskalnej",
    "kurs HACCP",
]
ACTIVATION = ["szkolenie", "staż", "prace interwencyjne", "roboty publiczne", "prace społecznie użyteczne"]


def pesel(born: dt.date, gender: str, serial: int) -> str:
    """A valid PESEL for ``born`` and ``gender`` ("F"/"M") with the 3-digit ``serial``."""
    month = born.month + {1800: 80, 1900: 0, 2000: 20, 2100: 40, 2200: 60}[born.year // 100 * 100]
    sex = serial % 5 * 2 + (1 if gender == "M" else 0)
    digits = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial % 1000:03d}{sex}"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 10) % 10
    return digits + str(check)


@dataclass
class Person:
    registry_id: str
    pesel: str
    document: str
    first_name: str
    last_name: str
    birth_date: dt.date
    gender: str
    email: str
    phone: str
    street: str
    postcode: str
    city: str
    teryt: str
    registered_on: dt.date
    status: str
    education: str
    occupations: list[str] = field(default_factory=list)
    work_history: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)
    qualifications: list[str] = field(default_factory=list)
    activation: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    profile: str = ""


def people(
    count: int,
    *,
    office: str = "bialystok",
    prefix: str = "BI",
    seed: int = 2026,
    today: dt.date = dt.date(2026, 11, 30),
) -> Iterator[Person]:
    rng = random.Random(seed)  # noqa: S311 (fictional data, not secrets)
    places = PLACES[office]
    for n in range(1, count + 1):
        gender = "F" if rng.random() < 0.52 else "M"
        first = rng.choice(FEMALE if gender == "F" else MALE)
        last = rng.choice(SURNAMES)[1 if gender == "F" else 0]
        born = dt.date(rng.randint(1962, 2006), rng.randint(1, 12), rng.randint(1, 28))
        town, postcode, teryt, streets = rng.choice(places)
        no_pesel = n % 97 == 13
        registered = today - dt.timedelta(days=rng.randint(10, 900))
        history: list[tuple[str, str, dt.date, dt.date | None]] = []
        start = dt.date(max(born.year + 18, 2000), rng.randint(1, 12), 1)
        for _ in range(rng.randint(0, 3)):
            end = start + dt.timedelta(days=rng.randint(90, 900))
            if end >= registered:
                break
            history.append((rng.choice(EMPLOYERS), "", start, end))
            start = end + dt.timedelta(days=rng.randint(30, 200))
        occupations = rng.sample(OCCUPATIONS, rng.randint(1, 2))
        history = [(emp, _position(occupations[0]), s, e) for emp, _p, s, e in history]
        activation = []
        if rng.random() < 0.4:
            s = registered + dt.timedelta(days=rng.randint(5, 60))
            if s + dt.timedelta(days=30) < today:
                activation.append((rng.choice(ACTIVATION), s, s + dt.timedelta(days=rng.randint(20, 180))))
                if activation[0][2] > today:
                    activation = [(activation[0][0], s, today)]
        ascii_last = last.translate(str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")).lower()
        ascii_first = first.translate(str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")).lower()
        yield Person(
            registry_id=f"{prefix}/{registered.year}/{n:06d}",
            pesel="" if no_pesel else pesel(born, gender, rng.randint(0, 999)),
            document=f"ABC{rng.randint(100000, 999999)}" if no_pesel else "",
            first_name=first,
            last_name=last,
            birth_date=born,
            gender=gender,
            email=f"{ascii_first}.{ascii_last}{n}@example.pl" if rng.random() < 0.8 else "",
            phone=f"{rng.choice([5, 6, 7, 8])}{rng.randint(10000000, 99999999)}" if rng.random() < 0.9 else "",
            street=f"{rng.choice(streets)} {rng.randint(1, 120)}"
            + (f"/{rng.randint(1, 40)}" if rng.random() < 0.5 else ""),
            postcode=postcode,
            city=town,
            teryt=teryt,
            registered_on=registered,
            status="poszukujący pracy" if rng.random() < 0.1 else "bezrobotny",
            education=rng.choice(EDUCATION),
            occupations=occupations,
            work_history=history,
            qualifications=rng.sample(QUALIFICATIONS, rng.randint(0, 2)),
            activation=activation,
            profile=rng.choice(["", "", "I", "II", "III"]) if registered.year < 2019 else "",
        )


def _position(code: str) -> str:
    from okienko.contracting.registry.validation import occupation_name

    return occupation_name(code) or "pracownik"


HEADER = list(COLUMNS)  # the columns the CSV mapper reads


def csv_row(p: Person, *, dotted_dates: bool = False) -> list[str]:
    def d(value: dt.date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%d.%m.%Y") if dotted_dates else value.isoformat()

    return [
        p.registry_id,
        p.pesel,
        p.document,
        p.first_name,
        p.last_name,
        d(p.birth_date),
        "K" if p.gender == "F" else "M",
        p.email,
        p.phone,
        p.street,
        p.postcode,
        p.city,
        p.teryt,
        d(p.registered_on),
        p.status,
        p.education,
        "|".join(p.occupations),
        "2023",
        "|".join(f"{emp}^{pos}^{d(s)}^{d(e)}" for emp, pos, s, e in p.work_history),
        "|".join(p.qualifications),
        "|".join(f"{form}^{d(s)}^{d(e)}" for form, s, e in p.activation),
        p.profile,
    ]


def to_csv(rows: list[list[str]], *, delimiter: str = ";") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def to_xml(persons: list[Person], *, office_name: str) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<eksport system="Syriusz" urzad={quoteattr(office_name)} data="2026-11-30" wersja="1">',
    ]
    for p in persons:
        lines.append(f"  <osoba id={quoteattr(p.registry_id)}>")
        lines.append(
            f"    <pesel>{p.pesel}</pesel>" if p.pesel else f"    <dokument>{xml_escape(p.document)}</dokument>"
        )
        lines.append(f"    <imie>{xml_escape(p.first_name)}</imie>")
        lines.append(f"    <nazwisko>{xml_escape(p.last_name)}</nazwisko>")
        lines.append(f"    <data_urodzenia>{p.birth_date.isoformat()}</data_urodzenia>")
        lines.append(f"    <plec>{'K' if p.gender == 'F' else 'M'}</plec>")
        lines.append(f"    <kontakt><email>{xml_escape(p.email)}</email><telefon>{p.phone}</telefon></kontakt>")
        lines.append(
            f"    <adres><ulica>{xml_escape(p.street)}</ulica><kod_pocztowy>{p.postcode}</kod_pocztowy>"
            f"<miejscowosc>{xml_escape(p.city)}</miejscowosc><teryt>{p.teryt}</teryt></adres>"
        )
        lines.append(f'    <rejestracja data="{p.registered_on.isoformat()}" status={quoteattr(p.status)}/>')
        lines.append(f"    <wyksztalcenie>{xml_escape(p.education)}</wyksztalcenie>")
        lines.append("    <zawody>" + "".join(f'<zawod kod="{c}" edycja="2023"/>' for c in p.occupations) + "</zawody>")
        if p.work_history:
            lines.append("    <historia_zatrudnienia>")
            for emp, pos, s, e in p.work_history:
                lines.append(
                    f"      <zatrudnienie pracodawca={quoteattr(emp)} stanowisko={quoteattr(pos)} "
                    f'od="{s.isoformat()}" do="{e.isoformat() if e else ""}"/>'
                )
            lines.append("    </historia_zatrudnienia>")
        if p.qualifications:
            lines.append(
                "    <kwalifikacje>"
                + "".join(f"<kwalifikacja>{xml_escape(q)}</kwalifikacja>" for q in p.qualifications)
                + "</kwalifikacje>"
            )
        if p.activation:
            lines.append(
                "    <aktywizacja>"
                + "".join(
                    f'<udzial forma={quoteattr(f)} od="{s.isoformat()}" do="{e.isoformat()}"/>'
                    for f, s, e in p.activation
                )
                + "</aktywizacja>"
            )
        if p.profile:
            lines.append(f"    <profil_pomocy>{p.profile}</profil_pomocy>")
        lines.append("  </osoba>")
    lines.append("</eksport>")
    return "\n".join(lines) + "\n"


def bad_rows(persons: list[Person]) -> list[list[str]]:
    """Rows each with one deliberate mistake (for the rejected-rows report), built on ``persons``."""
    rows = [csv_row(p) for p in persons]
    rows[0][1] = rows[0][1][:10] + str((int(rows[0][1][10]) + 1) % 10)  # PESEL check digit wrong
    rows[1][5] = "1999-02-30"  # not a real date
    rows[2][16] = "999999"  # no such occupation
    rows[3][15] = "doktorat honoris causa"  # unknown education level
    rows[4][3] = '=HYPERLINK("http://example.invalid","kliknij")'  # formula injection
    rows[5][7] = "jan.kowalski@"  # bad e-mail
    rows[6][8] = "12345"  # bad phone
    rows[7][4] = ""  # last name missing
    rows[8][0] = rows[9][0] = "BI/2025/DUPL01"  # the second is a duplicate
    rows[10][5] = "01.01.1990"  # birth date differs from the PESEL
    rows[11][14] = "emeryt"  # unknown status
    return rows
