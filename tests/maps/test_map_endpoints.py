"""The maps' JSON endpoints (public, rate-limited, and the desk's), the gmina derived from the
point, and every map opening on the territory of the office its form belongs to."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.test import Client

from okienko.accounts.models import Organisation, TerritorialUnit
from okienko.accounts.roles import Role
from okienko.cases.models import Case
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core import reference
from tests import factories
from tests.cases.conftest import City
from tests.maps.fake_geocoder import fake_geocoder
from tests.portal.conftest import Portal

pytestmark = pytest.mark.django_db

PLACES = "/zglos/mapa/miejsca"


def _bbox(response: Any) -> str:
    html = response.content.decode()
    return html.split('data-bbox="', 1)[1].split('"', 1)[0]


def _box(codes: list[str]) -> str:
    box = reference.bbox_of(codes)
    assert box is not None
    return ",".join(f"{v:.4f}" for v in box)


def test_public_search_finds_localities_offline(client: Client, portal: Portal) -> None:
    response = client.get(PLACES, {"q": "Łódź", "service": str(portal.pothole.uuid)})
    assert response.status_code == 200
    first = response.json()["places"][0]
    assert (first["label"], first["territory"], first["approximate"]) == ("Łódź", "1061011", True)


def test_public_reverse_names_the_gmina(client: Client, portal: Portal) -> None:
    response = client.get(PLACES, {"lat": "51.7592", "lon": "19,4560"})
    assert response.json()["place"]["territory"] == "1061011"
    assert client.get(PLACES, {"lat": "10", "lon": "10"}).json() == {"place": None}


@pytest.mark.parametrize(
    "params", [{}, {"q": "a"}, {"lat": "abc", "lon": "1"}, {"lat": "91", "lon": "19"}, {"lat": "NaN", "lon": "1e309"}]
)
def test_public_endpoint_refuses_bad_input_with_a_message(
    client: Client, portal: Portal, params: dict[str, str]
) -> None:
    response = client.get(PLACES, params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_an_unknown_address_answers_an_empty_list(client: Client, portal: Portal, settings: Any) -> None:
    with fake_geocoder() as server:
        settings.GEOCODER, settings.GEOCODER_URL = "nominatim", server.url
        response = client.get(PLACES, {"q": "ul. Nieistniejąca 7"})
    assert response.json() == {"places": []}


def test_a_geocoder_that_is_down_gives_503_with_advice_not_500(client: Client, portal: Portal, settings: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings.GEOCODER, settings.GEOCODER_URL, settings.GEOCODER_TIMEOUT = "photon", url, 1
    settings.LANGUAGE_CODE = "en"
    response = client.get(PLACES, {"q": "Piotrkowska 104"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "Put the pin on the map" in response.json()["error"]


def test_the_public_endpoint_is_rate_limited(client: Client, portal: Portal, settings: Any) -> None:
    settings.PORTAL_RATE_LIMITS = {"geocode": 2}
    assert [client.get(PLACES, {"q": "Łódź"}).status_code for _ in range(3)] == [200, 200, 429]


def test_the_desk_endpoint_needs_a_login(client: Client, city: City) -> None:
    response = client.get("/desk/cases/geo/places/", {"q": "Łódź"})
    assert response.status_code == 302
    client.force_login(city.consultant)
    assert client.get("/desk/cases/geo/places/", {"q": "Łódź"}).json()["places"][0]["territory"] == "1061011"


def test_the_report_map_opens_on_the_territory_of_the_service_office(client: Client, portal: Portal) -> None:
    portal.city.territory.add(factories.territory("1061", "Łódź", TerritorialUnit.Kind.CITY_POWIAT))
    response = client.get(f"/zglos/{portal.pothole.uuid}/")
    assert _bbox(response) == _box(["1061"])


def test_a_pup_bialystok_intake_opens_on_bialystok_and_asks_for_no_teryt_code(client: Client, make_user: Any) -> None:
    wup = Organisation.objects.create(code="wup", name="WUP", kind=Organisation.Kind.REGION_OFFICE)
    wup.territory.add(factories.territory("20", "PODLASKIE", TerritorialUnit.Kind.VOIVODESHIP))
    pup = Organisation.objects.create(code="pup-b", name="PUP", kind=Organisation.Kind.COUNTY_OFFICE, parent=wup)
    pup.territory.add(factories.territory("2061", "Białystok"), factories.territory("2002", "białostocki"))
    category = ServiceCategory.objects.create(organisation=wup, code="rej", name="Rejestracja")
    service = Service.objects.create(organisation=wup, code="rej", category=category, public_name="Rejestracja")
    client.force_login(make_user("k", roles=[(pup, Role.CONSULTANT)]))
    response = client.get(f"/desk/cases/new/?service={service.uuid}")
    assert _bbox(response) == _box(["2061", "2002"])
    assert "TERYT" not in response.content.decode()


def test_the_gmina_of_a_case_comes_from_the_point(city: City, frozen: Any, client: Client) -> None:
    client.force_login(city.consultant)
    client.post(
        "/desk/cases/new/",
        {
            "service": str(city.pothole.uuid),
            "description": "Hole",
            "q_size": "small",
            "latitude": "51.759",
            "longitude": "19.457",
            "channel": "phone",
            "priority": "normal",
        },
    )
    assert Case.objects.get().gmina_id == "1061011"
