"""Offer search (Polish inflection, diacritics, synonyms, FTS syntax, filters), the REST API and
the CBOP export command."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from okienko.accounts.models import Organisation
from okienko.jobs import actions, search
from okienko.jobs.models import JobOffer
from tests.jobs.helpers import TEST, approved, employer, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def offers(office: Organisation) -> dict[str, JobOffer]:
    emp = employer(office)
    return {
        "driver": published(office, emp),
        "clerk": published(
            office,
            emp,
            title="Księgowa / Księgowy",
            occupation_code="331301",
            description="<p>Prowadzenie ksiąg rachunkowych w biurze w Łomży.</p>",
            place_teryt="2062011",
            place_locality="Łomża",
            latitude=53.1781,
            longitude=22.0590,
            contract_type="mandate",
            working_time=Decimal("0.50"),
            pay_min=Decimal("30"),
            pay_max=None,
            pay_period="hour",
        ),
        "cook": approved(
            office,
            employer(office, verified=False),
            title="Kucharz (k/m)",
            occupation_code="512001",
            description="<p>Gotowanie obiadów w stołówce szkolnej.</p>",
            place_teryt="2002011",
            place_locality="Augustów",
            latitude=53.8436,
            longitude=22.9797,
            pay_min=Decimal("4800"),
            pay_max=Decimal("5200"),
        ),
    }


def titles(filters: search.Filters) -> set[str]:
    found, _place = search.filtered(filters)
    return {o.title for o in found}


def test_inflection_and_no_diacritics(offers: dict[str, JobOffer]) -> None:
    driver, clerk = offers["driver"].title, offers["clerk"].title
    assert titles(search.Filters(query="kierowców")) == {driver}
    assert titles(search.Filters(query="kierowcow")) == {driver}
    assert titles(search.Filters(query="KSIEGOWEJ")) == {clerk}
    assert titles(search.Filters(query="księgach rachunkowych")) == {clerk}
    assert titles(search.Filters(query="lomza")) == {clerk}


def test_occupation_synonyms_from_the_gus_thesaurus(offers: dict[str, JobOffer]) -> None:
    # 833201's thesaurus titles: "Kierowca autocysterny, cysterny"
    assert titles(search.Filters(query="cysterna")) == {offers["driver"].title}


@pytest.mark.parametrize(
    "query",
    ['kierowca"', "kierowca OR", "NEAR(kierowca", "kier*", "^kierowca", "title:kierowca", "(((", "'; DROP", "AND", "-"],
)
def test_fts_syntax_is_plain_words(offers: dict[str, JobOffer], query: str) -> None:
    found, _place = search.filtered(search.Filters(query=query))
    list(found)


def test_filters(offers: dict[str, JobOffer]) -> None:
    driver, clerk, cook = (offers[k].title for k in ("driver", "clerk", "cook"))
    assert titles(search.Filters(area="2062")) == {clerk}
    assert titles(search.Filters(area="20")) == {driver, clerk, cook}
    assert titles(search.Filters(occupation="83")) == {driver}
    assert titles(search.Filters(contract=["mandate"])) == {clerk}
    assert titles(search.Filters(working_time="part")) == {clerk}
    assert titles(search.Filters(pay_min=Decimal("5000"))) == {driver, clerk, cook}
    assert titles(search.Filters(pay_min=Decimal("5500"))) == {driver}
    assert titles(search.Filters(verified_only=True)) == {driver, clerk}
    assert titles(search.Filters(near="Białystok", km=30)) == {driver}
    assert titles(search.Filters(near="Białystok", km=120)) == {driver, clerk, cook}
    _found, place = search.filtered(search.Filters(near="Atlantyda", km=10))
    assert place is False


def test_api_lists_published_offers_with_filters(
    client: Client, offers: dict[str, JobOffer], office: Organisation
) -> None:
    draft = actions.create_offer(actor=TEST, employer=employer(office), values={**_values(), "title": "Szkic (k/m)"})
    answer = client.get("/api/v1/jobs/offers/")
    assert answer.status_code == 200
    body = answer.json()
    assert {r["title"] for r in body["results"]} == {o.title for o in offers.values()}
    assert draft.title not in {r["title"] for r in body["results"]}
    only = client.get("/api/v1/jobs/offers/", {"q": "kierowcow", "verified": "true"}).json()
    assert [r["uuid"] for r in only["results"]] == [str(offers["driver"].uuid)]
    detail = client.get(f"/api/v1/jobs/offers/{offers['clerk'].uuid}/")
    assert detail.status_code == 200
    assert detail.json()["occupation_code"] == "331301"
    assert client.get(f"/api/v1/jobs/offers/{draft.uuid}/").status_code == 404
    bad = client.get("/api/v1/jobs/offers/", {"area": "x", "km": "-1"})
    assert bad.status_code == 400
    assert bad["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/jobs/offers/", {"q": 'a" OR b NEAR(c'}).status_code == 200


def _values() -> dict[str, object]:
    from tests.jobs.helpers import values

    return values()


def test_cbop_export_command(offers: dict[str, JobOffer]) -> None:
    out = io.StringIO()
    call_command("export_cbop", stdout=out)
    data = json.loads(out.getvalue())
    by_title = {o["stanowisko"]: o for o in data["oferty"]}
    assert set(by_title) == {offers["driver"].title, offers["clerk"].title}  # the cook's employer is unverified
    clerk = by_title[offers["clerk"].title]
    assert clerk["rodzajZatrudnienia"] == "Umowa zlecenie/ umowa o świadczenie usług"
    assert clerk["wynagrodzenieBruttoZTypemStawki"] == "30.00 PLN/godz"
    assert clerk["kodPowiatu"] == "2062"
    assert clerk["wymiarEtatu"] == 0.5
