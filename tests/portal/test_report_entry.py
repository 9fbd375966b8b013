"""The report page's entry without script: search by everyday words, category tiles with the
catalogue's icons, and the map-first path carrying the place into the form."""

from __future__ import annotations

import pytest
from django.test import Client

from okienko.catalogue import icons
from tests.portal.conftest import Portal

pytestmark = pytest.mark.django_db


def test_search_finds_the_matter_by_an_everyday_word(client: Client, portal: Portal) -> None:
    portal.pothole.keywords = "ubytek asfalt wyrwa"
    portal.pothole.save()
    html = client.get("/zglos/", {"q": "wyrwa"}).content.decode()
    assert f'href="/zglos/{portal.pothole.uuid}/"' in html
    assert "Znaleziono 1 sprawę dla „wyrwa”" in html
    assert "Nic nie znaleziono" in client.get("/zglos/", {"q": "rozwód"}).content.decode()


def test_tiles_show_the_registry_icon_and_the_number_of_matters(client: Client, portal: Portal) -> None:
    html = client.get("/zglos/").content.decode()
    assert icons.ICONS["road"] in html  # "drogi" → the road icon
    assert "2 sprawy" in html  # the pothole and the fire, not the hidden one


def test_the_icon_registry_matches_codes_and_their_words() -> None:
    assert icons.icon_name("drogi") == "road"
    assert icons.icon_name("sprawy-obywatelskie") == "citizen"
    assert icons.icon_name("szkolenia-bony") == "training"
    assert icons.icon_name("cos-nowego") == "generic"


def test_the_map_first_path_carries_the_place_into_the_form(client: Client, portal: Portal) -> None:
    assert client.get("/zglos/miejsce/").status_code == 200
    place = {"lat": "51.7592", "lon": "19.456", "adres": "Piotrkowska 104"}
    html = client.get("/zglos/", {**place, "kategoria": "ldz/drogi"}).content.decode()
    assert f"/zglos/{portal.pothole.uuid}/?lat=51.759200&amp;lon=19.456000&amp;adres=Piotrkowska+104" in html
    assert "Piotrkowska 104" in html
    form = client.get(f"/zglos/{portal.pothole.uuid}/", {"lat": "51.7592", "lon": "19.456", "adres": "Piotrkowska 104"})
    content = form.content.decode()
    assert 'value="51.759200"' in content
    assert 'value="Piotrkowska 104"' in content


@pytest.mark.parametrize("bad", [{"lat": "abc", "lon": "1"}, {"lat": "99", "lon": "19"}, {"lat": "NaN", "lon": "inf"}])
def test_a_bad_place_is_dropped_not_an_error(client: Client, portal: Portal, bad: dict[str, str]) -> None:
    response = client.get("/zglos/", {**bad, "kategoria": "ldz/drogi"})
    assert response.status_code == 200
    assert "lat=" not in response.content.decode().split("report-services", 1)[1]
