"""The exchange on the desk (issue 18): our institution's card and keys, partners with the
fingerprint confirmation, the exchange log and the file exchange — per role, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from okienko.accounts.models import Membership, Organisation, User
from okienko.accounts.roles import Role
from okienko.contracting.exchange import partners, transport_file
from okienko.contracting.exchange.models import Direction, ExchangeMessage, InstitutionKey, Partner
from okienko.core.models import AuditRecord
from tests.contracting.exchange_mirror import A_ID, Mirror, mirror_fixture, recorder_fixture

pytestmark = pytest.mark.django_db
__all__ = ["mirror_fixture", "recorder_fixture"]

PAGES = [
    "exchange_institution",
    "exchange_card",
    "exchange_rotate",
    "exchange_partners",
    "exchange_messages",
    "exchange_files",
]


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="pl")
    client.force_login(user)
    return client


@pytest.fixture
def people(mirror: Mirror, make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "office": make_user("kierownik-m", roles=[(mirror.a, Role.CONTRACT_MANAGER)]),
        "agency": make_user("agencja-m-pracownik", roles=[(mirror.b, Role.AGENCY_WORKER)]),
        "consultant": make_user("konsultant-m", roles=[(mirror.a, Role.CONSULTANT)]),
    }


def test_pages_per_role(people: dict[str, User], mirror: Mirror) -> None:
    for name in ("office", "agency"):
        http = _client(people[name])
        for page in PAGES:
            assert http.get(reverse(f"desk:{page}")).status_code == 200, (name, page)
    consultant = _client(people["consultant"])
    anonymous = Client()
    for page in PAGES:
        assert consultant.get(reverse(f"desk:{page}")).status_code in (403, 404), page
        assert anonymous.get(reverse(f"desk:{page}")).status_code == 302, page
    message = mirror.queue()
    assert consultant.get(reverse("desk:exchange_message", args=[message.pk])).status_code in (403, 404)
    assert consultant.get(reverse("desk:exchange_partner", args=[mirror.b_at_a.pk])).status_code in (403, 404)


def test_our_institution_shows_the_card_fingerprint_and_keys(people: dict[str, User], mirror: Mirror) -> None:
    http = _client(people["office"])
    page = http.get(reverse("desk:exchange_institution")).content.decode()
    assert A_ID in page
    assert partners.signing_fingerprint(partners.card_of(mirror.a)) in page
    card = http.get(reverse("desk:exchange_card"))
    assert card["Content-Disposition"].startswith("attachment")
    assert partners.read_card(card.content)["institution_id"] == A_ID


def test_rotating_keys_needs_the_confirmation_and_is_audited(people: dict[str, User], mirror: Mirror) -> None:
    http = _client(people["office"])
    before = InstitutionKey.objects.filter(organisation=mirror.a, retired_at=None).count()
    http.post(reverse("desk:exchange_rotate"), {})
    assert InstitutionKey.objects.filter(organisation=mirror.a, retired_at=None).count() == before
    response = http.post(reverse("desk:exchange_rotate"), {"confirm": "yes"})
    assert response.status_code == 302
    assert InstitutionKey.objects.filter(organisation=mirror.a, retired_at__isnull=False).count() == 2
    assert AuditRecord.objects.filter(action="contracting.exchange.key.rotated").exists()


def test_a_card_is_imported_and_trusted_only_with_the_fingerprint_heard(
    people: dict[str, User], mirror: Mirror, make_user: Callable[..., User]
) -> None:
    other = Organisation.objects.create(code="agencja-n", name="Agencja N", kind=Organisation.Kind.AGENCY)
    from okienko.contracting.models import InstitutionProfile

    InstitutionProfile.objects.create(organisation=other, nip="1234563218")
    card_text = partners.signed_card(other)
    fingerprint = partners.signing_fingerprint(partners.read_card(card_text))
    InstitutionKey.objects.filter(organisation=other).delete()
    Organisation.objects.filter(pk=other.pk).update(code="agencja-n-old")
    InstitutionProfile.objects.filter(organisation=other).delete()
    http = _client(people["office"])
    response = http.post(
        reverse("desk:exchange_partners"), {"card": SimpleUploadedFile("card.json", card_text.encode())}
    )
    partner = Partner.objects.get(institution_id="PL-NIP-1234563218")
    address = reverse("desk:exchange_partner", args=[partner.pk])
    assert response["Location"] == address
    page = http.get(address).content.decode()
    assert fingerprint in page
    http.post(address, {"action": "confirm", "fingerprint": "0000 0000"})
    partner.refresh_from_db()
    assert partner.status == Partner.Status.PENDING
    http.post(address, {"action": "confirm", "fingerprint": fingerprint.lower()})
    partner.refresh_from_db()
    assert partner.status == Partner.Status.TRUSTED
    http.post(address, {"action": "suspend", "note": "klucz wyciekł"})
    partner.refresh_from_db()
    assert partner.status == Partner.Status.SUSPENDED
    broken = http.post(reverse("desk:exchange_partners"), {"card": SimpleUploadedFile("card.json", b"{nope")})
    assert broken.status_code == 302


def test_the_log_is_scoped_filtered_and_never_shows_the_content(
    people: dict[str, User], mirror: Mirror, recorder: list[Any]
) -> None:
    sent = mirror.queue(note="Tajna notatka")
    transport_file.import_file(transport_file.export_file(mirror.b_at_a))
    office, agency = _client(people["office"]), _client(people["agency"])
    page = office.get(reverse("desk:exchange_messages"), {"direction": "out"}).content.decode()
    assert reverse("desk:exchange_message", args=[sent.pk]) in page
    received = ExchangeMessage.objects.get(direction=Direction.IN, type="contract.status")
    assert reverse("desk:exchange_message", args=[received.pk]) not in page
    # The office's message is not the agency's to read, and the other way round.
    assert agency.get(reverse("desk:exchange_message", args=[sent.pk])).status_code == 404
    assert office.get(reverse("desk:exchange_message", args=[received.pk])).status_code == 404
    detail = agency.get(reverse("desk:exchange_message", args=[received.pk])).content.decode()
    assert str(received.message_id) in detail
    assert "Tajna notatka" not in detail
    refused = agency.get(reverse("desk:exchange_messages"), {"status": "refused", "reason": "conflict"})
    assert reverse("desk:exchange_message", args=[received.pk]) not in refused.content.decode()
    for query in ({"direction": "x"}, {"status": "<b>"}, {"reason": "'"}, {"page": "-1"}, {"institution": "zzz"}):
        assert agency.get(reverse("desk:exchange_messages"), query).status_code == 200


def test_file_exchange_on_the_desk(people: dict[str, User], mirror: Mirror, recorder: list[Any]) -> None:
    mirror.queue()
    office, agency = _client(people["office"]), _client(people["agency"])
    exported = office.post(reverse("desk:exchange_files"), {"action": "export", "partner": mirror.b_at_a.pk})
    assert exported.status_code == 200
    assert exported["Content-Disposition"].startswith("attachment")
    data = exported.content
    assert json.loads(data.splitlines()[0])["receiver"] == mirror.b_at_a.institution_id
    page = agency.post(
        reverse("desk:exchange_files"), {"action": "import", "file": SimpleUploadedFile("z-pup.jsonl", data)}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "contract.status" in text
    assert "applied" in text
    again = agency.post(
        reverse("desk:exchange_files"), {"action": "import", "file": SimpleUploadedFile("z-pup.jsonl", data)}
    ).content.decode()
    assert "duplicate" in again
    truncated = agency.post(
        reverse("desk:exchange_files"), {"action": "import", "file": SimpleUploadedFile("x.jsonl", data[:-40])}
    ).content.decode()
    assert "malformed" in truncated
    assert office.post(reverse("desk:exchange_files"), {"action": "export", "partner": "x"}).status_code == 302
    assert office.post(reverse("desk:exchange_files"), {"action": "nope"}).status_code == 302


def test_an_institution_without_a_nip_gets_a_notice_not_an_error(make_user: Callable[..., User], region: Any) -> None:
    pup = Organisation.objects.get(code="pup-a")
    user = make_user("bez-nip", roles=[(pup, Role.CONTRACT_MANAGER)])
    http = _client(user)
    for page in ("exchange_institution", "exchange_files", "exchange_messages", "exchange_partners"):
        assert http.get(reverse(f"desk:{page}")).status_code == 200
    assert http.get(reverse("desk:exchange_card")).status_code == 404
    assert http.post(reverse("desk:exchange_rotate"), {"confirm": "yes"}).status_code == 404
    assert Membership.objects.filter(user=user).exists()


def test_departments_without_an_identity_are_not_offered(
    people: dict[str, User], mirror: Mirror, make_user: Callable[..., User]
) -> None:
    """A PUP's contract manager's role covers its departments (no NIP, no exchange identity):
    the pages open on the office itself, not on a department alphabetically first."""
    Organisation.objects.create(code="pup-m-dzial", name="Dział A", kind=mirror.a.kind, parent=mirror.a)
    http = _client(people["office"])
    page = http.get(reverse("desk:exchange_files")).content.decode()
    assert 'id="export-partner"' in page
    assert 'id="exchange-institution"' not in page
    assert A_ID in http.get(reverse("desk:exchange_institution")).content.decode()
