"""The access matrix: every desk and API address, asked by every role, about objects of every office.

The addresses come from the URL configuration itself (and every path of the committed OpenAPI
document must be among them), so a new page or endpoint is covered the day it is added: a URL
whose parameters this test cannot fill fails ``test_every_url_parameter_has_an_object`` until a
line is added to ``OBJECTS``.

For each role and each address filled with the objects of each office the test asserts:
- no response carries personal data the caller may not see (each client, case, contact, callback
  and note carries a unique marker; the markers outside the caller's scope must never appear);
- a request about another office's personal data that is refused (403/404) leaves a security
  entry in the audit log, on the desk and in the API alike;
- a POST about another office's data changes nothing (no new change entry in the audit log).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from okienko.accounts import access
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Perm, Role
from okienko.api.actions import issue_api_token
from okienko.api.models import Scope
from okienko.cases import actions as case_actions
from okienko.cases.models import Case, CaseAttachment
from okienko.catalogue.models import Service, ServiceCategory
from okienko.channels.chat.models import ChatSession
from okienko.channels.eforms import intake as eform_intake
from okienko.channels.eforms import sample as eform_sample
from okienko.channels.eforms.models import EForm, EFormSubmission
from okienko.channels.email.pipeline import ingest
from okienko.channels.models import InboundMessage, Mailbox
from okienko.clients.models import Client
from okienko.core.models import AuditRecord
from okienko.interactions import actions as interaction_actions
from okienko.interactions.models import Callback, Interaction, InteractionAttachment
from okienko.knowledge import actions as knowledge_actions
from okienko.knowledge.models import Article
from okienko.reports import areas
from okienko.telephony.models import AgentSipAccount
from tests.clients.helpers import pesel
from tests.telephony.media_helpers import phone_media

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Address prefixes that hold staff pages and the staff API (public pages have their own tests).
STAFF_PREFIXES = ("desk/", "api/v1/", "accounts/organisation/")
# Addresses under those prefixes that anyone may read (the API's own description, public knowledge).
PUBLIC_UNDER_STAFF_PREFIXES = {
    "api/v1/schema/",
    "api/v1/docs/",
    "api/v1/knowledge/search",
    "api/v1/jobs/offers/",  # published job offers are public (issue 19)
    "api/v1/jobs/offers/{uuid}/",
    "api/v1/jobs/trainings/",  # published trainings and job fairs are public (issue 19, item 7)
    "api/v1/jobs/trainings/{uuid}/",
    "api/v1/jobs/events/",
    "api/v1/jobs/events/{uuid}/",
}
# Offices whose objects are asked about: two county offices of one region and a city unit.
OFFICES = ("pup-a", "pup-b", "city-unit")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Office:
    """The personal data of one office, each piece with a marker found nowhere else."""

    org: Organisation
    client: Client
    case: Case
    interaction: Interaction
    callback: Callback
    attachment: CaseAttachment
    scan: InteractionAttachment
    service: Service
    article: Article
    mail: InboundMessage
    eform: EFormSubmission
    chat: ChatSession
    markers: dict[str, list[str]] = field(default_factory=dict)

    def all_markers(self) -> set[str]:
        return {m for group in self.markers.values() for m in group}


def _marker(code: str, what: str) -> str:
    letters = "".join(ch for ch in code if ch.isalpha())
    return f"Znacznik{letters.capitalize()}{what}"


def _office(code: str, author: User) -> Office:
    org = Organisation.objects.get(code=code)
    jurisdiction = org if org.kind != Organisation.Kind.UNIT else org.parent
    assert jurisdiction is not None
    surname = _marker(code, "Nazwisko")
    number = pesel(1970 + OFFICES.index(code), 5, 6)
    phone = f"60{OFFICES.index(code)}555{OFFICES.index(code)}44"
    email = f"{surname.lower()}@example.pl"
    client = Client.objects.get(pk=_register(jurisdiction, surname, number, phone, email).pk)
    category, _ = ServiceCategory.objects.get_or_create(organisation=jurisdiction, code="matrix", name="Matrix")
    service, _ = Service.objects.get_or_create(
        organisation=jurisdiction,
        code="matrix",
        defaults={"category": category, "public_name": "Sprawa testowa", "responsible_unit": org},
    )
    description = _marker(code, "Opis")
    case = case_actions.open_case(
        actor=author,
        organisation=jurisdiction,
        service=service,
        description=description,
        channel="phone",
        client=client,
    )
    note = _marker(code, "Notatka")
    case_actions.add_note(actor=author, case=case, body=note)
    attachment = case_actions.add_attachment(actor=author, case=case, name=f"{_marker(code, 'Plik')}.png", data=PNG)
    question = _marker(code, "Pytanie")
    interaction = interaction_actions.record_interaction(
        actor=author, channel="phone", organisation=jurisdiction, client=client, question=question
    )
    reference = _marker(code, "Sygnatura")
    paper = interaction_actions.register_paper_contact(
        actor=author,
        organisation=jurisdiction,
        channel="letter",
        received_on=dt.date.today() - dt.timedelta(days=3),
        question=_marker(code, "Pismo"),
        reference_number=reference,
        client=client,
        scans=[(f"{_marker(code, 'Skan')}.png", PNG)],
    )
    reason = _marker(code, "Oddzwonienie")
    callback = interaction_actions.request_callback(
        actor=author,
        organisation=jurisdiction,
        reason=reason,
        due_at=dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC),
        target_unit=org,
        client=client,
        interaction=interaction,
        phone=phone,
    )
    root = Organisation.objects.get(path=org.controller_path)
    article = Article.objects.filter(organisation=root).first() or knowledge_actions.create_article(
        actor=None,
        organisation=root,
        title=f"Artykuł {root.code}",
        slug=f"artykul-{root.code}",
        body="Treść",
        status=Article.Status.PUBLISHED,
    )
    mailbox, _new = Mailbox.objects.get_or_create(
        address=f"kontakt@{code}.matrix.localhost", defaults={"organisation": org, "name": code}
    )
    mail_text = _marker(code, "Poczta")
    mail = ingest(
        mailbox,
        (
            f"From: nadawca.{code}@example.org\r\nTo: {mailbox.address}\r\nSubject: Pytanie\r\n"
            f"Message-ID: <matrix-{code}@example.pl>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{mail_text}\r\n"
        ).encode(),
    )
    eform = _eform(code, org, service)
    return Office(
        org=org,
        client=client,
        case=case,
        interaction=interaction,
        callback=callback,
        attachment=attachment,
        scan=paper.attachments.get(),
        service=service,
        article=article,
        mail=mail,
        eform=eform,
        chat=_chat(code, org),
        markers={
            "client": [surname, number, email],
            "case": [description, note, _marker(code, "Plik")],
            "interaction": [question, reference, _marker(code, "Pismo"), _marker(code, "Skan")],
            "callback": [reason],
            "mail": [mail_text],
            "eform": [_marker(code, "Wniosek")],
            "chat": [_marker(code, "Czat")],
        },
    )


def _chat(code: str, org: Organisation) -> ChatSession:
    """A waiting chat whose visitor and first line carry the office's marker."""
    marker = _marker(code, "Czat")
    chat = ChatSession.objects.create(
        organisation=org, visitor_key=code, visitor_name=marker, started_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    )
    chat.messages.create(sequence=1, sender="visitor", text=marker, created_at=chat.started_at)
    return chat


EFORM_SCHEMA = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:matrix"
  elementFormDefault="qualified"><xs:element name="W" type="xs:string"/></xs:schema>"""


def _eform(code: str, org: Organisation, service: Service) -> EFormSubmission:
    """A rejected (unsigned where a signature is required) e-form submission whose title and
    sender carry the office's marker: only the e-forms desk shows it."""
    form, _new = EForm.objects.get_or_create(
        code=f"matrix-{code}",
        defaults={"organisation": org, "name": "Wniosek", "service": service, "schema": EFORM_SCHEMA},
    )
    form.signature_required = True
    form.save()
    marker = _marker(code, "Wniosek")
    raw = eform_sample.envelope(form.code, '<W xmlns="urn:matrix">x</W>', title=marker, sender_name=marker)
    submission, _new = eform_intake.receive(raw, transport="folder")
    return submission


def _register(office: Organisation, surname: str, number: str, phone: str, email: str) -> Client:
    from okienko.clients import actions

    return actions.register_client(
        actor=None,
        home_office=office,
        first_name="Jan",
        last_name=surname,
        pesel=number,
        phones=[phone],
        emails=[email],
        accept_duplicates=True,
    )


# --- which object fills which URL parameter ----------------------------------------------------
# Keys: (URL prefix, parameter name). The longest matching prefix wins.
Filler = Callable[[Office], object]
OBJECTS: dict[tuple[str, str], Filler] = {
    ("desk/clients/", "client_uuid"): lambda o: o.client.uuid,
    ("desk/catalogue/", "service_uuid"): lambda o: o.service.uuid,
    ("desk/cases/files/", "file_uuid"): lambda o: o.attachment.uuid,
    ("desk/cases/", "case_uuid"): lambda o: o.case.uuid,
    ("desk/cases/filters/", "pk"): lambda o: 1,
    ("desk/cases/geo/", "name"): lambda o: "powiaty",
    ("desk/contacts/callbacks/", "callback_uuid"): lambda o: o.callback.uuid,
    ("desk/contacts/scans/", "scan_uuid"): lambda o: o.scan.uuid,
    ("desk/knowledge/", "uuid"): lambda o: o.article.uuid,
    ("desk/knowledge/", "file_uuid"): lambda o: uuid.UUID(int=1),
    ("desk/knowledge/editor/proposals/", "pk"): lambda o: 1,
    ("desk/organisations/", "code"): lambda o: o.org.code,
    ("api/v1/organisations/", "code"): lambda o: o.org.code,
    ("api/v1/users/", "uuid"): lambda o: User.objects.filter(memberships__organisation=o.org).first().uuid,  # type: ignore[union-attr]
    ("api/v1/cases/", "uuid"): lambda o: o.case.uuid,
    ("api/v1/clients/", "uuid"): lambda o: o.client.uuid,
    ("api/v1/interactions/", "uuid"): lambda o: o.interaction.uuid,
    ("api/v1/catalogue/services/", "uuid"): lambda o: o.service.uuid,
    ("api/v1/catalogue/categories/", "pk"): lambda o: o.service.category_id,
    ("api/v1/webhooks/subscriptions/", "uuid"): lambda o: uuid.UUID(int=2),
    ("api/v1/webhooks/deliveries/", "uuid"): lambda o: uuid.UUID(int=3),
    ("desk/mail/", "pk"): lambda o: o.mail.pk,
    ("desk/mail/", "file_uuid"): lambda o: uuid.UUID(int=4),
    ("desk/eforms/", "pk"): lambda o: o.eform.pk,
    ("desk/chat/", "pk"): lambda o: o.chat.pk,
    ("desk/notifications/preferences/", "client_uuid"): lambda o: o.client.uuid,
    ("desk/notifications/templates/", "event"): lambda o: "case_registered",
    ("desk/notifications/templates/", "channel"): lambda o: "email",
    ("desk/notifications/templates/", "language"): lambda o: "pl",
    ("desk/phone/prompts/", "prompt_id"): lambda o: phone_media(o.org).prompt.pk,
    ("desk/phone/prompts/", "rate"): lambda o: 8000,
    ("desk/phone/recordings/", "recording_uuid"): lambda o: phone_media(o.org).recording.uuid,
    ("desk/phone/voicemail/", "message_uuid"): lambda o: phone_media(o.org).message.uuid,
    ("desk/phone/ivr/flows/", "code"): lambda o: _ivr_number(o).flow.code,
    ("desk/phone/ivr/flows/", "number"): lambda o: 1,
    ("desk/phone/ivr/numbers/", "pk"): lambda o: _ivr_number(o).pk,
    ("desk/registry/people/", "pk"): lambda o: _registry_batch(o).people.get().pk,
    ("desk/registry/imports/", "pk"): lambda o: _registry_batch(o).pk,
    ("desk/exchange/partners/", "pk"): lambda o: _exchange(o)[0],
    ("desk/exchange/messages/", "pk"): lambda o: _exchange(o)[1],
    ("desk/contracts/", "contract_uuid"): lambda o: _contracting(o).contract,
    ("desk/contracts/", "ref"): lambda o: _contracting(o).ref,
    ("desk/contracts/", "request_uuid"): lambda o: _contracting(o).request,
    ("desk/contracts/", "event_uuid"): lambda o: _contracting(o).event,
    ("desk/contracts/", "check_id"): lambda o: _contracting(o).check,
    ("desk/contracts/", "line_id"): lambda o: _contracting(o).line,
    ("desk/contracts/", "settlement_uuid"): lambda o: _contracting(o).settlement,
    ("desk/contracts/", "certificate_uuid"): lambda o: uuid.UUID(int=9),
    ("desk/contracts/", "fmt"): lambda o: "pdf",
    ("api/v1/contracting/", "contract_uuid"): lambda o: uuid.UUID(int=5),
    ("api/v1/contracting/", "ref"): lambda o: "P-AAAAAAAAAAAAAAAA",
    ("api/v1/contracting/", "order"): lambda o: 1,
    ("api/v1/contracting/", "request_uuid"): lambda o: uuid.UUID(int=6),
    ("api/v1/contracting/", "placement_uuid"): lambda o: uuid.UUID(int=7),
    ("api/v1/contracting/", "days"): lambda o: 14,
    ("api/v1/contracting/", "settlement_uuid"): lambda o: uuid.UUID(int=8),
    ("desk/jobs/offers/", "uuid"): lambda o: _job_offer(o).uuid,
    ("desk/jobs/employers/", "uuid"): lambda o: _job_offer(o).employer.uuid,
    ("desk/jobs/portal-accounts/", "pk"): lambda o: _portal_account(o),
    ("desk/reports/export/", "fmt"): lambda o: "csv",
    ("desk/reports/quality/", "fmt"): lambda o: "csv",
    ("desk/reports/builder/", "fmt"): lambda o: "csv",
    ("desk/reports/builder/exports/", "job"): lambda o: _adhoc(o)[1],
    ("desk/reports/builder/saved/", "pk"): lambda o: _adhoc(o)[0],
    ("api/v1/jobs/offers/", "uuid"): lambda o: _job_offer(o).uuid,
    ("api/v1/jobs/cvs/", "uuid"): lambda o: _job_cv(o).uuid,
    ("api/v1/jobs/applications/", "uuid"): lambda o: _job_application(o),
    ("desk/appointments/book/", "client_uuid"): lambda o: o.client.uuid,
    ("desk/appointments/", "uuid"): lambda o: _appointment(o),
    ("api/v1/appointments/", "uuid"): lambda o: _appointment(o),
    ("api/v1/appointments/schedules/", "office"): lambda o: (_appointment(o), o.org.code)[1],
    ("desk/appointments/schedules/", "office"): lambda o: (_appointment(o), o.org.code)[1],
    ("desk/appointments/schedules/{office}/days/", "pk"): lambda o: _schedule_day(o),
    ("desk/appointments/schedules/{office}/visit-types/", "pk"): lambda o: _visit_type(o),
    ("desk/jobs/events/trainings/", "uuid"): lambda o: _job_item(o, "training"),
    ("desk/jobs/events/events/", "uuid"): lambda o: _job_item(o, "event"),
    ("api/v1/jobs/trainings/", "uuid"): lambda o: _job_item(o, "training"),
    ("api/v1/jobs/events/", "uuid"): lambda o: _job_item(o, "event"),
}


def _job_item(office: Office, kind: str) -> Any:
    """A published training or job fair of a labour office with the office's client registered
    (their name on the registrations page and in the CSV); a made-up id elsewhere."""
    from okienko.jobs.events import actions as event_actions
    from okienko.jobs.events.models import Event, Training
    from tests.jobs.events_helpers import event, training

    if office.org.kind != Organisation.Kind.COUNTY_OFFICE:
        return uuid.UUID(int=11 if kind == "training" else 12)
    model = Training if kind == "training" else Event
    found = model.objects.filter(office=office.org).first()
    if found is None:
        found = training(office.org) if kind == "training" else event(office.org)
        event_actions.register(item=found, name=office.client.display_name, email=f"{office.org.code}@example.pl")
    return found.uuid


def _appointment(office: Office) -> Any:
    """The office's appointment schedule and a visit booked for the office's client, with the
    client's surname marker in the staff-only notes (made on first use)."""
    from okienko.jobs.appointments import actions as appointment_actions
    from okienko.jobs.appointments.models import Appointment
    from tests.jobs.appointment_helpers import schedule_for, visit, warsaw

    found = Appointment.objects.filter(office=office.org).first()
    if found is None:
        schedule = schedule_for(office.org)
        found = appointment_actions.book(
            actor=None,
            client=office.client,
            visit_type=visit(schedule),
            starts_at=warsaw(dt.date(2030, 1, 8), 9, 0),
            notes=office.markers["client"][0],
        )
    return found.uuid


def _schedule_day(office: Office) -> Any:
    """A closed day of the office's appointment schedule (made on first use)."""
    from okienko.jobs.appointments.models import Schedule, ScheduleException

    _appointment(office)
    schedule = Schedule.objects.get(office=office.org)
    day, _new = ScheduleException.objects.get_or_create(schedule=schedule, day=dt.date(2030, 1, 1), closed=True)
    return day.pk


def _visit_type(office: Office) -> Any:
    from okienko.jobs.appointments.models import VisitType

    _appointment(office)
    return VisitType.objects.filter(schedule__office=office.org).order_by("pk").values_list("pk", flat=True).first()


def _portal_account(office: Office) -> Any:
    """The office's client's portal account (made on first use)."""
    from okienko.jobs.seekers import actions as seeker_actions

    return seeker_actions.account_for_client(office.client).pk


def _job_cv(office: Office) -> Any:
    """The office's client's CV, its headline carrying the client's marker (made on first use)."""
    from okienko.jobs.seekers.models import CV

    cv, _new = CV.objects.get_or_create(client=office.client, defaults={"headline": office.markers["client"][0]})
    return cv


def _job_application(office: Office) -> Any:
    """The office's client's application for a published offer (of the office, or of a county
    labour office where the office publishes none), its letter carrying the client's marker."""
    from okienko.jobs.seekers import actions as seeker_actions
    from okienko.jobs.seekers.models import Application
    from tests.jobs.helpers import published

    found = Application.objects.filter(cv__client=office.client).first()
    if found is None:
        cv = _job_cv(office)
        account = seeker_actions.account_for_client(office.client)
        labour = office.org if office.org.kind == Organisation.Kind.COUNTY_OFFICE else None
        offer = published(labour or Organisation.objects.get(code="pup-a"))
        found = seeker_actions.apply(account=account, offer=offer, letter=office.markers["client"][0], with_file=False)
        assert found.cv == cv
    return found.uuid


def _job_offer(office: Office) -> Any:
    """An unverified employer of the office with an offer in its moderation queue (made on first use)."""
    from okienko.jobs.models import JobOffer
    from tests.jobs.helpers import TEST, employer, values

    found = JobOffer.objects.filter(office=office.org).select_related("employer").first()
    if found is None:
        from okienko.jobs import actions as job_actions

        emp = employer(office.org, verified=False, name=f"Pracodawca {office.org.code}")
        found = job_actions.create_offer(actor=TEST, employer=emp, values=values())
        job_actions.submit_offer(actor=TEST, offer=found)
    return found


def _adhoc(office: Office) -> tuple[int, uuid.UUID]:
    """A report shared with the office and a finished export of it, both of an analyst of the
    office (made on first use)."""
    from okienko.core import clock
    from okienko.reports import adhoc_exports
    from okienko.reports.adhoc import parse
    from okienko.reports.adhoc_models import SavedReport

    owner, _new = User.objects.get_or_create(username=f"adhoc-{office.org.code}")
    access_role = office.org.memberships.filter(user=owner)
    if not access_role.exists():
        office.org.memberships.create(user=owner, role=Role.ANALYST)
    definition = parse({"source": "cases", "since": "2020-01-01", "until": "2029-12-31", "group_by": ["service"]})
    report = SavedReport.objects.filter(owner=owner).first()
    if report is None:
        now = clock.now()
        report = SavedReport.objects.create(
            owner=owner,
            organisation=office.org,
            name=f"Matrix {office.org.code}",
            definition=definition.as_json(),
            shared=SavedReport.Sharing.ORGANISATION,
            created_at=now,
            updated_at=now,
        )
    job = adhoc_exports.start(user=owner, definition=definition, detail=False, fmt="csv", estimate=1)
    return report.pk, job.uuid


def _registry_batch(office: Office) -> Any:
    """An import of one registered person into the office's registry (made on first use)."""
    from okienko.contracting.registry import importer, synthetic
    from okienko.contracting.registry.models import ImportBatch

    batch = ImportBatch.objects.filter(office=office.org).first()
    if batch is None:
        person = next(synthetic.people(1, seed=OFFICES.index(office.org.code) + 1, prefix=office.org.code[:8]))
        data = synthetic.to_csv([synthetic.csv_row(person)]).encode()
        batch = importer.import_file(office=office.org, data=data, name="m.csv", mapper_name="csv", actor=None)
    return batch


def _exchange(office: Office) -> tuple[int, int]:
    """A partner institution and a message of the office's exchange log (made on first use)."""
    from okienko.contracting.exchange.models import Direction, ExchangeMessage, Partner
    from okienko.core import clock

    now = clock.now()
    number = f"{OFFICES.index(office.org.code) + 1:010d}"
    partner = Partner.objects.filter(institution_id=f"PL-NIP-{number}").first()
    if partner is None:
        stand_in = Organisation.objects.create(
            code=f"partner-{number}", name=f"Partner {number}", kind=Organisation.Kind.AGENCY
        )
        partner = Partner.objects.create(
            organisation=stand_in, institution_id=f"PL-NIP-{number}", created_at=now, updated_at=now
        )
    message = ExchangeMessage.objects.filter(partner=partner).first() or ExchangeMessage.objects.create(
        direction=Direction.IN,
        type="contract.status",
        sender=partner.institution_id,
        partner=partner,
        organisation=office.org,
        status=ExchangeMessage.Status.REFUSED,
        reason="conflict",
        recorded_at=now,
        updated_at=now,
    )
    return partner.pk, message.pk


def _contracting(office: Office) -> Any:
    """A Kontraktor contract of a county office with the agency and its objects (made on first use)."""
    from tests.contracting.matrix_objects import objects

    return objects(office.org, _registry_batch(office).people.get())


def _ivr_number(office: Office) -> Any:
    """A published IVR flow of the office and a number leading to it (made on first use)."""
    from okienko.telephony.ivr import actions as ivr_actions
    from okienko.telephony.ivr.models import EntryNumber, Flow

    code = f"matrix-{office.org.code}"
    flow = Flow.objects.filter(code=code).first()
    if flow is None:
        flow = ivr_actions.create_flow(actor=None, organisation=office.org, code=code, name=code)
        ivr_actions.publish(actor=None, version=flow.versions.get())
    number = f"95{OFFICES.index(office.org.code)}0"
    entry, _new = EntryNumber.objects.get_or_create(
        number=number, defaults={"name": code, "organisation": office.org, "flow": flow}
    )
    return entry


def _map_since() -> str:
    return (dt.date.today() - dt.timedelta(days=700)).isoformat()


def _two_years_ago() -> dt.date:
    """The start of the longest period the quality report takes, ending today."""
    return dt.date.today() - dt.timedelta(days=700)


# Query strings that make a page show an object (hand-offs between desk forms).
QUERIES: dict[str, Filler] = {
    "desk/reports/export/": lambda o: "since=2020-01-01&until=2029-12-31",
    "desk/reports/export/sprawy.{fmt}": lambda o: "since=2020-01-01&until=2029-12-31",
    "desk/reports/builder/": lambda o: "run=1&since=2020-01-01&until=2029-12-31&group=service&group=channel",
    "desk/reports/builder/raport.{fmt}": lambda o: "since=2020-01-01&until=2029-12-31&fields=number&fields=service",
    "desk/reports/quality/": lambda o: f"since={_two_years_ago()}&until={dt.date.today()}",
    "desk/reports/quality/cases/": lambda o: f"since={_two_years_ago()}&until={dt.date.today()}&measure=cases",
    "desk/reports/quality/quality.{fmt}": lambda o: f"since={_two_years_ago()}&until={dt.date.today()}",
    # the desk's map of cases (issue 20, item 4): two years back, the whole extent
    "desk/reports/map/": lambda o: f"since={_map_since()}&layer=event",
    "desk/reports/map/cells.json": lambda o: f"since={_map_since()}&zoom=8",
    "desk/reports/map/regions.json": lambda o: f"since={_map_since()}&level=powiat",
    # imported areas (ADR 0071): each office has one district (see ``world``)
    "desk/reports/map/obszary.geojson": lambda o: "kind=district",
    "desk/reports/map/obszary/odrzucone.csv": lambda o: "import=1",
    "desk/contacts/callbacks/new/": lambda o: f"interaction={o.interaction.uuid}",
    "desk/contacts/new/": lambda o: f"client={o.client.uuid}",
    "desk/contacts/letter/": lambda o: f"client={o.client.uuid}",
    "desk/cases/new/": lambda o: f"client={o.client.uuid}&interaction={o.interaction.uuid}",
    "desk/clients/": lambda o: f"q={o.client.last_name}",
    "desk/cases/": lambda o: f"q={o.case.number}",
    "desk/search/": lambda o: f"q={o.case.number}",
    "desk/cases/scope/": lambda o: "status=all",
    "api/v1/clients/": lambda o: f"search={o.client.last_name}",
    "desk/appointments/": lambda o: f"office={o.org.code}&day=2030-01-08",
    "api/v1/appointments/schedules/{office}/slots/": lambda o: "visit_type=1&day=2030-01-08",
}


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "desk/cases/{case_uuid}/note/"
    params: tuple[str, ...]


_GROUP = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern):
            clean = text.replace("^", "").replace("$", "").replace("\\.", ".")
            if ".*" in clean:
                continue  # catch-all "not found" answers
            params = tuple(a or b for a, b in _GROUP.findall(clean))
            yield Route(_GROUP.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", clean), params)


def staff_routes() -> list[Route]:
    found = {r for r in _routes(get_resolver().url_patterns) if r.template.startswith(STAFF_PREFIXES)}
    return sorted(found, key=lambda r: r.template)


def _filler(route: Route, param: str) -> Filler | None:
    best = None
    for (prefix, name), filler in OBJECTS.items():
        if name == param and route.template.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, filler)
    return best[1] if best else None


def fill(route: Route, office: Office) -> str:
    values = {}
    for param in route.params:
        filler = _filler(route, param)
        assert filler is not None, f"no object for {{{param}}} in /{route.template}: add it to OBJECTS"
        values[param] = filler(office)
    url = "/" + route.template.format(**values)
    query = QUERIES.get(route.template)
    return f"{url}?{query(office)}" if query else url


def test_every_url_parameter_has_an_object() -> None:
    missing = [f"/{r.template} {{{p}}}" for r in staff_routes() for p in r.params if _filler(r, p) is None]
    assert missing == []


def test_every_openapi_path_is_in_the_matrix() -> None:
    document = yaml.safe_load((Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml").read_text())
    templates = {"/" + r.template for r in staff_routes()}
    documented = {re.sub(r"\{\w+\}", lambda m: m.group(0), p) for p in document["paths"]}
    normalised = {re.sub(r"\{\w+\}", "{}", p) for p in documented}
    assert normalised <= {re.sub(r"\{\w+\}", "{}", t) for t in templates}


# --- the world: users of every role and the personal data of every office ----------------------
ROLES: dict[str, tuple[str, str]] = {
    "consultant pup-a": ("pup-a", Role.CONSULTANT),
    "expert pup-a department": ("pup-a-dept", Role.EXPERT),
    "supervisor wup": ("wup", Role.SUPERVISOR),
    "consultant city": ("city", Role.CONSULTANT),
    "expert city unit": ("city-unit", Role.EXPERT),
    "supervisor city": ("city", Role.SUPERVISOR),
    "analyst wup": ("wup", Role.ANALYST),
    "knowledge editor wup": ("wup", Role.KNOWLEDGE_EDITOR),
    "portal editor city": ("city", Role.PORTAL_EDITOR),
    "administrator wup": ("wup", Role.ADMINISTRATOR),
    "agency worker": ("agency", Role.AGENCY_WORKER),
    "contract manager pup-a": ("pup-a", Role.CONTRACT_MANAGER),
}


@dataclass
class World:
    offices: dict[str, Office]
    users: dict[str, User]


@pytest.fixture
def world(region: Organisation, make_user: Callable[..., User]) -> World:
    Organisation.objects.create(code="agency", name="Agencja", kind=Organisation.Kind.AGENCY)
    authors = {
        "pup-a": make_user("author.a", roles=[(Organisation.objects.get(code="pup-a"), Role.SUPERVISOR)]),
        "pup-b": make_user("author.b", roles=[(Organisation.objects.get(code="pup-b"), Role.SUPERVISOR)]),
        "city-unit": make_user("author.city", roles=[(Organisation.objects.get(code="city"), Role.SUPERVISOR)]),
    }
    offices = {code: _office(code, authors[code]) for code in OFFICES}
    for code in OFFICES:  # one imported district per office, for the desk map's area level
        square = [[[19.4, 51.7], [19.5, 51.7], [19.5, 51.8], [19.4, 51.8], [19.4, 51.7]]]
        district = {
            "type": "Feature",
            "properties": {"name": f"Dzielnica {code}"},
            "geometry": {"type": "Polygon", "coordinates": square},
        }
        areas.import_areas(
            json.dumps({"type": "FeatureCollection", "features": [district]}).encode(),
            organisation=Organisation.objects.get(code=code),
            kind="district",
            actor=None,
        )
    users = {
        name: make_user(f"matrix.{i}", roles=[(Organisation.objects.get(code=org), role)])
        for i, (name, (org, role)) in enumerate(ROLES.items())
    }
    _SEEN.clear()
    return World(offices, users)


def _visible(user: User | None, office: Office) -> set[str]:
    """What the caller may see of the office (worked out once per caller and office)."""
    if user is None:
        return set()
    key = (user.pk, office.org.code)
    if key not in _SEEN:
        _SEEN[key] = frozenset(_visible_now(user, office))
    return set(_SEEN[key])


_SEEN: dict[tuple[int, str], frozenset[str]] = {}


def _visible_now(user: User | None, office: Office) -> set[str]:
    """The markers of ``office`` the caller may see: a client's identity goes with their card,
    their case (a case shows its client) and a callback addressed to the caller."""
    if user is None:
        return set()
    seen: set[str] = set()
    m = office.markers
    if access.has_perm_in(user, Perm.AUDIT_VIEW, office.org):
        return office.all_markers()  # the audit log shows the changes made to the office's records
    if Client.objects.visible_to(user).filter(pk=office.client.pk).exists():
        seen |= {*m["client"], *m["interaction"]}  # the card shows the whole contact history
    if Case.objects.visible_to(user).filter(pk=office.case.pk).exists():
        seen |= {*m["client"], *m["case"]}
    if Interaction.objects.visible_to(user).filter(pk=office.interaction.pk).exists():
        seen |= set(m["interaction"])
    if Callback.objects.visible_to(user).filter(pk=office.callback.pk).exists():
        seen |= {*m["client"], *m["callback"]}
    contact_id = office.mail.interaction_id
    mail_contact = contact_id is not None and Interaction.objects.visible_to(user).filter(pk=contact_id).exists()
    if mail_contact or InboundMessage.objects.visible_to(user).filter(pk=office.mail.pk).exists():
        seen |= set(m["mail"])
    if EFormSubmission.objects.visible_to(user).filter(pk=office.eform.pk).exists():
        seen |= set(m["eform"])
    if ChatSession.objects.visible_to(user).filter(pk=office.chat.pk).exists():
        seen |= set(m["chat"])
    return seen


def _owner_visible(user: User | None, office: Office) -> bool:
    """May the caller see the office's client or case at all (then refusals need no audit)?"""
    seen = _visible(user, office)
    return office.markers["client"][0] in seen or office.markers["case"][0] in seen


def _personal(route: Route) -> bool:
    """Does the address name a piece of personal data (so a refusal must be audited)?"""
    return any(
        p in {"client_uuid", "case_uuid", "callback_uuid", "file_uuid", "scan_uuid", "recording_uuid", "message_uuid"}
        or (
            p == "uuid"
            and route.template.startswith(
                (
                    "api/v1/cases/",
                    "api/v1/clients/",
                    "api/v1/interactions/",
                    "api/v1/jobs/cvs/",
                    "api/v1/jobs/applications/",
                    "api/v1/appointments/",
                    "desk/appointments/",
                )
            )
        )
        or (p == "pk" and route.template.startswith(("desk/eforms/", "desk/chat/")))
        for p in route.params
    ) and not route.template.startswith("desk/knowledge/")


def _callers(world: World, name: str) -> Iterator[tuple[str, HttpClient, User | None]]:
    """The role's desk session, and an API token of the same role and office."""
    user = world.users[name]
    desk = HttpClient(HTTP_ACCEPT_LANGUAGE="pl")
    desk.force_login(user)
    yield "session", desk, user
    membership = user.memberships.get()
    issued = issue_api_token(
        actor=None,
        organisation=membership.organisation,
        name=f"matrix {name}",
        scopes=list(Scope.values),
        role=membership.role,
        rate_limit=1_000_000,
    )
    api = HttpClient(HTTP_AUTHORIZATION=f"Bearer {issued.secret}", HTTP_ACCEPT_LANGUAGE="pl")
    yield "token", api, issued.token.user


def _audit_mark() -> int:
    return AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _check(
    world: World, caller: str, http: HttpClient, user: User | None, route: Route, target: Office, method: str
) -> list[str]:
    url = fill(route, target)
    if caller == "token" and not route.template.startswith("api/"):
        return []  # tokens are for the API only
    visible = set().union(*(_visible(user, o) for o in world.offices.values()))
    forbidden = set().union(*(o.all_markers() for o in world.offices.values())) - visible
    before = _audit_mark()
    response = getattr(http, method)(url)
    problems = []
    if response.status_code >= 500:
        problems.append(f"{method.upper()} {url}: {response.status_code}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    leaked = sorted(m for m in forbidden if m in text and m not in url)  # a search box may echo the query
    if leaked:
        problems.append(f"{method.upper()} {url} ({caller}) shows out-of-scope data {leaked}")
    new = AuditRecord.objects.filter(pk__gt=before)
    owner_visible = _owner_visible(user, target)
    refused = response.status_code in (403, 404) and _personal(route) and not owner_visible
    if refused and not new.filter(kind=AuditRecord.Kind.SECURITY).exists():
        problems.append(f"{method.upper()} {url} ({caller}): refused with {response.status_code} but not audited")
    if (
        method == "post"
        and _personal(route)
        and not owner_visible
        and new.filter(kind=AuditRecord.Kind.CHANGE).exists()
    ):
        changes = list(new.filter(kind=AuditRecord.Kind.CHANGE).values_list("action", flat=True))
        problems.append(f"POST {url} ({caller}) about another office's data changed something: {changes}")
    return problems


@pytest.mark.parametrize("role", list(ROLES))
def test_no_role_sees_or_changes_out_of_scope_personal_data(world: World, role: str) -> None:
    problems: list[str] = []
    routes = staff_routes()
    for caller, http, user in _callers(world, role):
        for route in routes:
            targets = (
                [world.offices[c] for c in OFFICES]
                if route.params or route.template in QUERIES
                else [world.offices["pup-a"]]
            )
            for target in targets:
                problems += _check(world, caller, http, user, route, target, "get")
                if route.params and not _owner_visible(user, target):
                    problems += _check(world, caller, http, user, route, target, "post")
    assert problems == [], "\n".join(problems)


def test_anonymous_callers_get_no_personal_data(world: World, client: HttpClient) -> None:
    problems: list[str] = []
    for route in staff_routes():
        for target in world.offices.values():
            response = client.get(fill(route, target))
            text = response.content.decode("utf-8", "replace")
            if route.template not in PUBLIC_UNDER_STAFF_PREFIXES:
                assert response.status_code in (301, 302, 401, 403, 404, 405), (route.template, response.status_code)
            problems += [f"{route.template}: {m}" for o in world.offices.values() for m in o.all_markers() if m in text]
    assert problems == []


def test_the_public_statistics_and_open_data_show_no_personal_data(world: World, client: HttpClient) -> None:
    """Issue 20: the public statistics page and the open-data files, with every office's service
    published, carry none of the offices' personal data (names, contacts, descriptions, notes)."""
    import time_machine

    from okienko.core import clock
    from okienko.reports import rollups

    Service.objects.filter(pk__in=[o.service.pk for o in world.offices.values()]).update(
        publication=Service.Publication.LISTED
    )
    rollups.rebuild()
    today = rollups.local_day(clock.now())
    pages = ["/statystyki/", f"/statystyki/?miesiac={today:%Y-%m}", "/dane-otwarte/"]
    files = [f"/dane-otwarte/zgloszenia-{today:%Y-%m-%d}.{fmt}" for fmt in ("csv", "json")]
    problems: list[str] = []
    with time_machine.travel(clock.now() + dt.timedelta(days=1), tick=False):
        for url in pages + files:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            problems += [f"{url}: {m}" for o in world.offices.values() for m in o.all_markers() if m in text]
            if url in files:
                assert any(o.case.number.replace("/", "-") in text for o in world.offices.values()), url
    assert problems == []


def test_the_public_map_shows_no_personal_data_and_no_exact_place(world: World, client: HttpClient) -> None:
    """Issue 20: the public map's page, its GeoJSON at every zoom and its table, with every office's
    service published and its case placed at an exact point, carry none of the offices' personal
    data, no address and no coordinate more precise than 3 decimals."""
    from django.core.cache import cache

    Service.objects.filter(pk__in=[o.service.pk for o in world.offices.values()]).update(
        publication=Service.Publication.LISTED
    )
    exact = []
    for n, office in enumerate(world.offices.values()):
        lat, lon = f"51.75{n}123", f"19.45{n}987"
        exact += [lat[:7], lon[:7]]
        Case.objects.filter(pk=office.case.pk).update(
            latitude=lat, longitude=lon, address=_marker(office.org.code, "Adres")
        )
    cache.clear()
    urls = ["/mapa-zgloszen/", "/mapa-zgloszen/lista/", "/mapa-zgloszen/dane.geojson"]
    urls += [f"/mapa-zgloszen/dane.geojson?bbox=19.42,51.72,19.52,51.80&zoom={z}" for z in (8, 12, 14, 15, 16)]
    problems: list[str] = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = response.content.decode("utf-8", "replace")
        markers = {m for o in world.offices.values() for m in o.all_markers()}
        markers |= {_marker(o.org.code, "Adres") for o in world.offices.values()} | set(exact)
        problems += [f"{url}: {m}" for m in markers if m in text]
        if "geojson" in url and "zoom=8" in url:
            assert sum(f["properties"]["count"] for f in response.json()["features"]) == len(world.offices)
    assert problems == []


def test_the_browser_phone_hands_each_role_only_its_own_sip_account(world: World, settings: Any) -> None:
    """/desk/phone/browser-phone takes no user: every role gets its own account or a refusal,
    never another member of staff's password, and the answer is never cached."""
    settings.TELEPHONY_WEBRTC_WSS_URL = "wss://pbx.example.pl:8089/ws"
    passwords = {}
    for i, (name, user) in enumerate(world.users.items()):
        account = AgentSipAccount(user=user, username=f"matrix-sip-{i}")
        account.set_password(f"sip-marker-{i}-{uuid.uuid4().hex}")
        account.save()
        passwords[name] = account.password()
    for name, user in world.users.items():
        http = HttpClient(HTTP_ACCEPT_LANGUAGE="pl")
        http.force_login(user)
        response = http.get("/desk/phone/browser-phone", {"user": "1", "username": "matrix-sip-0"})
        text = response.content.decode()
        assert [n for n, secret in passwords.items() if n != name and secret in text] == [], name
        consultant = access.has_perm_anywhere(user, Perm.INTERACTIONS_RECORD)
        assert response.status_code == (200 if consultant else 403), name
        assert (passwords[name] in text) == consultant, name
        assert "no-store" in response["Cache-Control"], name


# --- the labour-market portal's accounts (issue 19) -------------------------------------------
# The portal is not under the staff prefixes: its account pages are asked here by nobody, a job
# seeker, another job seeker, an unverified employer, two verified employers and a member of
# staff (who is nobody on the portal). Every address of the portal's account, alert and employer
# URL modules, filled with the objects of the first seeker and the first employer, by GET and by
# an empty POST: never a 5xx, never another account's marker, and no change to another's objects.
PORTAL_MODULES = ("okienko.portal.account_urls", "okienko.portal.alert_urls", "okienko.portal.team_urls")


def portal_routes() -> list[tuple[str, list[str]]]:
    """(the address with Django's converters, its parameters) of every portal account page."""
    found: list[tuple[str, list[str]]] = []
    for pattern in get_resolver().namespace_dict["portal"][1].url_patterns:
        if isinstance(pattern, URLResolver) and getattr(pattern.urlconf_name, "__name__", "") in PORTAL_MODULES:
            for inner in pattern.url_patterns:
                found.append((str(inner.pattern), list(inner.pattern.converters)))
    return found


@pytest.fixture
def portal(region: Organisation, make_user: Callable[..., User]) -> dict[str, Any]:
    from okienko.clients import actions as client_actions
    from okienko.jobs import actions as job_actions
    from okienko.jobs import team
    from okienko.jobs.alerts import actions as alert_actions
    from okienko.jobs.models import EmployerMembership
    from okienko.jobs.seekers import actions as seeker_actions
    from okienko.jobs.seekers.models import PortalAccount
    from tests.jobs.helpers import approved, employer

    office = Organisation.objects.get(code="pup-a")
    seekers = {}
    for key, last_name, phone in (("seeker", "Markerowa", "600111222"), ("other_seeker", "Obca", "600333444")):
        person = client_actions.register_client(
            actor=None,
            home_office=office,
            first_name="Alicja",
            last_name=f"{last_name}",
            emails=[f"{key}.marker@example.org"],
            phones=[phone],
            status=Client.Status.JOB_SEEKER,
        )
        account = seeker_actions.account_for_client(person)
        cv = seeker_actions.save_cv(
            account=account,
            values={"headline": f"{key} headline", "main_occupation": "833201", "skills": [f"{key}-skill"]},
        )
        seeker_actions.set_search_consent(account=account, granted=True)
        search = alert_actions.save_search(
            account=account,
            name=f"{key}-search-marker",
            filters={"q": "kierowca"},
            by_email=True,
            by_sms=False,
            frequency="daily",
        )
        seekers[key] = {"account": account, "cv": cv, "search": search, "name": f"Alicja {last_name}"}
    employers = {}
    for key, verified in (("employer", True), ("other_employer", True), ("unverified_employer", False)):
        company = employer(office, verified=verified, name=f"Firma {key}")
        user = User.objects.create(username=f"portal-{key}")
        account = PortalAccount.objects.create(user=user, kind=PortalAccount.Kind.EMPLOYER, email=f"{key}@firma.pl")
        EmployerMembership.objects.create(employer=company, user=user, role=EmployerMembership.Role.OWNER)
        offer = approved(office, company, title=f"Oferta {key}-offer-marker")
        employers[key] = {"account": account, "company": company, "offer": offer}
    # The first employer's team: a recruiter and a pending invitation (its owner's page only).
    company = employers["employer"]["company"]
    recruiter_user = User.objects.create(username="portal-employer-recruiter")
    PortalAccount.objects.create(
        user=recruiter_user, kind=PortalAccount.Kind.EMPLOYER, email="recruiter-marker@firma.pl"
    )
    recruiter = EmployerMembership.objects.create(employer=company, user=recruiter_user)
    invitation, invitation_token = team.invite(
        account=employers["employer"]["account"], email="team-invite-marker@firma.pl"
    )
    # The first employer asked the first seeker for contact; she accepted.
    request = seeker_actions.request_contact(
        account=employers["employer"]["account"],
        employer=employers["employer"]["company"],
        cv=seekers["seeker"]["cv"],
        message="contact-request-marker",
    )
    seeker_actions.answer_contact(account=seekers["seeker"]["account"], request_uuid=str(request.uuid), accept=True)
    job_actions.suggestions("Kierowca", "")  # warm the classifier outside the timed requests
    staff = make_user("portal-matrix-staff", roles=[(office, Role.CONSULTANT)])
    values = {
        "uuid": {  # each address's uuid: the first seeker's and the first employer's objects
            "konto/prosby/<uuid:uuid>/": request.uuid,
            "konto/kandydaci/<uuid:uuid>/": seekers["seeker"]["cv"].uuid,
            "konto/alerty/<uuid:uuid>/usun/": seekers["seeker"]["search"].uuid,
            "konto/zespol/zaproszenia/<uuid:uuid>/anuluj/": invitation.uuid,
        },
        "pk": recruiter.pk,
        "tokens": {"konto/zaproszenie/<str:token>/": invitation_token},
        "default_uuid": employers["employer"]["offer"].uuid,
        "token": alert_actions.unsubscribe_token(seekers["seeker"]["search"]),
    }
    return {
        "seekers": seekers,
        "employers": employers,
        "staff": staff,
        "values": values,
        "request": request,
        "invitation": invitation,
        "recruiter": recruiter,
    }


def _portal_url(route: tuple[str, list[str]], values: dict[str, Any]) -> str:
    path, params = route
    for name in params:
        if name == "uuid":
            value = values["uuid"].get(route[0], values["default_uuid"])
        elif name == "token":
            value = values.get("tokens", {}).get(route[0], values["token"])
        elif name == "pk":
            value = values["pk"]
        else:
            value = "x"
        path = re.sub(rf"<(\w+:)?{name}>", str(value), path)
    return "/" + path


def _portal_as(who: str, portal: dict[str, Any]) -> HttpClient:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="pl")
    http.raise_request_exception = False
    if who == "staff":
        http.force_login(portal["staff"])
    elif who != "nobody":
        account = {**portal["seekers"], **portal["employers"]}[who]["account"]
        session = http.session
        session["okienko.portal_account"] = account.pk
        session.save()
    return http


def test_portal_account_pages_show_each_account_only_its_own(portal: dict[str, Any], settings: Any) -> None:
    from okienko.jobs.alerts.models import SavedSearch
    from okienko.jobs.seekers.models import ContactRequest
    from okienko.jobs.states import OfferStatus

    settings.JOBS_CANDIDATE_LIMITS = {"search": 100_000, "view": 100_000}
    settings.PORTAL_RATE_LIMITS = {"signin": 100_000, "register": 100_000}
    seeker, employer = portal["seekers"]["seeker"], portal["employers"]["employer"]
    # What each caller may see of the first seeker's and first employer's private data.
    private = {
        seeker["name"]: {"seeker", "employer"},  # she accepted the first employer's request
        "600111222": {"seeker", "employer"},
        "seeker-search-marker": {"seeker", "nobody", "staff", "other_seeker", "other_employer", "unverified_employer"},
        "contact-request-marker": {"seeker", "employer"},
        portal["seekers"]["other_seeker"]["name"]: {"other_seeker"},
        "600333444": {"other_seeker"},
        "other_seeker-search-marker": {"other_seeker"},
        "team-invite-marker": {"employer"},
        "recruiter-marker": {"employer"},
    }
    routes = portal_routes()
    assert {r[0] for r in routes} >= {
        "konto/",
        "konto/cv/",
        "konto/alerty/",
        "konto/kandydaci/<uuid:uuid>/",
        "konto/zespol/",
        "konto/zaproszenie/<str:token>/",
    }
    problems: list[str] = []
    who_all = ("nobody", "seeker", "other_seeker", "unverified_employer", "employer", "other_employer", "staff")
    for who in who_all:
        http = _portal_as(who, portal)
        for route in routes:
            url = _portal_url(route, portal["values"])
            if "wyloguj" in url or "usuniecie" in url:
                continue  # signing out or asking for deletion would end this caller's round
            owner = who in ("seeker", "employer")
            for method in ("get", "post"):
                if method == "post" and owner and any(w in url for w in ("wycofaj", "usun", "prosby", "zgoda")):
                    continue  # the owners' own withdrawals and deletions are tested elsewhere
                response = getattr(http, method)(url)
                assert response.status_code < 500, (who, method, url, response.status_code)
                text = response.content.decode("utf-8", "replace")
                if route[0] in ("alerty/wypisz/<str:token>/", "konto/zaproszenie/<str:token>/"):
                    continue  # a signed or secret link names its search or invitation to whoever holds it
                problems += [
                    f"{who} {method} {url}: {marker}"
                    for marker, allowed in private.items()
                    if who not in allowed and marker in text
                ]
    assert problems == []
    # Nothing of the first seeker's or first employer's changed by the others' POSTs...
    employer["offer"].refresh_from_db()
    assert employer["offer"].status == OfferStatus.PUBLISHED
    assert ContactRequest.objects.get(pk=portal["request"].pk).status == ContactRequest.Status.ACCEPTED
    # ...except the saved search, which the signed link (held by anyone) and its owner may stop.
    assert (
        SavedSearch.objects.filter(pk=seeker["search"].pk).exists() is False
        or not SavedSearch.objects.get(pk=seeker["search"].pk).active
    )


def test_portal_posts_about_another_account_change_nothing(portal: dict[str, Any]) -> None:
    from okienko.jobs.alerts.models import SavedSearch
    from okienko.jobs.models import EmployerMembership
    from okienko.jobs.seekers.models import ContactRequest
    from okienko.jobs.states import OfferStatus

    seeker, employer = portal["seekers"]["seeker"], portal["employers"]["employer"]
    for who in ("nobody", "other_seeker", "other_employer", "unverified_employer", "staff"):
        http = _portal_as(who, portal)
        assert http.post(f"/konto/alerty/{seeker['search'].uuid}/usun/").status_code in (302, 404), who
        assert http.post(f"/konto/prosby/{portal['request'].uuid}/", {"answer": "decline"}).status_code in (302, 404)
        assert http.post(f"/konto/oferty/{employer['offer'].uuid}/wycofaj/").status_code in (302, 404), who
        assert http.post(f"/konto/oferty/{employer['offer'].uuid}/", {"title": "x"}).status_code in (302, 404), who
        invitation, recruiter = portal["invitation"], portal["recruiter"]
        assert http.post(f"/konto/zespol/zaproszenia/{invitation.uuid}/anuluj/").status_code in (302, 404), who
        assert http.post(f"/konto/zespol/czlonkowie/{recruiter.pk}/wylacz/").status_code in (302, 404), who
        assert http.post("/konto/zespol/", {"email": "x@firma.pl", "role": "owner"}).status_code in (302, 404), who
    # The recruiter of the first employer sees the team, but changes nothing in it.
    recruiter_http = HttpClient(HTTP_ACCEPT_LANGUAGE="pl")
    session = recruiter_http.session
    session["okienko.portal_account"] = portal["recruiter"].user.portal_account.pk
    session.save()
    assert "team-invite-marker" in recruiter_http.get("/konto/zespol/").content.decode()
    assert recruiter_http.post(f"/konto/zespol/zaproszenia/{portal['invitation'].uuid}/anuluj/").status_code == 403
    owner_membership = EmployerMembership.objects.get(user=employer["account"].user)
    assert recruiter_http.post(f"/konto/zespol/czlonkowie/{owner_membership.pk}/wylacz/").status_code == 403
    portal["invitation"].refresh_from_db()
    assert portal["invitation"].cancelled_at is None
    assert portal["invitation"].accepted_at is None
    assert (
        EmployerMembership.objects.filter(pk__in=[portal["recruiter"].pk, owner_membership.pk], active=True).count()
        == 2
    )
    assert SavedSearch.objects.get(pk=seeker["search"].pk).active
    assert ContactRequest.objects.get(pk=portal["request"].pk).status == ContactRequest.Status.ACCEPTED
    employer["offer"].refresh_from_db()
    assert employer["offer"].status == OfferStatus.PUBLISHED
    assert employer["offer"].title == "Oferta employer-offer-marker"
    # The unverified employer and the job seekers cannot search candidates at all.
    for who in ("unverified_employer",):
        assert _portal_as(who, portal).get("/konto/kandydaci/", {"occupation": "8332"}).status_code == 403
        assert _portal_as(who, portal).get(f"/konto/kandydaci/{seeker['cv'].uuid}/").status_code == 403
    for who in ("seeker", "other_seeker"):
        assert _portal_as(who, portal).get("/konto/kandydaci/").status_code == 404
    # The other verified employer sees the pseudonymised profile, never the name or the phone.
    text = _portal_as("other_employer", portal).get(f"/konto/kandydaci/{seeker['cv'].uuid}/").content.decode()
    assert seeker["cv"].pseudonym in text
    assert seeker["name"] not in text
    assert "600111222" not in text
    text = _portal_as("employer", portal).get(f"/konto/kandydaci/{seeker['cv'].uuid}/").content.decode()
    assert seeker["name"] in text
