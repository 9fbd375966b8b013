"""Employers and job offers: the state machine, the pay rule, sanitising, moderator hints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from okienko.accounts.models import Organisation
from okienko.core.errors import Conflict, InvalidInput, TransitionNotAllowed
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.jobs import actions, content
from okienko.jobs.states import EmployerStatus, OfferOrigin, OfferStatus
from tests.jobs.helpers import TEST, employer, published, values

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


def test_employer_nip_is_checked(office: Organisation) -> None:
    with pytest.raises(InvalidInput):
        actions.register_employer(
            actor=TEST, office=office, name="X", nip="1234567890", locality="Łomża", teryt_code="2062011"
        )
    found = employer(office, verified=False)
    assert found.status == EmployerStatus.PENDING
    with pytest.raises(Conflict):
        actions.register_employer(
            actor=TEST, office=office, name="Y", nip=found.nip, locality="Łomża", teryt_code="2062011"
        )


def test_employer_offer_goes_through_moderation(office: Organisation) -> None:
    emp = employer(office, verified=False)
    offer = actions.create_offer(actor=TEST, employer=emp, values=values(occupation_code=""))
    assert offer.status == OfferStatus.DRAFT
    with mock.patch.object(actions, "suggestions", return_value=[{"code": "833201", "name": "x", "score": 0.9}]):
        actions.submit_offer(actor=TEST, offer=offer)
    assert offer.status == OfferStatus.SUBMITTED
    assert offer.occupation_suggestions[0]["code"] == "833201"
    actions.return_offer(actor=TEST, offer=offer, reason="Popraw tytuł")
    assert offer.status == OfferStatus.RETURNED
    actions.update_offer(actor=TEST, offer=offer, values={"title": "Kierowca / Kierowczyni"})
    with mock.patch.object(actions, "suggestions", return_value=[{"code": "833201", "name": "x", "score": 0.9}]):
        actions.submit_offer(actor=TEST, offer=offer)
    with mock.patch("okienko.jobs.classifier.record_correction") as record:
        actions.approve_offer(actor=TEST, offer=offer, occupation_code="833202")
    record.assert_called_once()
    assert record.call_args.args[3] == "833202"
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.verified is False  # the employer is not verified
    actions.set_employer_status(actor=TEST, employer=emp, status=EmployerStatus.VERIFIED)
    offer.refresh_from_db()
    assert offer.verified is True
    actions.withdraw_offer(actor=TEST, offer=offer, reason="Obsadzone")
    with pytest.raises(TransitionNotAllowed):
        actions.approve_offer(actor=TEST, offer=offer)
    kinds = list(AuditRecord.objects.filter(object_id=str(offer.pk)).values_list("action", flat=True))
    assert "jobs.offer_submitted" in kinds
    assert "jobs.offer_published" in kinds
    assert "jobs.offer_withdrawn" in kinds
    event = OutboxEvent.objects.filter(topic="jobs.offer_published").latest("pk")
    assert set(event.payload) <= {"offer_id", "offer_uuid", "employer_id", "status"}


def test_reject_and_return_need_a_reason(office: Organisation) -> None:
    offer = actions.create_offer(actor=TEST, employer=employer(office), values=values())
    actions.submit_offer(actor=TEST, offer=offer)
    with pytest.raises(InvalidInput):
        actions.reject_offer(actor=TEST, offer=offer, reason=" ")
    actions.reject_offer(actor=TEST, offer=offer, reason="Oferta dyskryminująca")
    assert offer.status == OfferStatus.REJECTED
    assert offer.status_reason


def test_office_offer_is_published_verified(office: Organisation) -> None:
    offer = published(office)
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.verified
    assert offer.origin == OfferOrigin.OFFICE


def test_pay_is_required_from_24_december_2025(office: Organisation) -> None:
    offer = actions.create_offer(actor=TEST, employer=employer(office), values=values(pay_min=None, pay_max=None))
    day = dt.datetime(2025, 12, 24, 9, tzinfo=dt.UTC)
    with mock.patch("okienko.core.clock.local_now", return_value=day), pytest.raises(InvalidInput) as caught:
        actions.submit_offer(actor=TEST, offer=offer)
    assert "pay_min" in caught.value.errors
    with mock.patch("okienko.core.clock.local_now", return_value=dt.datetime(2025, 12, 23, 9, tzinfo=dt.UTC)):
        actions.submit_offer(actor=TEST, offer=offer)
    assert content.pay_required(dt.date(2025, 12, 24))
    assert not content.pay_required(dt.date(2025, 12, 23))


def test_pay_range_upside_down_is_refused(office: Organisation) -> None:
    with pytest.raises(InvalidInput) as caught:
        actions.create_offer(
            actor=TEST, employer=employer(office), values=values(pay_min=Decimal("9000"), pay_max=Decimal("5000"))
        )
    assert "pay_max" in caught.value.errors


def test_expiry_and_archival(office: Organisation) -> None:
    offer = published(office)
    later = offer.valid_until + dt.timedelta(days=1)
    assert actions.expire_offers(on=later) == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert actions.expire_offers(on=later) == 0
    actions.expire_offers(on=later + dt.timedelta(days=actions.ARCHIVE_AFTER_DAYS + 1))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ARCHIVED


def test_description_is_sanitised_and_links_shown_as_text(office: Organisation) -> None:
    offer = actions.create_offer(
        actor=TEST,
        employer=employer(office),
        values=values(
            description='<p onclick="x()">Hi<script>alert(1)</script> <a href="https://evil.example/x.exe">CV</a>'
            ' <a href="javascript:alert(1)">js</a></p>'
        ),
    )
    assert "<script" not in offer.description
    assert "onclick" not in offer.description
    assert "javascript:" not in offer.description
    shown = content.display_html(offer.description, approved=False)
    assert "<a" not in shown
    assert "https://evil.example/x.exe" in shown
    assert 'rel="nofollow' in content.display_html(offer.description, approved=True)
    assert any(f["code"] == "description.links" for f in offer.flags)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Zatrudnimy panie do 35 lat", "discrimination.age"),
        ("Kandydatki w wieku 20-30 lat", "discrimination.age"),
        ("Szukamy młodych osób do zespołu", "discrimination.age"),
        ("Praca tylko dla mężczyzn", "discrimination.sex"),
        ("Zatrudnimy panią na recepcję", "discrimination.sex"),
        ("Wyłącznie dla Polaków", "discrimination.nationality"),
        ("Nie zatrudniamy cudzoziemców", "discrimination.nationality"),
        ("Wymagana miła aparycja", "discrimination.appearance"),
        ("Atrakcyjny wygląd", "discrimination.appearance"),
        ("Osoba bez zobowiązań rodzinnych", "discrimination.family"),
    ],
)
def test_discriminatory_wording_is_flagged(text: str, code: str) -> None:
    assert code in {f.code for f in content.discrimination(text)}


def test_neutral_wording_is_not_flagged() -> None:
    text = "Praca dla osób z doświadczeniem, mile widziane prawo jazdy kat. B. Oferujemy umowę o pracę."
    assert content.discrimination(text) == []


@pytest.mark.parametrize(
    ("title", "neutral"),
    [
        ("Kierowca (k/m)", True),
        ("Sprzedawca (M/K)", True),
        ("Sprzedawca/Sprzedawczyni", True),
        ("Osoba do sprzątania", True),
        ("Magazynier", False),
        ("Księgowa", False),
    ],
)
def test_gender_neutral_title_hint(title: str, neutral: bool) -> None:
    assert content.title_is_neutral(title) is neutral
