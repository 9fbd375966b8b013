"""The agency edition (issue 18, item 7): OKIENKO_EDITION=agency serves only Kontraktor's desk and
the exchange — the navigation shows only those, other desk pages and APIs answer 404, the public
portal sends visitors to the desk — and its demo loads only the agency, with the PUP demo's NIP."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from okienko.accounts.models import Organisation, User
from okienko.clients.identifiers import make_nip
from okienko.contracting.demo import AGENCY_INDEX
from okienko.contracting.exchange.models import InstitutionKey
from okienko.core import edition, navigation
from okienko.core.models import DemoLoad

pytestmark = pytest.mark.django_db
AGENCY = override_settings(OKIENKO_EDITION="agency")


@pytest.fixture
def admin_client() -> Client:
    user = User.objects.create_superuser(username="root-x", password="x", email="r@example.pl")
    client = Client()
    client.force_login(user)
    return client


@AGENCY
@pytest.mark.parametrize(
    "path",
    ["/desk/cases/", "/desk/clients/", "/desk/phone/", "/desk/registry/imports/", "/desk/knowledge/", "/api/v1/cases/"],
)
def test_other_modules_answer_404(admin_client: Client, path: str) -> None:
    assert admin_client.get(path).status_code == 404


@AGENCY
@pytest.mark.parametrize("path", ["/", "/zglos/", "/pomoc/", "/sprawy/sprawdz"])
def test_the_portal_sends_visitors_to_the_desk(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == "/desk/"


@AGENCY
def test_kontraktor_and_the_exchange_stay(admin_client: Client) -> None:
    assert admin_client.get("/desk/contracts/").status_code == 200
    assert admin_client.get("/desk/").status_code == 200
    assert admin_client.get("/health").status_code in (200, 503)
    assert Client().get("/accounts/login/").status_code == 200


@AGENCY
def test_the_navigation_shows_only_kontraktor_and_the_exchange() -> None:
    items = navigation.visible_items(None, "/desk/", may=lambda user, permission: True)
    urls = [item.url for item in items]
    assert "/desk/" in urls
    assert any(url.startswith("/desk/contracts/") for url in urls)
    assert all(edition.allowed(url) for url in urls)
    assert not any(url.startswith(("/desk/cases/", "/desk/clients/", "/desk/registry/")) for url in urls)


def test_the_full_edition_serves_everything(admin_client: Client) -> None:
    assert edition.edition() == "full"
    assert admin_client.get("/desk/cases/").status_code == 200
    everything = navigation.visible_items(None, "/desk/", may=lambda user, permission: True)
    assert any(
        not item.url.startswith(("/desk/contracts/", "/desk/exchange/")) and item.url != "/desk/" for item in everything
    )


@AGENCY
def test_the_agency_demo_loads_only_the_agency_with_the_pup_demos_nip() -> None:
    out = io.StringIO()
    call_command("demo", "--once", stdout=out)
    agency = Organisation.objects.get(code="agencja-praca-plus")
    assert agency.contracting_profile.nip == make_nip(542_000_000 + AGENCY_INDEX * 7919)
    assert not Organisation.objects.exclude(pk=agency.pk).filter(kind=Organisation.Kind.COUNTY_OFFICE).exists()
    assert set(User.objects.values_list("username", flat=True)) >= {"agencja", "admin"}
    assert InstitutionKey.objects.filter(organisation=agency).count() == 2
    assert list(DemoLoad.objects.values_list("name", flat=True)) == ["contracting_agency"]
    from okienko.contracting.models import Contract

    assert not Contract.objects.exists()
    call_command("demo", "--once", stdout=io.StringIO())  # idempotent
    assert Organisation.objects.filter(code="agencja-praca-plus").count() == 1


def test_an_unknown_edition_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from okienko.conf.env import ConfigError, read_environment

    monkeypatch.setenv("OKIENKO_EDITION", "city")
    with pytest.raises(ConfigError, match="OKIENKO_EDITION"):
        read_environment()


def test_the_demo_pairing_trusts_the_other_installations_cards(tmp_path: Any, settings: Any) -> None:
    # The ``settings`` fixture, not ``@AGENCY``: mixing the two would restore the agency edition
    # for every later test of this process.
    settings.OKIENKO_EDITION = "agency"
    from okienko.contracting.exchange import keys, partners
    from okienko.contracting.exchange.models import Partner
    from okienko.contracting.models import InstitutionProfile

    with pytest.raises(CommandError, match="demo"):
        call_command("exchange_pair_demo", "--with", str(tmp_path), stdout=io.StringIO())
    call_command("demo", "--once", stdout=io.StringIO())
    # The PUP's installation, simulated: its card written there, its keys not here.
    office = Organisation.objects.create(code="pup-z", name="PUP Z", kind=Organisation.Kind.COUNTY_OFFICE)
    InstitutionProfile.objects.create(organisation=office, nip="5422859599")
    keys.ensure_keys(office)
    other = tmp_path / "var-pup"
    (other / "exchange" / "cards").mkdir(parents=True)
    (other / "exchange" / "cards" / "pup-z.json").write_text(partners.signed_card(office))
    InstitutionKey.objects.filter(organisation=office).delete()
    settings.VAR_DIR = tmp_path / "var-agency"
    out = io.StringIO()
    call_command("exchange_pair_demo", "--with", str(other), stdout=out)
    partner = Partner.objects.get(institution_id="PL-NIP-5422859599")
    assert partner.status == Partner.Status.TRUSTED
    assert (tmp_path / "var-agency" / "exchange" / "cards" / "agencja-praca-plus.json").is_file()
    # Our own card read back is never registered as a partner.
    call_command("exchange_pair_demo", "--with", str(tmp_path / "var-agency"), stdout=io.StringIO())
    assert Partner.objects.count() == 1
    # Paired before the other side's endpoint was given: running it again with the endpoint sets it.
    assert partner.endpoint == ""
    endpoint = "http://127.0.0.1:8000/exchange/v1/messages"
    out = io.StringIO()
    call_command("exchange_pair_demo", "--with", str(other), "--endpoint", endpoint, stdout=out)
    assert "endpoint set" in out.getvalue()
    partner.refresh_from_db()
    assert (partner.status, partner.endpoint) == (Partner.Status.TRUSTED, endpoint)
    from okienko.core.models import AuditRecord

    assert AuditRecord.objects.filter(action="contracting.exchange.partner.endpoint_changed").exists()
