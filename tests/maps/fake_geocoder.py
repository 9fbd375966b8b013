"""A real HTTP server on 127.0.0.1 that answers like Nominatim and Photon, for the geocoder tests.

It knows one address, "Piotrkowska 104" in Łódź, records every request, and can be told to answer
slowly (timeouts) or with something that is not JSON (a broken proxy)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PIOTRKOWSKA = (51.7592, 19.4560)


def _nominatim(lat: float, lon: float) -> dict[str, Any]:
    return {
        "place_id": 1,
        "lat": str(lat),
        "lon": str(lon),
        "category": "place",
        "type": "house",
        "display_name": "104, Piotrkowska, Śródmieście, Łódź, województwo łódzkie, 90-425, Polska",
        "address": {"house_number": "104", "road": "Piotrkowska", "city": "Łódź", "country_code": "pl"},
        "boundingbox": [str(lat - 0.0001), str(lat + 0.0001), str(lon - 0.0001), str(lon + 0.0001)],
    }


def _photon(lat: float, lon: float) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "osm_key": "place",
            "osm_value": "house",
            "type": "house",
            "street": "Piotrkowska",
            "housenumber": "104",
            "postcode": "90-425",
            "city": "Łódź",
            "countrycode": "PL",
        },
    }


@dataclass
class FakeGeocoder:
    url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    delay: float = 0.0
    broken: bool = False


def _handler(state: FakeGeocoder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # http.server's naming
            parts = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(parts.query))
            state.requests.append((parts.path, params))
            if state.delay:
                time.sleep(state.delay)
            if state.broken:
                return self._send(200, b"<html>Bad gateway</html>", "text/html")
            knows = "piotrkowska" in params.get("q", "").lower()
            lat, lon = float(params.get("lat", 0) or 0), float(params.get("lon", 0) or 0)
            near = abs(lat - PIOTRKOWSKA[0]) < 0.01 and abs(lon - PIOTRKOWSKA[1]) < 0.01
            if parts.path == "/search":
                body: Any = [_nominatim(*PIOTRKOWSKA)] if knows else []
            elif parts.path == "/reverse" and "format" in params:
                body = _nominatim(lat, lon) if near else {"error": "Unable to geocode"}
            elif parts.path == "/api":
                body = {"type": "FeatureCollection", "features": [_photon(*PIOTRKOWSKA)] if knows else []}
            elif parts.path == "/reverse":
                body = {"type": "FeatureCollection", "features": [_photon(lat, lon)] if near else []}
            else:
                return self._send(404, b"{}", "application/json")
            return self._send(200, json.dumps(body).encode(), "application/json")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError):  # the client gave up (the timeout tests)
                self.wfile.write(body)

    return Handler


@contextmanager
def fake_geocoder() -> Iterator[FakeGeocoder]:
    state = FakeGeocoder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
