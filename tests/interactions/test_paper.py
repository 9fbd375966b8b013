"""Letters, faxes and visits at the counter (issue 14, item 4): registered from the client card
with scans checked by ``core.uploads``, shown in the one contact history, handed over to a case
whose clock starts on the date received; bad input is a readable error with nothing typed lost."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.test import override_settings
from django.utils import translation

from okienko.accounts import demo as accounts_demo
from okienko.accounts.models import Organisation, User
from okienko.cases import actions as case_actions
from okienko.cases.models import Case, CaseAttachment
from okienko.catalogue import demo as catalogue_demo
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core.errors import InvalidInput
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.interactions import actions
from okienko.interactions.models import Interaction, InteractionAttachment
from tests.clients.helpers import person

pytestmark = pytest.mark.django_db

# A Tuesday morning in Warsaw; the letter came on the Monday a week before.
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
RECEIVED = dt.date(2026, 3, 2)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def desk(db: None, settings: Any, tmp_path: Any) -> HttpClient:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    accounts_demo.load(stdout=io.StringIO())
    catalogue_demo.load(stdout=io.StringIO())
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(consultant())
    return http


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def consultant() -> User:
    return User.objects.get(username="konsultant.bialystok")


def office() -> Organisation:
    return Organisation.objects.get(code="pup-bialystok")


@pytest.fixture
def client_record(desk: HttpClient) -> Any:
    return person(office(), phones=["601 234 567"])


@pytest.fixture
def service(desk: HttpClient) -> Service:
    """A request answered within 14 calendar days (plain arithmetic for the deadline)."""
    from okienko.cases import access

    jurisdiction = access.jurisdiction_of(office())
    category = ServiceCategory.objects.create(organisation=jurisdiction, code="pisma", name="Pisma")
    return Service.objects.create(
        organisation=jurisdiction,
        code="skarga-pismo",
        category=category,
        public_name="Skarga na pracę urzędu",
        sla_basis="calendar_days",
        response_due=7,
        resolve_due=14,
    )


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def letter(client_record: Any = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "letter",
        "reference_number": "WO.1510.12.2026",
        "received_on": RECEIVED.isoformat(),
        "question": "Skarga na termin wizyty",
        "notes": "Pismo polecone, 2 strony.",
        "action": "save",
        **fields,
    }
    if client_record is not None:
        data["client"] = str(client_record.uuid)
    return data


# -- the action ------------------------------------------------------------------------------
def test_a_letter_is_dated_on_receipt_with_its_scans_audit_and_event(client_record: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        interaction = actions.register_paper_contact(
            actor=consultant(),
            organisation=office(),
            channel="letter",
            received_on=RECEIVED,
            question="Skarga",
            reference_number=" WO.1510.12.2026 ",
            client=client_record,
            scans=[("skan strona 1.pdf", PDF), ("../../etc/zdjęcie.html", PNG)],
        )
    start = dt.datetime(2026, 3, 2, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert (interaction.received_at, interaction.started_at, interaction.reference_number) == (
        start,
        start,
        "WO.1510.12.2026",
    )
    names = [(s.original_name, s.content_type) for s in interaction.attachments.all()]
    assert names == [("skan strona 1.pdf", "application/pdf"), ("zdjęcie.png", "image/png")]
    record = AuditRecord.objects.get(action="interactions.recorded")
    assert record.data["reference_number"] == "WO.1510.12.2026"
    assert record.data["received_at"] == "2026-03-01T23:00:00Z"
    assert [s["name"] for s in record.data["scans"]] == ["skan strona 1.pdf", "zdjęcie.png"]
    # The event webhooks publish (interaction.*) names the channel and the date received.
    event = OutboxEvent.objects.get(topic="interaction.recorded")
    assert {k: event.payload[k] for k in ("channel", "received_at", "scans")} == {
        "channel": "letter",
        "received_at": "2026-03-01T23:00:00Z",
        "scans": 2,
    }


def test_a_letter_received_today_starts_now(client_record: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        interaction = actions.register_paper_contact(
            actor=consultant(),
            organisation=office(),
            channel="fax",
            received_on=dt.date(2026, 3, 10),
            question="Faks",
            client=client_record,
        )
    assert interaction.received_at == NOW
    assert interaction.channel == "fax"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"received_on": dt.date(2026, 3, 11)}, "received_on", "The date received cannot be in the future."),
        ({"received_on": None}, "received_on", "Give the date the office received it."),
        ({"question": "   "}, "question", "Give the subject of the letter or visit."),
        ({"reference_number": "x" * 500}, "reference_number", "A reference number has at most 100 characters."),
        ({"channel": "phone"}, "channel", "Choose a letter, a fax or a visit at the counter."),
        ({"scans": [("list.pdf", b"MZ\x90\0 not a pdf")]}, "scans", "list.pdf: This type of file is not accepted"),
        ({"scans": [("pusty.pdf", b"")]}, "scans", "pusty.pdf: The file is empty."),
    ],
)
def test_bad_input_is_refused_with_nothing_stored(
    client_record: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    arguments: dict[str, Any] = {
        "actor": consultant(),
        "organisation": office(),
        "channel": "letter",
        "received_on": RECEIVED,
        "question": "Skarga",
        "client": client_record,
        **fields,
    }
    with time_machine.travel(NOW, tick=False), pytest.raises(actions.InteractionError) as exc:
        actions.register_paper_contact(**arguments)
    assert str(exc.value.errors[field]).startswith(message)
    assert Interaction.objects.count() == 0
    assert InteractionAttachment.objects.count() == 0


def test_a_scan_over_the_limit_is_refused_and_audited(client_record: Any, settings: Any) -> None:
    settings.INTERACTIONS_MAX_SCAN_BYTES = 1024
    with pytest.raises(actions.InteractionError) as exc:
        actions.register_paper_contact(
            actor=consultant(),
            organisation=office(),
            channel="letter",
            received_on=dt.date.today(),
            question="Skarga",
            client=client_record,
            scans=[("duży.pdf", PDF + b"0" * 2048)],
        )
    assert "larger than 1.0" in str(exc.value.errors["scans"])
    assert AuditRecord.objects.get(action="interactions.scan_rejected").data["reason"] == "too-large"


def test_a_counter_worker_of_another_county_may_not_register_for_this_client(desk: HttpClient) -> None:
    from django.core.exceptions import PermissionDenied

    other_office = Organisation.objects.exclude(pk=office().pk).filter(code__startswith="pup-").first()
    assert other_office is not None
    stranger = person(other_office)
    with pytest.raises(PermissionDenied):
        actions.register_paper_contact(
            actor=consultant(),
            organisation=office(),
            channel="letter",
            received_on=dt.date.today(),
            question="Skarga",
            client=stranger,
        )


# -- the desk --------------------------------------------------------------------------------
def test_the_client_card_offers_the_letter_form_with_today_and_a_letter_chosen(
    desk: HttpClient, client_record: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        html = desk.get(f"/desk/clients/{client_record.uuid}/").content.decode()
    assert 'id="paper-h"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="received_on" value="2026-03-10"' in html
    assert 'max="2026-03-10"' in html
    assert 'value="letter" id="paper-channel_0" checked' in html or (
        'id="paper-channel_0"' in html and 'value="letter"' in html and "checked" in html
    )


def test_a_letter_with_a_scan_lands_on_the_clients_history(desk: HttpClient, client_record: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        response = desk.post(
            "/desk/contacts/letter/", letter(client_record, scans=[upload("skan.pdf", PDF)]), follow=True
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The letter, fax or visit was registered." in html
    assert "ref. WO.1510.12.2026" in html
    assert "received 02.03.2026" in html
    scan = InteractionAttachment.objects.get()
    assert f'href="/desk/contacts/scans/{scan.uuid}/"' in html
    interaction = Interaction.objects.get()
    assert (interaction.client, interaction.channel, interaction.staff) == (client_record, "letter", consultant())


def test_an_anonymous_letter_keeps_the_senders_name_and_address(desk: HttpClient) -> None:
    with time_machine.travel(NOW, tick=False):
        page = desk.get("/desk/contacts/letter/").content.decode()
        response = desk.post(
            "/desk/contacts/letter/",
            letter(contact_name="Jan Kowalski", contact_address="ul. Lipowa 1, 15-001 Białystok"),
        )
    assert 'name="contact_address"' in page
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert (interaction.client, interaction.contact_name, interaction.contact_address) == (
        None,
        "Jan Kowalski",
        "ul. Lipowa 1, 15-001 Białystok",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"received_on": "2026-03-11"}, "The date received cannot be in the future."),
        ({"received_on": "jutro"}, "Enter the date as YYYY-MM-DD."),
        ({"reference_number": "R" * 500}, "A reference number has at most 100 characters."),
        ({"question": ""}, "Give the subject of the letter or visit."),
        ({"scans": [upload("skan.pdf", b"<html><script>alert(1)</script></html>")]}, "This type of file"),
    ],
)
def test_bad_input_is_a_readable_error_with_everything_typed_kept(
    desk: HttpClient, client_record: Any, fields: dict[str, Any], message: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = desk.post("/desk/contacts/letter/", letter(client_record, **fields))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Pismo polecone, 2 strony." in html
    if "question" not in fields:
        assert 'value="Skarga na termin wizyty"' in html
    assert f'name="client" value="{client_record.uuid}"' in html
    assert Interaction.objects.count() == 0


@override_settings(INTERACTIONS_MAX_SCAN_BYTES=4096)
def test_a_scan_over_the_limit_is_a_readable_error(desk: HttpClient, client_record: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        response = desk.post(
            "/desk/contacts/letter/", letter(client_record, scans=[upload("duży.pdf", PDF + b"0" * 8192)])
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The file is larger than 4.0" in html
    assert "choose the scans again" in html
    assert 'value="WO.1510.12.2026"' in html


def test_scans_are_downloaded_by_those_who_may_see_the_client_and_the_access_is_logged(
    desk: HttpClient, client_record: Any, make_user: Any
) -> None:
    from okienko.accounts.roles import Role

    desk.post("/desk/contacts/letter/", letter(client_record, scans=[upload("skan.pdf", PDF)]))
    scan = InteractionAttachment.objects.get()
    response = desk.get(f"/desk/contacts/scans/{scan.uuid}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditRecord.objects.filter(kind="access", data__purpose=f"scan {scan.uuid}").count() == 1
    other_office = Organisation.objects.exclude(pk=office().pk).filter(code__startswith="pup-").first()
    outsider = make_user("obcy", roles=[(other_office, Role.CONSULTANT)])
    stranger = HttpClient()
    stranger.force_login(outsider)
    assert stranger.get(f"/desk/contacts/scans/{scan.uuid}/").status_code == 404
    assert AuditRecord.objects.filter(action="interactions.access_denied").count() == 1
    assert stranger.get("/desk/contacts/scans/not-a-uuid/").status_code == 404


# -- the case --------------------------------------------------------------------------------
def test_opening_a_case_from_a_letter_counts_the_deadline_from_the_date_received(
    desk: HttpClient, client_record: Any, service: Service
) -> None:
    with time_machine.travel(NOW, tick=False):
        page = desk.post(
            "/desk/contacts/letter/",
            letter(client_record, service=service.code, action="case", scans=[upload("skan.pdf", PDF)]),
            follow=True,
        )
        html = page.content.decode()
        assert "Received on 02.03.2026: the deadlines count from that day" in html
        assert "Reference number: WO.1510.12.2026; received on 02.03.2026" in html
        interaction = Interaction.objects.get()
        response = desk.post(
            "/desk/cases/new/",
            {
                "service": str(service.uuid),
                "client": str(client_record.uuid),
                "interaction": str(interaction.uuid),
                "description": "Skarga na termin wizyty",
                "channel": "letter",
            },
        )
        assert response.status_code == 302
        case_page = desk.get(response["Location"]).content.decode()
    assert "ref. WO.1510.12.2026), received 02.03.2026" in case_page
    case = Case.objects.get()
    start = dt.datetime(2026, 3, 1, 23, 0, tzinfo=dt.UTC)
    assert (case.created_at, case.channel) == (start, "letter")
    assert case.resolve_due == start + dt.timedelta(days=14)
    assert case.response_due == start + dt.timedelta(days=7)
    attachment = CaseAttachment.objects.get(case=case)
    assert (attachment.original_name, attachment.is_public, attachment.file.read()) == ("skan.pdf", False, PDF)
    interaction.refresh_from_db()
    assert (interaction.case, interaction.outcome) == (case, "case_opened")
    opened = AuditRecord.objects.get(action="case.opened")
    assert opened.data["received_at"] == "2026-03-01T23:00:00Z"


def test_open_case_refuses_a_received_time_in_the_future(desk: HttpClient, service: Service) -> None:
    from okienko.cases import access

    with time_machine.travel(NOW, tick=False), pytest.raises(InvalidInput) as exc:
        case_actions.open_case(
            actor=consultant(),
            organisation=access.jurisdiction_of(office()),
            service=service,
            description="Pismo",
            channel="letter",
            received_at=NOW + dt.timedelta(hours=1),
        )
    assert str(exc.value.errors["received_at"]) == "The date received cannot be in the future."
    assert Case.objects.count() == 0


def test_a_50_mb_scan_is_a_readable_error_with_everything_typed_kept(desk: HttpClient, client_record: Any) -> None:
    big = PDF + b"0" * (50 * 1024 * 1024)
    with time_machine.travel(NOW, tick=False):
        response = desk.post("/desk/contacts/letter/", letter(client_record, scans=[upload("skan-50mb.pdf", big)]))
    html = response.content.decode()
    assert response.status_code == 400
    assert "skan-50mb.pdf: The file is larger than 10.0" in html
    assert 'value="WO.1510.12.2026"' in html
    assert 'value="Skarga na termin wizyty"' in html
    assert Interaction.objects.count() == 0
    assert AuditRecord.objects.get(action="interactions.scan_rejected").data["reason"] == "too-large"
