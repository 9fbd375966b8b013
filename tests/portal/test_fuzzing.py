"""Bounded fuzzing of the public pages without a login — the report form, its suggestions and
deflection, the status page and the knowledge-base help pages — with hostile strings from
hypothesis: no answer may be a 5xx (issue 10, "fuzzing without 5xx of every public surface")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.portal import guard
from tests.portal.conftest import Portal, valid_post

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Strings that broke, or could break, something somewhere: control and format characters, markup,
# SQL and path fragments, numbers out of range, very long words, right-to-left overrides.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x1bb",
    "\x0b",
    "\t\r\n",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "%",
    "\\",
    "../../etc/passwd",
    "NaN",
    "1e309",
    "-0",
    "9" * 400,
    "ą" * 5000,
    "\u202etxt.exe",
    "\ufeff\u200b",
    "𝔡𝔷𝔦𝔲𝔯𝔞",
    "ﷺ" * 30,
    "*",
    '"',
    "AND OR NOT",
    "dziura* OR (",
    "51.7592, 19.4560",
    "2026-02-30T25:61",
]
HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=200))
SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture
def fuzzed(client: Client, settings: Any) -> Client:
    settings.PORTAL_RATE_LIMITS = {"report": 100_000, "deflect": 100_000}
    client.raise_request_exception = False
    return client


def _no_server_error(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


@SETTINGS
@given(query=HOSTILE, htmx=st.booleans())
def test_the_knowledge_search_never_fails(fuzzed: Client, portal: Portal, query: str, htmx: bool) -> None:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    _no_server_error(fuzzed.get("/pomoc/szukaj", {"q": query}, **headers), f"search {query!r}")


@SETTINGS
@given(slug=HOSTILE, language=HOSTILE, helpful=HOSTILE)
def test_the_help_pages_never_fail(fuzzed: Client, portal: Portal, slug: str, language: str, helpful: str) -> None:
    for path in ("/pomoc/", f"/pomoc/temat/{slug}/", f"/pomoc/artykul/{slug}/"):
        _no_server_error(fuzzed.get(path), path)
    url = f"/pomoc/artykul/{portal.article.slug}/opinia"
    _no_server_error(fuzzed.post(url, {"language": language, "helpful": helpful, "comment": slug}), url)


FIELDS = [
    "description",
    "address",
    "latitude",
    "longitude",
    "q_wielkosc",
    "q_zagrozenia",
    "q_glebokosc",
    "q_od-kiedy",
    "q_pas",
    "q_uwagi",
    "q_punkt",
    "name",
    "email",
    "phone",
    "consent",
    "website",
    guard.STARTED,
]


@SETTINGS
@given(changes=st.dictionaries(st.sampled_from([*FIELDS, "unknown", "q_nope"]), HOSTILE, max_size=6))
def test_the_report_form_never_fails(fuzzed: Client, portal: Portal, changes: dict[str, str]) -> None:
    """A valid report with some fields replaced by hostile values (the rest stay valid, so the
    hostile ones reach the form's and the intake's checks rather than a missing-field error)."""
    url = reverse("portal:report", args=[portal.pothole.uuid])
    response = fuzzed.post(url, valid_post(**changes))
    _no_server_error(response, f"report {changes!r}")
    assert response.status_code in (200, 302, 400, 429)


@SETTINGS
@given(description=HOSTILE, service=HOSTILE, article=HOSTILE)
def test_suggestions_deflection_and_status_never_fail(
    fuzzed: Client, portal: Portal, description: str, service: str, article: str
) -> None:
    _no_server_error(fuzzed.get("/zglos/podpowiedzi", {"description": description, "service": service}), "suggest")
    _no_server_error(fuzzed.post("/zglos/pomoglo", {"article": article, "service": service}), "deflect")
    _no_server_error(fuzzed.get("/zglos/dziekujemy", {"artykul": article}), "deflected")
    _no_server_error(fuzzed.get("/zglos/mapa/powiaty.geojson", {"prefix": service}), "boundaries")
    _no_server_error(fuzzed.get(f"/sprawy/{article}/"), "status page")


@SETTINGS
@given(number=HOSTILE, contact=HOSTILE, email=HOSTILE, token=HOSTILE)
def test_the_report_lookup_pages_never_fail(
    fuzzed: Client, portal: Portal, settings: Any, number: str, contact: str, email: str, token: str
) -> None:
    settings.PORTAL_RATE_LIMITS = {"lookup": 100_000, "my_reports": 100_000}
    _no_server_error(fuzzed.post("/sprawy/sprawdz/", {"number": number, "contact": contact}), "lookup")
    _no_server_error(fuzzed.post("/sprawy/moje/", {"email": email, "website": contact}), "my reports link")
    _no_server_error(fuzzed.get(f"/sprawy/moje/{token}/"), "my reports")
    _no_server_error(fuzzed.get("/sprawy/sprawdz/", {"number": number}), "lookup form")


@SETTINGS
@given(query=HOSTILE, lat=HOSTILE, lon=HOSTILE, service=HOSTILE)
def test_the_map_place_search_never_fails(
    fuzzed: Client, portal: Portal, settings: Any, query: str, lat: str, lon: str, service: str
) -> None:
    settings.PORTAL_RATE_LIMITS = {"geocode": 100_000}
    _no_server_error(fuzzed.get("/zglos/mapa/miejsca", {"q": query, "service": service}), f"search {query!r}")
    _no_server_error(fuzzed.get("/zglos/mapa/miejsca", {"lat": lat, "lon": lon}), f"reverse {lat!r} {lon!r}")


@SETTINGS
@given(query=HOSTILE, category=HOSTILE, lat=HOSTILE, lon=HOSTILE, address=HOSTILE)
def test_the_report_entry_and_the_map_first_path_never_fail(
    fuzzed: Client, portal: Portal, query: str, category: str, lat: str, lon: str, address: str
) -> None:
    place = {"lat": lat, "lon": lon, "adres": address}
    _no_server_error(fuzzed.get("/zglos/", {"q": query, "kategoria": category, **place}), f"entry {query!r}")
    _no_server_error(fuzzed.get("/zglos/miejsce/", place), "map-first")
    _no_server_error(fuzzed.get(f"/zglos/{portal.pothole.uuid}/", place), "form with a place")
