"""Finding places for the maps: address search and reverse geocoding behind one interface (ADR 0051).

``get_geocoder()`` returns the configured ``Geocoder``: the offline search over the TERYT units and
localities that ship in ``core.reference`` (the embedded default: towns, villages and gminy, no
streets and no house numbers, placed at their powiat's centre), or an HTTP adapter for a Nominatim or
Photon server (production). HTTP calls are bounded by ``GEOCODER_TIMEOUT``; a server that is down
or answers nonsense raises ``GeocoderUnavailable``, which the views turn into "search is not working
now, put the pin on the map" — never a 500.
"""

from __future__ import annotations

import json
import logging
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

from okienko.core import reference

logger = logging.getLogger(__name__)

MAX_RESULTS = 8
MAX_QUERY = 200
MAX_RESPONSE_BYTES = 512 * 1024

BBox = tuple[float, float, float, float]  # south, west, north, east


class GeocoderUnavailable(Exception):
    """The geocoding service did not answer in time or answered something unusable."""


@dataclass(frozen=True)
class Place:
    """A found place: what to show, where to put the pin, and the TERYT unit when it is known."""

    label: str
    latitude: float
    longitude: float
    kind: str = ""
    territory: str = ""
    approximate: bool = False
    bbox: BBox | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["bbox"] = list(self.bbox) if self.bbox else None
        return data


class Geocoder(Protocol):
    def search(self, text: str, *, bbox: BBox | None = None, limit: int = MAX_RESULTS) -> list[Place]:
        """Places matching ``text``, those inside ``bbox`` (the form's territory) first."""

    def reverse(self, latitude: float, longitude: float) -> Place | None:
        """The address or place at a point, None when nothing is known there."""


def _fold(text: str) -> str:
    """Lower case without Polish letters' diacritics (ł too), single spaces."""
    text = text.lower().replace("ł", "l")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.replace(",", " ").split())


def _centre(box: BBox) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _inside(box: BBox | None, latitude: float, longitude: float) -> bool:
    return box is not None and box[0] <= latitude <= box[2] and box[1] <= longitude <= box[3]


class OfflineGeocoder:
    """Search over the shipped TERYT register: SIMC towns and villages and TERC gminy.

    No coordinates of localities ship (SIMC has none), so a found locality is placed at the centre
    of its powiat and marked ``approximate`` with the powiat's box: the map zooms there and the
    person puts the pin. A street address is searched by its parts ("Piotrkowska 104, Łódź" finds
    Łódź). Reverse geocoding names the gmina (cities with powiat rights) or the powiat."""

    def _entries(self) -> list[tuple[str, str, str, str]]:
        """(folded name, name, TERYT code, kind) for every locality and gmina."""
        cached: list[tuple[str, str, str, str]] | None = getattr(OfflineGeocoder, "_cache", None)
        if cached is None:
            units = reference.territorial_units()
            cached = [
                (_fold(name), name, code, "town" if kind == "96" else "village")
                for name, code, kind in reference.localities()
            ]
            towns = {(name, code[:6]) for _, name, code, kind in cached if kind == "town"}
            for code, (name, kind) in units.items():
                if len(code) == 7 and kind.startswith("gmina") and (name, code[:6]) not in towns:
                    cached.append((_fold(name), name, code, "gmina"))
            OfflineGeocoder._cache = cached  # type: ignore[attr-defined]  # built once per process
        return cached

    def _label(self, name: str, code: str, kind: str) -> str:
        units = reference.territorial_units()
        gmina = next((units[c][0] for c in (code, code[:6] + "1", code[:6] + "2", code[:6] + "3") if c in units), "")
        powiat = units.get(code[:4], ("", ""))[0]
        parts = [name]
        if kind != "gmina" and gmina and gmina != name:
            parts.append(f"gm. {gmina}")
        if powiat and powiat != name:
            parts.append(f"pow. {powiat}")
        return ", ".join(parts)

    def _find(self, query: str, bbox: BBox | None, limit: int) -> list[Place]:
        scored = []
        rank = {"town": 0, "gmina": 1, "village": 2}
        for folded, name, code, kind in self._entries():
            if folded == query:
                quality = 0
            elif folded.startswith(query):
                quality = 1
            else:
                continue
            box = reference.bbox_of([code])
            if box is None:
                continue
            lat, lon = _centre(box)
            scored.append(((0 if _inside(bbox, lat, lon) else 1, quality, rank[kind], name), name, code, kind, box))
        scored.sort(key=lambda row: row[0])
        places = []
        for _score, name, code, kind, box in scored[:limit]:
            lat, lon = _centre(box)
            places.append(
                Place(
                    label=self._label(name, code, kind),
                    latitude=round(lat, 6),
                    longitude=round(lon, 6),
                    kind=kind,
                    territory=code,
                    approximate=True,
                    bbox=box,
                )
            )
        return places

    def search(self, text: str, *, bbox: BBox | None = None, limit: int = MAX_RESULTS) -> list[Place]:
        query = _fold(text[:MAX_QUERY])
        if len(query) < 2:
            return []
        found = self._find(query, bbox, limit)
        if found:
            return found
        # An address: try its comma-separated parts from the end, then its words without numbers.
        parts = [_fold(p) for p in reversed(text[:MAX_QUERY].split(",")) if _fold(p)]
        words = [w for w in query.split() if not any(c.isdigit() for c in w) and len(w) > 2]
        for candidate in [*parts, *reversed(words)]:
            if candidate != query and (found := self._find(candidate, bbox, limit)):
                return found
        return []

    def reverse(self, latitude: float, longitude: float) -> Place | None:
        code = reference.territory_at(latitude, longitude)
        if not code:
            return None
        name, kind = reference.territorial_units().get(code, ("", ""))
        label = self._label(name, code, "gmina") if len(code) == 7 else f"pow. {name}"
        return Place(label=label, latitude=latitude, longitude=longitude, kind=kind, territory=code)


class _HttpGeocoder:
    """Shared plumbing of the HTTP adapters: one GET with a bounded timeout and response size."""

    default_url = ""

    def __init__(self, base_url: str = "", *, timeout: float = 3.0, user_agent: str = "Okienko") -> None:
        self.base_url = (base_url or self.default_url).rstrip("/")
        if urllib.parse.urlsplit(self.base_url).scheme not in {"http", "https"}:
            raise ValueError("OKIENKO_GEOCODER_URL must be an http(s) URL")
        self.timeout = timeout
        self.user_agent = user_agent

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        url = f"{self.base_url}/{path}?{urllib.parse.urlencode(params)}"
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310  # http(s) checked in __init__
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # configured http(s) URL
                body = response.read(MAX_RESPONSE_BYTES + 1)
        except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts, refused connections
            raise GeocoderUnavailable(str(exc)) from exc
        if len(body) > MAX_RESPONSE_BYTES:
            raise GeocoderUnavailable("response too large")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise GeocoderUnavailable("not JSON") from exc

    @staticmethod
    def _territory(latitude: float, longitude: float) -> str:
        return reference.territory_at(latitude, longitude)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise GeocoderUnavailable("bad coordinate") from exc


class NominatimGeocoder(_HttpGeocoder):
    """Nominatim (``/search`` and ``/reverse`` with ``format=jsonv2``). The public
    nominatim.openstreetmap.org allows at most one request a second and no autocomplete: run your
    own server or use a provider in production."""

    default_url = "https://nominatim.openstreetmap.org"

    def _place(self, item: dict[str, Any]) -> Place:
        lat, lon = _float(item.get("lat")), _float(item.get("lon"))
        box = item.get("boundingbox")  # [south, north, west, east] as strings
        bbox = (_float(box[0]), _float(box[2]), _float(box[1]), _float(box[3])) if box and len(box) == 4 else None
        address = item.get("address") or {}
        street = " ".join(str(address[k]) for k in ("road", "house_number") if address.get(k))
        town = next((str(address[k]) for k in ("city", "town", "village", "municipality") if address.get(k)), "")
        label = ", ".join(p for p in (street, town) if p) or str(item.get("display_name", ""))
        kind = str(item.get("type") or item.get("addresstype") or "")
        return Place(
            label=label, latitude=lat, longitude=lon, kind=kind, territory=self._territory(lat, lon), bbox=bbox
        )

    def search(self, text: str, *, bbox: BBox | None = None, limit: int = MAX_RESULTS) -> list[Place]:
        params: dict[str, Any] = {
            "q": text[:MAX_QUERY],
            "format": "jsonv2",
            "addressdetails": 1,
            "limit": limit,
            "countrycodes": "pl",
            "accept-language": "pl",
        }
        if bbox:
            params["viewbox"] = f"{bbox[1]},{bbox[2]},{bbox[3]},{bbox[0]}"  # left,top,right,bottom
        data = self._get("search", params)
        if not isinstance(data, list):
            raise GeocoderUnavailable("unexpected answer")
        return [self._place(item) for item in data[:limit] if isinstance(item, dict)]

    def reverse(self, latitude: float, longitude: float) -> Place | None:
        params = {
            "lat": latitude,
            "lon": longitude,
            "format": "jsonv2",
            "zoom": 18,
            "addressdetails": 1,
            "accept-language": "pl",
        }
        data = self._get("reverse", params)
        if not isinstance(data, dict):
            raise GeocoderUnavailable("unexpected answer")
        if "error" in data:  # "Unable to geocode": nothing there
            return None
        place = self._place(data)
        return Place(**{**asdict(place), "latitude": latitude, "longitude": longitude, "bbox": place.bbox})


class PhotonGeocoder(_HttpGeocoder):
    """Photon (``/api`` and ``/reverse``, GeoJSON features). Built for search-as-you-type;
    photon.komoot.io is a shared demo server, production runs its own."""

    default_url = "https://photon.komoot.io"

    def _place(self, feature: dict[str, Any]) -> Place:
        coordinates = (feature.get("geometry") or {}).get("coordinates") or []
        if len(coordinates) != 2:
            raise GeocoderUnavailable("bad geometry")
        lon, lat = _float(coordinates[0]), _float(coordinates[1])
        props = feature.get("properties") or {}
        street = " ".join(str(props[k]) for k in ("street", "housenumber") if props.get(k))
        name = str(props.get("name") or "")
        town = str(props.get("city") or props.get("county") or "")
        label = ", ".join(dict.fromkeys(p for p in (name, street, town) if p))
        extent = props.get("extent")  # [west, north, east, south]
        bbox = (
            (_float(extent[3]), _float(extent[0]), _float(extent[1]), _float(extent[2]))
            if extent and len(extent) == 4
            else None
        )
        kind = str(props.get("type") or props.get("osm_value") or "")
        return Place(
            label=label, latitude=lat, longitude=lon, kind=kind, territory=self._territory(lat, lon), bbox=bbox
        )

    def _features(self, data: Any) -> list[dict[str, Any]]:
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise GeocoderUnavailable("unexpected answer")
        return [f for f in data["features"] if isinstance(f, dict)]

    def search(self, text: str, *, bbox: BBox | None = None, limit: int = MAX_RESULTS) -> list[Place]:
        params: dict[str, Any] = {"q": text[:MAX_QUERY], "limit": limit}
        if bbox:
            lat, lon = _centre(bbox)
            params.update({"lat": round(lat, 5), "lon": round(lon, 5)})  # bias towards the territory
        features = self._features(self._get("api", params))
        return [self._place(f) for f in features[:limit]]

    def reverse(self, latitude: float, longitude: float) -> Place | None:
        features = self._features(self._get("reverse", {"lat": latitude, "lon": longitude, "limit": 1}))
        if not features:
            return None
        place = self._place(features[0])
        return Place(**{**asdict(place), "latitude": latitude, "longitude": longitude, "bbox": place.bbox})


def get_geocoder() -> Geocoder:
    """The geocoder chosen by ``OKIENKO_GEOCODER`` (offline, nominatim or photon)."""
    kind = getattr(settings, "GEOCODER", "offline")
    timeout = float(getattr(settings, "GEOCODER_TIMEOUT", 3.0))
    agent = str(getattr(settings, "GEOCODER_USER_AGENT", "Okienko"))
    url = str(getattr(settings, "GEOCODER_URL", ""))
    if kind == "nominatim":
        return NominatimGeocoder(url, timeout=timeout, user_agent=agent)
    if kind == "photon":
        return PhotonGeocoder(url, timeout=timeout, user_agent=agent)
    return OfflineGeocoder()


def map_settings(territory: list[str]) -> dict[str, str]:
    """``data-*`` attributes of a map widget: base-map tiles and attribution (none: boundaries only)
    and the box of the form's territory (TERYT prefixes) that the map opens on."""
    box = reference.bbox_of(territory) or reference.bbox_of([""]) or (49.0, 14.1, 54.9, 24.2)
    return {
        "tiles": str(getattr(settings, "MAP_TILES", "")),
        "attribution": str(getattr(settings, "MAP_ATTRIBUTION", "")),
        "bbox": ",".join(f"{v:.4f}" for v in box),
        "prefix": (territory[0][:2] if len({t[:2] for t in territory if t}) == 1 else "") if territory else "",
    }


def _coordinate(raw: str, low: float, high: float) -> float | None:
    try:
        value = float(raw.replace(",", ".")[:20])
    except ValueError:
        return None
    return value if low <= value <= high else None


def answer(params: Mapping[str, str], *, bbox: BBox | None) -> JsonResponse:
    """The JSON of the maps' search endpoints: ``?q=`` searches, ``?lat=&lon=`` reverse-geocodes.

    ``{"places": [...]}`` (search) or ``{"place": {...} | null}`` (reverse); 400 with ``error`` for
    bad input, 503 with ``error`` when the geocoder is down (the map keeps working without it)."""
    geocoder = get_geocoder()
    try:
        if "q" in params:
            text = " ".join(params.get("q", "").split())[:MAX_QUERY]
            if len(text) < 2:
                return JsonResponse({"places": [], "error": _("Type at least 2 characters.")}, status=400)
            return JsonResponse({"places": [p.as_json() for p in geocoder.search(text, bbox=bbox)]})
        lat = _coordinate(params.get("lat", ""), -90, 90)
        lon = _coordinate(params.get("lon", ""), -180, 180)
        if lat is None or lon is None:
            return JsonResponse({"error": _("Give q= to search or lat= and lon= of a point.")}, status=400)
        place = geocoder.reverse(lat, lon)
        return JsonResponse({"place": place.as_json() if place else None})
    except GeocoderUnavailable:
        logger.warning("geocoder unavailable", exc_info=True)
        return JsonResponse(
            {"error": _("Address search is not working at the moment. Put the pin on the map instead.")}, status=503
        )
