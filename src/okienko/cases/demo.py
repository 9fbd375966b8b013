"""Demo cases for Łódź and the Podlaskie labour offices, and routing rules for both.

Places, channels and handling times come from the real 311 samples in ``settings.DATA_DIR``
(Boston, New York, San Francisco; a clone without them gets a smaller invented set): their
coordinates are mapped into Łódź (51.70–51.85 N, 19.35–19.60 E) and their categories to the
Polish city services; descriptions are written in Polish per category. Cases are opened and moved
through the workflow with the real actions; only the opening time is back-dated afterwards so that
queues show deadlines, reminders and overdue.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F

from okienko.accounts.models import Organisation, User
from okienko.cases import actions
from okienko.cases.models import Case, RoutingRule
from okienko.catalogue.models import Service
from okienko.core import clock
from okienko.core.actors import Actor

VERSION = 1

# source category (lower case) -> (service code, Polish descriptions)
CATEGORY_MAP: dict[str, tuple[str, list[str]]] = {
    "illegal parking": (
        "nieprawidlowe-parkowanie",
        [
            "Samochód zaparkowany na drodze pożarowej, utrudnia przejazd.",
            "Auto stoi na chodniku i zasłania przejście dla pieszych.",
            "Pojazd blokuje wjazd do posesji od rana.",
        ],
    ),
    "blocked driveway": ("nieprawidlowe-parkowanie", ["Zablokowany wjazd do garażu przez obcy samochód."]),
    "abandoned vehicle": (
        "porzucony-pojazd",
        [
            "Wrak samochodu stoi przy ulicy od kilku tygodni, bez tablic rejestracyjnych.",
            "Porzucony samochód z wybitą szybą, zajmuje miejsce parkingowe.",
        ],
    ),
    "sidewalk not shoveled": (
        "nieodsniezony-chodnik",
        [
            "Chodnik nieodśnieżony, bardzo ślisko przy przystanku.",
            "Zalegający lód na chodniku przed szkołą.",
        ],
    ),
    "noise": (
        "halas",
        [
            "Głośna muzyka z mieszkania po godzinie 22.",
            "Hałas z lokalu gastronomicznego w nocy.",
            "Głośne zachowanie grupy osób na ulicy w nocy.",
        ],
    ),
    "street condition": ("dziura-w-jezdni", ["Głęboka dziura w jezdni na pasie ruchu."]),
    "street defects": ("dziura-w-jezdni", ["Wyrwa w asfalcie przy krawężniku, niebezpieczna dla rowerzystów."]),
    "sewer issues": ("dziura-w-jezdni", ["Zapadnięta studzienka kanalizacyjna w jezdni."]),
    "missed collection": ("nieodebrane-odpady", ["Nie odebrano odpadów zmieszanych zgodnie z harmonogramem."]),
    "illegal dumping": ("dzikie-wysypisko", ["Stos gruzu i opon porzucony na skraju lasku."]),
    "dead animal": ("martwe-zwierze", ["Martwy kot na poboczu drogi."]),
    "traffic signal condition": ("sygnalizacja-swietlna", ["Nie działa sygnalizacja na skrzyżowaniu."]),
    "other": ("graffiti", ["Nowe graffiti na elewacji kamienicy.", "Napisy sprayem na wiacie przystankowej."]),
}
FALLBACK = ("zaniedbany-teren-zielony", ["Zaniedbany skwer: przepełnione kosze i wysoka trawa."])
ADDRESSES = [
    "ul. Piotrkowska",
    "al. Kościuszki",
    "ul. Zgierska",
    "ul. Pabianicka",
    "al. Włókniarzy",
    "ul. Narutowicza",
    "ul. Rzgowska",
    "al. Piłsudskiego",
    "ul. Limanowskiego",
    "ul. Łagiewnicka",
    "ul. Kilińskiego",
    "ul. Wólczańska",
]
CHANNELS = {
    "phone": "phone",
    "web": "web",
    "online": "web",
    "mobile/open311": "web",
    "twitter": "social",
    "email": "email",
    "mobile": "web",
}
EXPERTS = {"lodz-zdit": "ekspert.zdit", "lodz-zzm": "ekspert.zzm", "pup-bialystok-ewidencja": "ekspert.bialystok"}
# the cycle of target statuses given to demo cases
STATES = [
    "assigned",
    "in_progress",
    "waiting_client",
    "waiting_third_party",
    "resolved",
    "closed",
    "reopened",
    "cancelled",
    "duplicate",
    "assigned",
    "split",
    "in_progress",
    "assigned",
]


@dataclass
class Sample:
    category: str
    lat: float
    lon: float
    channel: str
    hours_to_close: float | None


def _parse(value: str) -> dt.datetime | None:
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%m/%d/%Y %I:%M:%S %p"):
        try:
            return dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


def _hours(created: str, closed: str) -> float | None:
    a, b = _parse(created), _parse(closed)
    if a is None or b is None:
        return None
    a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return max(0.0, (b - a).total_seconds() / 3600)


def load_samples(limit: int = 160) -> list[Sample]:
    base = Path(settings.DATA_DIR)
    rows: list[Sample] = []
    boston = base / "boston-311-open311" / "boston311_sample_200.csv"
    if boston.exists():
        with boston.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["lat"] and r["long"]:
                    rows.append(
                        Sample(
                            r["service_name"].lower(),
                            float(r["lat"]),
                            float(r["long"]),
                            "phone",
                            _hours(r["requested_datetime"], r["updated_datetime"]),
                        )
                    )
    nyc = base / "nyc-311-sample" / "nyc311_2022-05-01_one_hour.csv"
    if nyc.exists():
        with nyc.open(encoding="utf-8") as fh:
            for r in list(csv.DictReader(fh))[:120]:
                if r["Latitude"] and r["Longitude"]:
                    kind = "noise" if r["Complaint Type"].startswith("Noise") else r["Complaint Type"].lower()
                    rows.append(
                        Sample(
                            kind,
                            float(r["Latitude"]),
                            float(r["Longitude"]),
                            CHANNELS.get(r["Open Data Channel Type"].lower(), "phone"),
                            _hours(r["Created Date"], r["Closed Date"]),
                        )
                    )
    sf = base / "sf-311-sample" / "sf311_service_requests_10k.csv"
    if sf.exists():
        with sf.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["category"] in ("Street Defects", "Sewer Issues", "Noise Report") and r["latitude"] not in (
                    "",
                    "0.0",
                ):
                    kind = "noise" if r["category"] == "Noise Report" else r["category"].lower()
                    rows.append(
                        Sample(
                            kind,
                            float(r["latitude"]),
                            float(r["longitude"]),
                            CHANNELS.get(r["source"].lower(), "phone"),
                            _hours(r["created_date"], r["closed_date"]),
                        )
                    )
                if len(rows) > limit * 2:
                    break
    if not rows:
        return builtin_samples(limit // 2)
    rng = random.Random(311)  # noqa: S311 - demo data
    rng.shuffle(rows)
    return rows[:limit]


def builtin_samples(count: int) -> list[Sample]:
    """Without the shared 311 samples (a fresh clone): invented places and handling times, spread
    over the city like the real ones (points in New York's box, which ``to_lodz`` maps into Łódź)."""
    rng = random.Random(2026)  # noqa: S311 - demo data
    kinds = sorted(CATEGORY_MAP)
    channels = ["phone", "phone", "phone", "web", "email", "counter"]
    return [
        Sample(
            rng.choice(kinds),
            round(rng.uniform(40.55, 40.88), 5),
            round(rng.uniform(-74.20, -73.75), 5),
            rng.choice(channels),
            rng.choice([None, None, 3.0, 30.0, 90.0, 250.0]),
        )
        for _ in range(count)
    ]


def to_lodz(samples: list[Sample]) -> list[tuple[float, float]]:
    """Map each sample's point into Łódź's box, keeping relative positions within its own city."""
    out = []
    for s in samples:
        # rough per-source city boxes (Boston, New York, San Francisco)
        if s.lon < -100:
            box = (37.70, 37.82, -122.52, -122.35)
        elif s.lat > 42.0:
            box = (42.23, 42.40, -71.19, -70.99)
        else:
            box = (40.50, 40.92, -74.26, -73.70)
        fy = min(1.0, max(0.0, (s.lat - box[0]) / (box[1] - box[0])))
        fx = min(1.0, max(0.0, (s.lon - box[2]) / (box[3] - box[2])))
        out.append((round(51.70 + 0.15 * fy, 6), round(19.35 + 0.25 * fx, 6)))
    return out


def _routing_rules(lodz: Organisation, wup: Organisation | None) -> None:
    sm = Organisation.objects.filter(code="lodz-sm").first()
    ckzm = Organisation.objects.filter(code="lodz-ckzm").first()
    noise = Service.objects.filter(organisation=lodz, code="halas").first()
    if sm and noise:
        RoutingRule.objects.get_or_create(
            organisation=lodz,
            name="Hałas nocą → Straż Miejska (dyżur)",
            defaults={
                "order": 10,
                "service": noise,
                "time_from": dt.time(22),
                "time_to": dt.time(6),
                "target_unit": sm,
            },
        )
    if ckzm:
        RoutingRule.objects.get_or_create(
            organisation=lodz,
            name="Zgłoszenia spoza Łodzi → triage CKzM",
            defaults={"order": 90, "territory_prefix": "10", "weekdays": "56", "target_unit": ckzm, "active": False},
        )
    if wup is None:
        return
    for pup_code, prefixes in (("pup-bialystok", ["2002", "2061"]), ("pup-lomza", ["2007", "2062"])):
        dept = Organisation.objects.filter(code=f"{pup_code}-ewidencja").first()
        if dept is None:
            continue
        for prefix in prefixes:
            RoutingRule.objects.get_or_create(
                organisation=wup,
                name=f"Powiat {prefix} → {dept.name} ({pup_code})",
                defaults={"order": 20, "territory_prefix": prefix, "target_unit": dept},
            )


def _drive(case: Case, state: str, actor: Actor, others: list[Case]) -> None:
    """Move ``case`` to ``state`` with the real actions."""

    def go(to: str, note: str | None = None) -> None:
        nonlocal case
        case = actions.transition_case(actor=actor, case=case, to_status=to, note=note)

    if state == "assigned":
        return
    if state == "cancelled":
        go("cancelled", "Zgłoszenie wycofane przez zgłaszającego.")
        return
    if state == "duplicate" and others:
        actions.merge_cases(actor=actor, case=case, into=others[0])
        return
    if state == "split":
        units = list(Organisation.objects.filter(code__in=["lodz-zdit", "lodz-wgk"]))
        if len(units) == 2 and case.organisation.code == "lodz":
            actions.split_case(
                actor=actor,
                case=case,
                parts=[
                    {"unit": units[0], "description": case.description + " (jezdnia)"},
                    {"unit": units[1], "description": case.description + " (sprzątanie)"},
                ],
            )
        return
    go("in_progress")
    if state == "in_progress":
        return
    if state == "waiting_client":
        case = actions.ask_client(actor=actor, case=case, message="Prosimy o doprecyzowanie miejsca (numer budynku).")
        return
    if state == "waiting_third_party":
        go("waiting_third_party", "Czekamy na opinię zarządcy sieci.")
        return
    case = actions.resolve_case(actor=actor, case=case, message="Usterka usunięta. Dziękujemy za zgłoszenie.")
    if state == "closed":
        go("closed")
    elif state == "reopened":
        actions.reopen_case(actor=None, case=case, reason="Problem powrócił po kilku dniach.", on_client_request=True)


def load(*, stdout: Any) -> None:
    lodz = Organisation.objects.filter(code="lodz").first()
    wup = Organisation.objects.filter(code="wup-bialystok").first()
    if lodz is None:
        stdout.write("cases demo: no Łódź organisation, skipped")
        return
    _routing_rules(lodz, wup)
    if Case.objects.filter(organisation=lodz).exists():
        stdout.write("cases demo: already loaded")
        return
    consultant = User.objects.get(username="konsultant.lodz")
    supervisor = User.objects.get(username="kierownik.lodz")
    services = {s.code: s for s in Service.objects.filter(organisation=lodz)}
    samples = load_samples()
    points = to_lodz(samples)
    rng = random.Random(2026)  # noqa: S311 - demo data
    opened: list[Case] = []
    for i, (sample, (lat, lon)) in enumerate(zip(samples, points, strict=True)):
        code, texts = CATEGORY_MAP.get(sample.category, FALLBACK)
        if sample.category.startswith("noise"):
            code, texts = CATEGORY_MAP["noise"]
        service = services.get(code)
        if service is None:
            continue
        answers = {**_answers(service), **_rule_answers(service, random.Random(i))}  # noqa: S311 - demo data
        case = actions.open_case(
            actor=consultant,
            organisation=lodz,
            service=service,
            description=rng.choice(texts),
            channel=sample.channel,
            reporter=_reporter(i, rng.choice(["Jan Kowalski", "Anna Nowak", "Piotr Zieliński", "Ewa Wójcik", ""]), rng),
            location={
                "latitude": lat,
                "longitude": lon,
                "gmina_code": "1061011",
                "address": f"{rng.choice(ADDRESSES)} {rng.randint(1, 180)}, Łódź",
            },
            answers=answers,
        )
        # Demo only: spread the opening times over the last six weeks (handling time from the sample).
        age = dt.timedelta(hours=min(sample.hours_to_close or rng.uniform(1, 400), 1000)) + dt.timedelta(
            hours=rng.uniform(0, 300)
        )
        shift = min(age, dt.timedelta(days=12))
        Case.objects.filter(pk=case.pk).update(
            created_at=F("created_at") - shift,
            response_due=F("response_due") - shift,
            resolve_due=F("resolve_due") - shift,
            resolve_due_3x=F("resolve_due_3x") - shift,
        )
        case.refresh_from_db()
        expert = EXPERTS.get(case.assigned_unit.code if case.assigned_unit else "")
        if expert and i % 3 != 0:
            case = actions.assign_case(actor=supervisor, case=case, user=User.objects.get(username=expert))
        _drive(
            case,
            STATES[i % len(STATES)],
            supervisor,
            [c for c in opened if c.service_id == service.pk and c.status in ("assigned", "in_progress")],
        )
        opened.append(Case.objects.get(pk=case.pk))
    opened += _prioritised_cases(lodz, consultant, services)
    opened += _complaints(lodz, consultant, supervisor, services)
    labour = _labour_cases(wup)
    stdout.write(f"cases demo: {len(opened)} city cases, {labour} labour-office cases")


def _answers(service: Service) -> dict[str, Any]:
    """Plausible answers to the service's required questions."""
    answers: dict[str, Any] = {}
    for q in service.questions.filter(required=True).exclude(datatype="notice").prefetch_related("choices"):
        first = q.choices.first()
        if q.datatype == "singlevaluelist" and first:
            answers[q.code] = first.key
        elif q.datatype == "multivaluelist" and first:
            answers[q.code] = [first.key]
        elif q.datatype == "number":
            answers[q.code] = "2025" if "rok" in q.code else "1"
        elif q.datatype == "datetime":
            answers[q.code] = clock.now().isoformat()
        else:
            answers[q.code] = "nie dotyczy"
    return answers


# Reports whose answers meet a catalogue priority rule: ekspert.zdit sees them high-priority (or
# urgent) in the queue and on its map, with the rule's name on the case.
PRIORITISED = [
    (
        "dziura-w-jezdni",
        "Głęboka wyrwa na prawym pasie, samochody gwałtownie ją omijają.",
        "al. Piłsudskiego 12",
        51.7597,
        19.4699,
        {"rozmiar": "duzy", "pas-ruchu": "tak", "glebokosc": "15"},
    ),
    (
        "dziura-w-jezdni",
        "Dziura przy przejściu dla pieszych, po deszczu niewidoczna.",
        "ul. Zachodnia 70",
        51.7745,
        19.4487,
        {"rozmiar": "sredni", "pas-ruchu": "tak", "glebokosc": "12"},
    ),
    (
        "dziura-w-jezdni",
        "Duży ubytek na pasie do skrętu w lewo.",
        "ul. Kopcińskiego 20",
        51.7689,
        19.4867,
        {"rozmiar": "duzy", "pas-ruchu": "tak"},
    ),
    (
        "niedzialajaca-latarnia",
        "Cały odcinek ulicy bez światła od kilku dni.",
        "ul. Narutowicza 60",
        51.7727,
        19.4716,
        {"ile-latarni": "5"},
    ),
    (
        "sygnalizacja-swietlna",
        "Na skrzyżowaniu pulsuje żółte światło we wszystkich kierunkach.",
        "al. Kościuszki / ul. Zielona",
        51.7666,
        19.4545,
        {"rodzaj-awarii": "pulsujace"},
    ),
]


def _prioritised_cases(lodz: Organisation, consultant: Actor, services: dict[str, Service]) -> list[Case]:
    opened = []
    for code, description, address, lat, lon, answers in PRIORITISED:
        service = services.get(code)
        if service is None:
            continue
        opened.append(
            actions.open_case(
                actor=consultant,
                organisation=lodz,
                service=service,
                description=description,
                channel="phone",
                reporter={"name": "Katarzyna Lewandowska", "phone": "601202303"},
                location={"latitude": lat, "longitude": lon, "gmina_code": "1061011", "address": f"{address}, Łódź"},
                answers=answers,
            )
        )
    return opened


def _rule_answers(service: Service, rng: random.Random) -> dict[str, Any]:
    """Optional answers the catalogue's priority rules read (a deep pothole on the carriageway, a
    dark stretch of street), so that some demo cases are prioritised by a rule."""
    if service.code == "dziura-w-jezdni":
        return {"pas-ruchu": rng.choice(["tak", "tak", "nie"]), "glebokosc": str(rng.randint(2, 25))}
    if service.code == "niedzialajaca-latarnia":
        return {"ile-latarni": str(rng.randint(1, 6))}
    return {}


def _labour_cases(wup: Organisation | None) -> int:
    if wup is None:
        return 0
    consultant = User.objects.filter(username="konsultant.wup").first()
    supervisor = User.objects.filter(username="kierownik.wup").first()
    if consultant is None or supervisor is None:
        return 0
    count = 0
    texts = [
        ("zaswiadczenie-o-statusie", "Proszę o zaświadczenie o statusie osoby bezrobotnej do ZUS."),
        ("zgloszenie-oferty-pracy", "Pracodawca zgłasza ofertę pracy: magazynier, pełny etat."),
        ("pit-11-rmua", "Prośba o duplikat PIT-11 za poprzedni rok."),
        ("staz", "Pytanie o możliwość odbycia stażu w urzędzie gminy."),
    ]
    for i, (pup_code, gmina) in enumerate([("pup-bialystok", "2061011"), ("pup-lomza", "2062011")] * 4):
        pup = Organisation.objects.filter(code=pup_code).first()
        code, text = texts[i % len(texts)]
        service = Service.objects.filter(organisation=wup, code=code).first()
        if pup is None or service is None:
            continue
        from okienko.accounts.models import TerritorialUnit

        location = {"gmina_code": gmina} if TerritorialUnit.objects.filter(code=gmina).exists() else None
        answers = _answers(service)
        try:
            case = actions.open_case(
                actor=consultant,
                organisation=pup,
                service=service,
                description=text,
                channel="phone",
                location=location,
                answers=answers,
                reporter={"name": "Klient demonstracyjny"},
            )
        except Exception as exc:  # noqa: BLE001 - demo data must not stop the loader
            print(f"cases demo: labour case skipped ({exc})")  # noqa: T201
            continue
        expert = EXPERTS.get(case.assigned_unit.code if case.assigned_unit else "")
        if expert:
            case = actions.assign_case(actor=supervisor, case=case, user=User.objects.get(username=expert))
        _drive(case, ["assigned", "in_progress", "waiting_client", "resolved"][i % 4], supervisor, [])
        count += 1
    return count


# Complaints and a petition for the quality report: (service code, days ago, state, description).
COMPLAINTS = [
    ("skarga-na-dzialanie-urzedu", 40, "in_progress", "Skarga na przewlekłe załatwianie zgłoszenia dziury w jezdni."),
    ("skarga-na-dzialanie-urzedu", 25, "resolved", "Skarga na niegrzeczne zachowanie pracownika w punkcie obsługi."),
    ("skarga-na-dzialanie-urzedu", 3, "assigned", "Skarga na brak odpowiedzi na pismo w sprawie oświetlenia."),
    ("petycja", 30, "in_progress", "Petycja mieszkańców o ustawienie progów zwalniających przy szkole."),
]


def _complaints(lodz: Organisation, consultant: User, supervisor: User, services: dict[str, Service]) -> list[Case]:
    """A complaint still open after forty days (past the month of KPA art. 237), one answered in
    time, a new one and a petition, so the quality report's complaints table has lines."""
    made: list[Case] = []
    for i, (code, days, state, text) in enumerate(COMPLAINTS):
        service = services.get(code)
        if service is None:
            continue
        case = actions.open_case(
            actor=consultant,
            organisation=lodz,
            service=service,
            description=text,
            channel="email",
            reporter=_reporter(900 + i, "Maria Skarżyńska", random.Random(i)),  # noqa: S311 - demo data
            answers={},
        )
        shift = dt.timedelta(days=days)
        Case.objects.filter(pk=case.pk).update(
            created_at=F("created_at") - shift,
            response_due=F("response_due") - shift,
            resolve_due=F("resolve_due") - shift,
            resolve_due_3x=F("resolve_due_3x") - shift,
        )
        case.refresh_from_db()
        if state != "assigned":
            case = actions.transition_case(actor=supervisor, case=case, to_status="in_progress")
        if state == "resolved":
            case = actions.resolve_case(
                actor=supervisor, case=case, message="Skargę rozpatrzono; wyjaśnienia w piśmie wysłanym do Pani."
            )
        made.append(case)
    return made


def _reporter(i: int, name: str, rng: random.Random) -> dict[str, str]:
    """A made-up reporter: a name (or none), a phone and, for the named, an e-mail address at the
    reserved example domain, so that the demo's status changes send messages to ``var/mail``."""
    reporter = {"name": name, "phone": f"60{rng.randint(1000000, 9999999)}"}
    if name:
        local = name.lower().replace(" ", ".").translate(str.maketrans("ąćęłńóśźż", "acelnoszz"))
        reporter["email"] = f"{local}.{i}@example.pl"
    return reporter
