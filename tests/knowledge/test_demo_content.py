"""Knowledge content an office can stand behind (issue 12, item 5): the demo articles are written
for the labour office and the city, name their legal basis, link their service; public deflection
stays within the form's jurisdiction; the desk panel shows the answer's summary."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client as HttpClient

from okienko.accounts import demo as accounts_demo
from okienko.accounts.models import Organisation, User
from okienko.catalogue import demo as catalogue_demo
from okienko.catalogue.models import Service
from okienko.knowledge import actions, demo, importing
from okienko.knowledge.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db: None) -> None:
    accounts_demo.load(stdout=io.StringIO())
    catalogue_demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())


def _text(article: Article) -> str:
    return re.sub(r"<[^>]+>", " ", " ".join([article.title, article.summary, article.body]))


def test_every_live_demo_article_names_its_legal_basis_or_source(loaded: None) -> None:
    live = list(Article.objects.live())
    assert len(live) >= 60
    assert [a.slug for a in live if not a.legal_basis.strip()] == []
    labour = [a for a in live if a.organisation.code == "wup-bialystok" and a.language == "pl"]
    assert all("2025" in a.legal_basis or "19524" in a.legal_basis or "1991" in a.legal_basis for a in labour)


def test_no_demo_article_describes_foreign_rules_or_ID_card_fees(loaded: None) -> None:
    for article in Article.objects.live().filter(language="pl"):
        text = _text(article)
        for phrase in ("Universal Credit", "Jobseeker", "Tramitit", "Wielka Brytania", "funt"):
            assert phrase not in text, (article.slug, phrase)
        if "dowód osobisty" in text.lower() or "dowodu osobistego" in text.lower():
            assert "opłat" not in text.lower(), article.slug


def test_public_demo_articles_link_the_matching_service(loaded: None) -> None:
    pothole = Article.objects.get(slug="lodz-dziura-w-jezdni")
    assert set(pothole.services.values_list("code", flat=True)) == {"dziura-w-jezdni", "uszkodzony-chodnik"}
    benefit = Article.objects.get(slug="kuroniowka", language="pl")
    assert list(benefit.services.values_list("code", flat=True)) == ["zasilek-dla-bezrobotnych"]
    city_topics = {"parkowanie", "hałas", "śnieg", "graffiti", "drzewo", "latarnia", "odpady", "wrak"}
    city_text = " ".join(_text(a).lower() for a in Article.objects.live().filter(organisation__code="lodz"))
    assert {t for t in city_topics if t not in city_text} == set()


def test_the_public_article_shows_its_basis_and_the_report_form(loaded: None, client: HttpClient) -> None:
    page = client.get("/pomoc/artykul/lodz-dziura-w-jezdni/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ustawa z dnia 21 marca 1985 r. o drogach publicznych" in html
    pothole = Service.objects.get(code="dziura-w-jezdni")
    assert f'href="/zglos/{pothole.uuid}/"' in html


def test_reloading_the_demo_archives_translated_guides(loaded: None) -> None:
    wup = Organisation.objects.get(code="wup-bialystok")
    old = actions.create_article(
        actor=None,
        organisation=wup,
        slug="dowod_osobisty",
        title="Dowód osobisty",
        kind=Article.Kind.SERVICE_CARD,
        audience=Article.Audience.PUBLIC,
        status=Article.Status.PUBLISHED,
        body="<p>Opłata za dowód osobisty…</p>",
        attribution="Źródło: Tramitit guides (https://github.com/tramitit/guides)",
    )
    demo.load(stdout=io.StringIO())
    old.refresh_from_db()
    assert old.status == Article.Status.ARCHIVED
    assert not Article.objects.live().filter(slug="dowod_osobisty").exists()


# -- deflection on the public report form ---------------------------------------------------------
def _suggested(client: HttpClient, service: Service, text: str) -> list[str]:
    html = client.get("/zglos/podpowiedzi", {"service": str(service.uuid), "description": text}).content.decode()
    return re.findall(r'href="/pomoc/artykul/([^/"]+)/"', html)


def test_a_pothole_report_suggests_only_the_citys_public_answers(loaded: None, client: HttpClient) -> None:
    wup = Organisation.objects.get(code="wup-bialystok")
    actions.create_article(
        actor=None,
        organisation=wup,
        slug="rozwod-dziura-w-budzecie",
        title="Rozwód a dziura w budżecie domowym",
        kind=Article.Kind.FAQ,
        audience=Article.Audience.PUBLIC,
        status=Article.Status.PUBLISHED,
        body="<p>Dziura w jezdni życia: rozwód, alimenty i zasiłek.</p>",
    )
    pothole = Service.objects.get(code="dziura-w-jezdni")
    found = _suggested(client, pothole, "głęboka dziura w jezdni")
    assert "lodz-dziura-w-jezdni" in found
    assert "rozwod-dziura-w-budzecie" not in found
    labour = {a.slug for a in Article.objects.filter(organisation__code="wup-bialystok")}
    assert not labour & set(_suggested(client, pothole, "zasiłek dla bezrobotnych dziura"))


def test_a_labour_form_suggests_labour_answers(loaded: None, client: HttpClient) -> None:
    service = Service.objects.get(code="rejestracja-bezrobotny")
    found = _suggested(client, service, "jak się zarejestrować jako bezrobotny")
    assert found
    assert all(Article.objects.get(slug=s, language="pl").organisation.code == "wup-bialystok" for s in found)


def test_internal_articles_are_never_suggested_to_residents(loaded: None, client: HttpClient) -> None:
    service = Service.objects.get(code="zasilek-dla-bezrobotnych")
    found = _suggested(client, service, "nie otrzymałem wypłaty zasiłku")
    assert "procedura-reklamacja-wyplaty-zasilku" not in found


@pytest.mark.parametrize("service", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_suggestions_without_a_known_form_are_empty(loaded: None, client: HttpClient, service: str) -> None:
    response = client.get("/zglos/podpowiedzi", {"service": service, "description": "dziura w jezdni"})
    assert response.status_code == 200
    assert "/pomoc/artykul/" not in response.content.decode()


# -- the desk's knowledge panel ------------------------------------------------------------------
def test_the_desk_panel_shows_the_answers_summary(loaded: None) -> None:
    http = HttpClient()
    http.force_login(User.objects.get(username="konsultant.bialystok"))
    html = http.get("/desk/knowledge/suggest", {"q": "kuroniówka"}).content.decode()
    summary = Article.objects.get(slug="kuroniowka", language="pl").summary
    assert summary
    assert f'<p class="kb-summary">{summary}</p>' in html


# -- import ------------------------------------------------------------------------------------------
def test_import_takes_the_legal_basis_and_refuses_unknown_services(loaded: None) -> None:
    csv_text = (
        "slug,title,organisation,audience,legal_basis,services\n"
        "test-a,Artykuł A,lodz,public,Prawo o ruchu drogowym,graffiti\n"
        "test-b,Artykuł B,lodz,public,,nie-ma-takiej\n"
    )
    report = importing.import_csv(csv_text, actor=None)
    assert report.created == ["test-a"]
    assert "nie-ma-takiej" in report.rejected[0][1]
    article: Any = Article.objects.get(slug="test-a")
    assert article.legal_basis == "Prawo o ruchu drogowym"
    assert list(article.services.values_list("code", flat=True)) == ["graffiti"]


def test_the_desk_search_shows_the_answers_summary(loaded: None) -> None:
    http = HttpClient()
    http.force_login(User.objects.get(username="konsultant.lodz"))
    html = http.get("/desk/knowledge/", {"q": "odśnieżanie chodnika"}).content.decode()
    summary = Article.objects.get(slug="lodz-odsniezanie-chodnikow").summary
    assert f'<p class="kb-summary">{summary}</p>' in html
