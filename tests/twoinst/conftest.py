"""Two installations — a county labour office and an employment agency — each with its own
database, for the exchange tests (issue 18). Built once per test module: migrating two fresh
SQLite databases takes a while."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.twoinst.twin import Twin, TwinError, migrate

SETUP = """
from okienko.accounts.models import Membership, Organisation, User
from okienko.contracting.exchange import keys, partners
from okienko.contracting.models import InstitutionProfile

org = Organisation.objects.create(code=code, name=name, kind=kind)
InstitutionProfile.objects.create(organisation=org, nip=nip, contact_email=f"{code}@example.pl")
user = User.objects.create_user(username=username, password="pass-1234-word", first_name="Test", last_name=username)
Membership.objects.create(user=user, organisation=org, role=role)
admin = User.objects.create_superuser(username="admin", password="pass-1234-word")
keys.ensure_keys(org)
result = partners.signed_card(org, endpoint=endpoint)
"""

PAIR = """
from okienko.contracting.exchange import partners
from okienko.contracting.exchange.models import Partner

partner = partners.register(partners.read_card(card), actor=admin)
partners.confirm(partner, actor=admin, fingerprint=partners.signing_fingerprint(partner.card))
result = partner.organisation_id
"""

PUP_NIP = "9662112843"
AGENCY_NIP = "5423240211"


SERVE = """
import ssl
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.wsgi import get_wsgi_application


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Server(WSGIServer):
    def get_request(self):
        sock, address = super().get_request()
        sock.settimeout(30)
        return sock, address


server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=Server, handler_class=Quiet)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
result = server.server_port
"""

ENDPOINT = """
from okienko.contracting.exchange.models import Partner

Partner.objects.update(endpoint=endpoint)
"""


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A TLS certificate for 127.0.0.1 that both installations trust (their requests' CA bundle)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "tls-cert.pem", directory / "tls-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class Installations:
    def __init__(self, pup: Twin, agency: Twin, tls: tuple[Path, Path]) -> None:
        self.pup = pup
        self.agency = agency
        self.tls = tls
        self.ports: dict[str, int] = {}

    def serve_https(self) -> None:
        """Each installation serves its exchange endpoint over TLS on loopback, and each knows the
        other's address: messages queued from now on are pushed."""
        cert, key = (str(p) for p in self.tls)
        for twin in (self.pup, self.agency):
            if twin.name not in self.ports:
                self.ports[twin.name] = int(twin.run(SERVE, cert=cert, key=key))
        self.pup.run(ENDPOINT, endpoint=f"https://127.0.0.1:{self.ports['agency']}/exchange/v1/messages")
        self.agency.run(ENDPOINT, endpoint=f"https://127.0.0.1:{self.ports['pup']}/exchange/v1/messages")

    def stop_https(self) -> None:
        """Back to files: no endpoint, so new messages wait for the next export."""
        for twin in (self.pup, self.agency):
            twin.run(ENDPOINT, endpoint="")


@pytest.fixture(scope="module")
def installations(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installations]:
    root: Path = tmp_path_factory.mktemp("twoinst")
    dirs = {name: root / name for name in ("pup", "agency")}
    jobs = [migrate(path) for path in dirs.values()]
    for job in jobs:
        _out, err = job.communicate(timeout=600)
        if job.returncode:
            raise TwinError(err.decode(errors="replace")[-3000:])
    tls = self_signed(root)
    extra = {"REQUESTS_CA_BUNDLE": str(tls[0])}
    pup, agency = Twin("pup", dirs["pup"], extra), Twin("agency", dirs["agency"], extra)
    try:
        pup_card = pup.run(
            SETUP,
            code="pup-testowo",
            name="Powiatowy Urząd Pracy w Testowie",
            kind="county_office",
            nip=PUP_NIP,
            username="kierownik",
            role="contract_manager",
            endpoint="",
        )
        agency_card = agency.run(
            SETUP,
            code="agencja-praca",
            name="Agencja Zatrudnienia Praca Sp. z o.o.",
            kind="agency",
            nip=AGENCY_NIP,
            username="agent",
            role="agency_worker",
            endpoint="",
        )
        pup.run(PAIR, card=agency_card)
        agency.run(PAIR, card=pup_card)
        yield Installations(pup, agency, tls)
    finally:
        pup.close()
        agency.close()
