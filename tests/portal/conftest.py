"""Łódź with a roads unit, public services asking every kind of extra question, and public articles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from okienko.accounts.models import Organisation, TerritorialUnit
from okienko.catalogue.models import Service, ServiceCategory, ServiceQuestion, ServiceQuestionChoice
from okienko.knowledge import actions as knowledge_actions
from okienko.knowledge.models import Article
from okienko.portal import guard
from tests import factories


@dataclass
class Portal:
    city: Organisation
    roads: Organisation
    pothole: Service
    blocked: Service
    hidden: Service
    article: Article
    internal_article: Article


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings: Any) -> None:
    settings.PORTAL_MIN_FILL_SECONDS = 0


@pytest.fixture
def portal(db: None) -> Portal:
    factories.territory("1061011", "Łódź", TerritorialUnit.Kind.GMINA)
    city = Organisation.objects.create(code="ldz", name="Łódź", kind=Organisation.Kind.CITY)
    roads = Organisation.objects.create(
        code="ldz-zdit", name="Zarząd Dróg i Transportu", kind=Organisation.Kind.UNIT, parent=city
    )
    category = ServiceCategory.objects.create(organisation=city, code="drogi", name="Drogi i chodniki")
    pothole = Service.objects.create(
        organisation=city,
        code="dziura",
        category=category,
        public_name="Dziura w jezdni",
        responsible_unit=roads,
        sla_basis=Service.SlaBasis.WORKING_DAYS,
        response_due=1,
        resolve_due=5,
        location_required=True,
    )
    size = ServiceQuestion.objects.create(
        service=pothole, code="wielkosc", label="Wielkość ubytku", datatype="singlevaluelist", required=True, order=1
    )
    ServiceQuestionChoice.objects.create(question=size, key="mala", name="mała (do 30 cm)")
    ServiceQuestionChoice.objects.create(question=size, key="duza", name="duża (ponad 30 cm)")
    hazards = ServiceQuestion.objects.create(
        service=pothole, code="zagrozenia", label="Zagrożenia", datatype="multivaluelist", order=2
    )
    ServiceQuestionChoice.objects.create(question=hazards, key="rowery", name="dla rowerów")
    ServiceQuestionChoice.objects.create(question=hazards, key="piesi", name="dla pieszych")
    ServiceQuestion.objects.create(
        service=pothole, code="glebokosc", label="Głębokość (cm)", datatype="number", order=3
    )
    ServiceQuestion.objects.create(service=pothole, code="od-kiedy", label="Od kiedy", datatype="datetime", order=4)
    ServiceQuestion.objects.create(service=pothole, code="pas", label="Pas ruchu", datatype="string", order=5)
    ServiceQuestion.objects.create(service=pothole, code="uwagi", label="Uwagi", datatype="text", order=6)
    ServiceQuestion.objects.create(
        service=pothole, code="punkt", label="Dokładne miejsce", datatype="location", order=7
    )
    ServiceQuestion.objects.create(
        service=pothole, code="info", label="Zgłoszenia są sprawdzane w ciągu doby.", datatype="notice", order=8
    )
    blocked = Service.objects.create(
        organisation=city, code="pozar", category=category, public_name="Pożar", sla_basis="working_days"
    )
    ServiceQuestion.objects.create(
        service=blocked,
        code="alarm",
        label="To nie jest numer alarmowy",
        description="W razie pożaru dzwoń pod 112.",
        datatype="notice",
        required=True,
    )
    hidden = Service.objects.create(
        organisation=city, code="wewn", category=category, public_name="Wewnętrzna", is_public=False
    )
    article = knowledge_actions.create_article(
        actor=None,
        organisation=city,
        title="Jak zgłosić dziurę w jezdni",
        slug="dziura-w-jezdni",
        question="Gdzie zgłosić dziurę w jezdni?",
        body="<p>Dziury w jezdni naprawia Zarząd Dróg i Transportu w ciągu pięciu dni roboczych.</p>",
        audience=Article.Audience.PUBLIC,
        status=Article.Status.PUBLISHED,
    )
    internal = knowledge_actions.create_article(
        actor=None,
        organisation=city,
        title="Dziura w jezdni — procedura wewnętrzna",
        slug="dziura-procedura",
        question="Jak obsłużyć zgłoszenie dziury w jezdni?",
        body="<p>Dziura w jezdni: przekaż do ZDiT.</p>",
        audience=Article.Audience.INTERNAL,
        status=Article.Status.PUBLISHED,
    )
    return Portal(city, roads, pothole, blocked, hidden, article, internal)


def valid_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": "Głęboka dziura przy przejściu dla pieszych",
        "address": "Piotrkowska 104, Łódź",
        "latitude": "51.759000",
        "longitude": "19.457000",
        "q_wielkosc": "duza",
        "q_zagrozenia": ["rowery", "piesi"],
        "q_glebokosc": "12,5",
        "q_od-kiedy": "2026-11-20T08:30",
        "q_pas": "prawy",
        "q_uwagi": "Woda w dziurze",
        "q_punkt": "51.7590, 19.4570",
        "name": "Anna Nowak",
        "email": "anna@example.org",
        "phone": "+48 600 100 200",
        "consent": "on",
        "website": "",
        guard.STARTED: guard.started_token(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def private_cache(settings: Any) -> None:
    """Rate-limit counters in this process's memory: parallel workers share one Redis database,
    and another worker emptying it between its tests would reset the counters mid-test."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}
