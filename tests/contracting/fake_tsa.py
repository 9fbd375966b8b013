"""A faithful fake time-stamping authority (RFC 3161 over HTTP) for the exchange's tests: a real
TSA certificate (RSA, extended key usage timeStamping, self-issued) and real tokens from pyHanko's
``DummyTimeStamper``, served on 127.0.0.1 at a random port from a thread."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper


def tsa_certificate(name: str = "Fake TSA") -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


@dataclass
class FakeTsa:
    url: str
    cert_path: Path
    requests: list[bytes]
    stamper: DummyTimeStamper


def start(directory: Path) -> tuple[FakeTsa, ThreadingHTTPServer]:
    key, cert = tsa_certificate()
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
    )
    seen: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen.append(body)
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_response(415)
                self.end_headers()
                return
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cert_path = directory / "tsa.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return FakeTsa(f"http://127.0.0.1:{server.server_address[1]}/tsa", cert_path, seen, stamper), server


@pytest.fixture(name="fake_tsa")
def fake_tsa_fixture(tmp_path: Path, settings: Any) -> Iterator[FakeTsa]:
    """A running fake TSA, configured as the installation's (URL and certificate)."""
    tsa, server = start(tmp_path)
    settings.OKIENKO_EXCHANGE_TSA_URL = tsa.url
    settings.OKIENKO_EXCHANGE_TSA_CERT = str(tsa.cert_path)
    try:
        yield tsa
    finally:
        server.shutdown()
        server.server_close()
