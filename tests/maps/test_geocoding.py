"""The geocoder interface: Nominatim and Photon adapters against a local fake server, the offline
search over the shipped TERYT localities, and failures that never become a 500."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from okienko.core import geocoding, reference
from okienko.core.geocoding import GeocoderUnavailable, NominatimGeocoder, OfflineGeocoder, PhotonGeocoder
from tests.maps.fake_geocoder import FakeGeocoder, fake_geocoder

LODZ_BOX = reference.bbox_of(["1061"])


@pytest.fixture
def server() -> Iterator[FakeGeocoder]:
    with fake_geocoder() as state:
        yield state


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_nominatim_search_finds_the_address_with_its_gmina(server: FakeGeocoder) -> None:
    places = NominatimGeocoder(server.url).search("Piotrkowska 104, Łódź", bbox=LODZ_BOX)
    assert [(p.label, p.latitude, p.longitude, p.territory) for p in places] == [
        ("Piotrkowska 104, Łódź", 51.7592, 19.456, "1061011")
    ]
    path, params = server.requests[0]
    assert path == "/search"
    assert params["format"] == "jsonv2"
    assert params["countrycodes"] == "pl"
    assert params["viewbox"] == "19.3366,51.8591,19.6295,51.6866"  # left,top,right,bottom


def test_nominatim_reverse_names_the_point_and_nothing_far_away(server: FakeGeocoder) -> None:
    place = NominatimGeocoder(server.url).reverse(51.7593, 19.4561)
    assert place is not None
    assert (place.label, place.latitude, place.territory) == ("Piotrkowska 104, Łódź", 51.7593, "1061011")
    assert NominatimGeocoder(server.url).reverse(53.13, 23.16) is None


def test_photon_search_and_reverse(server: FakeGeocoder) -> None:
    photon = PhotonGeocoder(server.url)
    places = photon.search("piotrkowska 104", bbox=LODZ_BOX)
    assert [(p.label, p.latitude, p.longitude) for p in places] == [("Piotrkowska 104, Łódź", 51.7592, 19.456)]
    assert server.requests[0][0] == "/api"
    assert server.requests[0][1]["lat"] == "51.77285"  # biased towards the form's territory
    assert photon.search("Nieznana 1") == []
    reverse = photon.reverse(51.7592, 19.4560)
    assert reverse is not None
    assert reverse.territory == "1061011"
    assert photon.reverse(50.0, 20.0) is None


def test_an_unknown_address_finds_nothing(server: FakeGeocoder) -> None:
    assert NominatimGeocoder(server.url).search("ul. Nieistniejąca 7") == []


@pytest.mark.parametrize("adapter", [NominatimGeocoder, PhotonGeocoder])
def test_a_geocoder_that_is_down_is_reported_not_raised(adapter: type[NominatimGeocoder]) -> None:
    with pytest.raises(GeocoderUnavailable):
        adapter(_closed_port(), timeout=1).search("Piotrkowska 104")


@pytest.mark.parametrize("adapter", [NominatimGeocoder, PhotonGeocoder])
def test_a_slow_geocoder_is_cut_off_at_the_timeout(server: FakeGeocoder, adapter: type[NominatimGeocoder]) -> None:
    server.delay = 2.0
    started = time.monotonic()
    with pytest.raises(GeocoderUnavailable):
        adapter(server.url, timeout=0.3).search("Piotrkowska 104")
    assert time.monotonic() - started < 1.5


def test_an_answer_that_is_not_json_is_reported(server: FakeGeocoder) -> None:
    server.broken = True
    with pytest.raises(GeocoderUnavailable):
        PhotonGeocoder(server.url).reverse(51.7592, 19.456)


def test_only_http_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="http"):
        NominatimGeocoder("file:///etc/passwd")


def test_offline_search_finds_towns_of_the_territory_first() -> None:
    podlaskie = reference.bbox_of(["20"])
    places = OfflineGeocoder().search("lomza", bbox=podlaskie)
    assert [(p.label, p.territory, p.kind) for p in places[:2]] == [
        ("Łomża", "2062011", "town"),
        ("Łomża, pow. łomżyński", "2007022", "gmina"),
    ]
    assert places[0].approximate is True  # no coordinates of localities ship: the map shows the powiat


def test_offline_search_reads_an_address_by_its_town() -> None:
    places = OfflineGeocoder().search("Piotrkowska 104, Łódź", bbox=LODZ_BOX)
    assert (places[0].label, places[0].territory) == ("Łódź", "1061011")


def test_offline_search_finds_villages_with_their_gmina() -> None:
    places = OfflineGeocoder().search("Grabówka", bbox=reference.bbox_of(["2002"]))
    assert (places[0].label, places[0].territory) == ("Grabówka, gm. Supraśl, pow. białostocki", "2002095")


def test_offline_search_of_nonsense_finds_nothing() -> None:
    assert OfflineGeocoder().search("xqzzy 12") == []
    assert OfflineGeocoder().search("a") == []


def test_offline_reverse_names_the_gmina_of_a_city_and_the_powiat_elsewhere() -> None:
    lodz = OfflineGeocoder().reverse(51.7592, 19.456)
    assert lodz is not None
    assert (lodz.label, lodz.territory) == ("Łódź", "1061011")
    village = OfflineGeocoder().reverse(53.05, 23.10)
    assert village is not None
    assert village.territory == "2002"
    assert OfflineGeocoder().reverse(48.0, 10.0) is None  # outside Poland


def test_the_configured_geocoder_is_used(settings: pytest.FixtureRequest, server: FakeGeocoder) -> None:
    settings.GEOCODER, settings.GEOCODER_URL = "photon", server.url  # type: ignore[attr-defined]
    assert isinstance(geocoding.get_geocoder(), PhotonGeocoder)
    settings.GEOCODER = "offline"  # type: ignore[attr-defined]
    assert isinstance(geocoding.get_geocoder(), OfflineGeocoder)
