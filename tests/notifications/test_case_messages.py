"""A case's reporter hears about it by e-mail through a real SMTP server: registered, a question
from the office (answered by a signed link, which resumes the case), resolved with a survey link,
a staff message; once per event, in the client's language, never against their wishes."""

from __future__ import annotations

import mailbox
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as WebClient
from django.utils import timezone

from okienko.cases import actions
from okienko.cases.models import Case
from okienko.cases.workflow import Status
from okienko.clients.models import Client, ClientConsent, ClientContact
from okienko.core import events
from okienko.core.models import AuditRecord, OutboxDelivery
from okienko.notifications.models import Event, Notification, Preference, SurveyResponse
from tests.cases.conftest import City, open_pothole
from tests.notifications.conftest import received

pytestmark = pytest.mark.django_db


def _reported_by_email(city: City, **overrides: Any) -> Case:
    reporter = {"name": "Jan Kowalski", "email": "jan.kowalski@example.pl"}
    return open_pothole(city, reporter=reporter, **overrides)  # type: ignore[no-any-return]


def test_the_reporter_gets_the_number_by_e_mail_once(
    city: City, sink: mailbox.Maildir, workers: Callable[[], int]
) -> None:
    case = _reported_by_email(city)
    workers()
    OutboxDelivery.objects.filter(subscriber="notifications.case_created").update(status="pending", attempts=0)
    workers()  # the event is delivered again: nothing new is queued
    [message] = received(sink)
    assert message["To"] == "Jan Kowalski <jan.kowalski@example.pl>"
    assert message["Subject"].strip() == f"Przyjęliśmy Pana/Pani zgłoszenie {case.number}"
    assert message["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(rf"<c\.{case.uuid.hex}\.[0-9a-f]+@okienko\.example\.pl>", message["Message-ID"].strip())
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Dzień dobry, Jan Kowalski," in text
    assert f"https://okienko.example.pl/sprawy/{case.uuid}/" in text
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert case.number in html
    assert "<script" not in html
    notification = Notification.objects.get(case=case)
    assert (notification.event, notification.status) == (Event.CASE_REGISTERED, Notification.Status.SENT)
    entries = list(case.events.filter(kind="message").values_list("summary", flat=True))
    assert entries == [
        "Wiadomość w kolejce (e-mail do jan.kowalski@example.pl): przyjęcie sprawy",
        "Wiadomość wysłana (e-mail do jan.kowalski@example.pl): przyjęcie sprawy",
    ]
    sent = AuditRecord.objects.filter(action="notification.sent")
    assert any(notification.pk in entry.data["notifications"] for entry in sent)


def test_a_question_from_the_office_is_answered_through_the_signed_link(
    city: City, sink: mailbox.Maildir, workers: Callable[[], int], client: WebClient
) -> None:
    case = _reported_by_email(city)
    actions.assign_case(actor=city.supervisor, case=case, unit=city.roads, user=city.expert)
    case = actions.transition_case(actor=city.expert, case=Case.objects.get(pk=case.pk), to_status=Status.IN_PROGRESS)
    case = actions.ask_client(actor=city.expert, case=case, message="Jak głęboki jest ubytek?")
    workers()
    question = [m for m in received(sink) if "Prosimy o informacje" in str(m["Subject"])]
    assert len(question) == 1
    text = question[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Jak głęboki jest ubytek?" in text
    link = re.search(r"https://okienko\.example\.pl(/sprawy/odpowiedz/[^/\s]+/)", text)
    assert link is not None
    page = client.get(link.group(1))
    assert page.status_code == 200
    assert "Jak głęboki jest ubytek?" in page.content.decode()
    sent = client.post(link.group(1), {"message": "Około 15 cm, na środku pasa."})
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.notes.filter(body__contains="Około 15 cm").exists()


def test_a_forged_or_foreign_link_opens_nothing(city: City, client: WebClient) -> None:
    from okienko.notifications import links

    case = _reported_by_email(city)
    survey_token = links.survey_token(case)
    assert client.get(f"/sprawy/odpowiedz/{survey_token}/").status_code == 404  # made for another purpose
    assert client.get("/ankieta/not-a-token/").status_code == 404
    assert client.post("/sprawy/odpowiedz/xyz/", {"message": "x"}).status_code == 404


def test_resolving_sends_a_survey_and_an_unhappy_answer_reopens_the_case(
    city: City, sink: mailbox.Maildir, workers: Callable[[], int], client: WebClient
) -> None:
    case = _reported_by_email(city)
    actions.assign_case(actor=city.supervisor, case=case, unit=city.roads, user=city.expert)
    case = actions.resolve_case(actor=city.expert, case=Case.objects.get(pk=case.pk), message="Ubytek załatany.")
    workers()
    [resolved] = [m for m in received(sink) if "załatwiona" in str(m["Subject"])]
    text = resolved.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Ubytek załatany." in text
    link = re.search(r"https://okienko\.example\.pl(/ankieta/[^/\s]+/)", text)
    assert link is not None
    unrated = client.post(link.group(1), {"comment": "bez oceny"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert "Proszę wybrać ocenę od 1 do 5." in unrated.content.decode()  # the stars are required
    answer = client.post(link.group(1), {"rating": "1", "comment": "Dziura wróciła po tygodniu.", "may_contact": "on"})
    assert answer.status_code == 200
    response = SurveyResponse.objects.get(case=case)
    assert (response.rating, response.may_contact, response.reopen_requested) == (1, True, True)
    assert response.unit == city.roads
    case.refresh_from_db()
    assert case.status == Status.REOPENED
    assert case.notes.filter(body__contains="Dziura wróciła po tygodniu.").exists()
    again = client.post(link.group(1), {"rating": "5"})
    assert "already been sent" in again.content.decode() or "już" in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_a_staff_message_reaches_the_client_but_a_status_note_is_not_sent_twice(
    city: City, sink: mailbox.Maildir, workers: Callable[[], int]
) -> None:
    case = _reported_by_email(city)
    actions.add_note(actor=city.expert, case=case, body="Ekipa będzie na miejscu jutro.", public=True)
    actions.add_note(actor=city.expert, case=case, body="Tylko dla nas.", public=False)
    workers()
    events_sent = list(Notification.objects.filter(case=case).values_list("event", flat=True))
    assert sorted(events_sent) == sorted([Event.CASE_REGISTERED, Event.CASE_MESSAGE])
    message = next(m for m in received(sink) if "Wiadomość w sprawie" in str(m["Subject"]))
    assert "Ekipa będzie na miejscu jutro." in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Auto-Submitted" not in message
    actions.assign_case(actor=city.supervisor, case=Case.objects.get(pk=case.pk), unit=city.roads, user=city.expert)
    actions.resolve_case(actor=city.expert, case=Case.objects.get(pk=case.pk), message="Gotowe.")
    workers()
    assert Notification.objects.filter(case=case, event=Event.CASE_MESSAGE).count() == 1
    assert Notification.objects.filter(case=case, event=Event.CASE_RESOLVED).count() == 1


@pytest.fixture
def known_client(city: City) -> Client:
    person = Client.objects.create(
        number="K-1",
        first_name="Anna",
        last_name="Nowak",
        home_office=city.centre,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    ClientContact.objects.create(client=person, kind=ClientContact.Kind.EMAIL, value="anna@example.pl", is_primary=True)
    return person


def test_the_clients_language_and_refusals_are_respected(
    city: City, known_client: Client, sink: mailbox.Maildir, workers: Callable[[], int]
) -> None:
    Preference.objects.create(client=known_client, language="en", updated_at=timezone.now())
    english = open_pothole(city, client=known_client, reporter={})
    workers()
    [message] = received(sink)
    assert message["To"] == "Anna Nowak <anna@example.pl>"
    assert message["Subject"].strip() == f"We have received your report {english.number}"
    ClientConsent.objects.create(
        client=known_client,
        topic=ClientConsent.Topic.CONTACT_EMAIL,
        granted=False,
        given_at=timezone.now(),
        source=ClientConsent.Source.PHONE,
    )
    refused = open_pothole(city, client=known_client, reporter={})
    workers()
    notification = Notification.objects.get(case=refused)
    assert notification.status == Notification.Status.SUPPRESSED
    assert "nie zgodził się" in notification.status_reason
    assert len(received(sink)) == 1
    Preference.objects.filter(client=known_client).update(channel=Preference.Choice.NONE)
    quiet = open_pothole(city, client=known_client, reporter={})
    workers()
    assert Notification.objects.get(case=quiet).status == Notification.Status.SUPPRESSED


def test_a_case_without_any_address_queues_nothing_to_send(city: City, workers: Callable[[], int]) -> None:
    case = open_pothole(city)  # phone only; no SMS gateway yet
    workers()
    assert not Notification.objects.filter(case=case, status=Notification.Status.QUEUED).exists()
    events.deliver_due()


def test_the_case_page_shows_what_was_sent(
    city: City, sink: mailbox.Maildir, workers: Callable[[], int], client: WebClient
) -> None:
    case = _reported_by_email(city)
    workers()
    client.force_login(city.expert)
    page = client.get(f"/desk/cases/{case.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Messages to the client" in page
    assert "jan.kowalski@example.pl" in page


def test_the_api_lists_a_cases_messages_and_the_templates_in_use(
    city: City, sink: mailbox.Maildir, workers: Callable[[], int], client: WebClient
) -> None:
    case = _reported_by_email(city)
    workers()
    client.force_login(city.expert)
    listed = client.get(f"/api/v1/cases/{case.uuid}/messages/").json()
    assert [(m["event"], m["status"], m["recipient"]) for m in listed] == [
        ("case_registered", "sent", "jan.kowalski@example.pl")
    ]
    client.force_login(city.outsider)
    assert client.get(f"/api/v1/cases/{case.uuid}/messages/").status_code == 404
    templates = client.get("/api/v1/notifications/templates/?event=case_resolved&channel=email").json()
    assert {(t["language"], t["source"]) for t in templates} == {("pl", "shipped"), ("en", "shipped")}
    bad = client.get("/api/v1/notifications/templates/?event=nope")
    assert bad.status_code == 400
    assert bad["Content-Type"].startswith("application/problem+json")


def test_the_api_lists_todays_e_mails(city: City, client: WebClient) -> None:
    from okienko.interactions.actions import record_interaction

    record_interaction(actor=city.consultant, channel="email", organisation=city.centre, question="Pytanie e-mailem")
    record_interaction(actor=city.consultant, channel="phone", organisation=city.centre, question="Telefon")
    client.force_login(city.supervisor)
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0).isoformat()
    found = client.get("/api/v1/interactions/", {"channel": "email", "started_after": today}).json()["results"]
    assert [i["question"] for i in found] == ["Pytanie e-mailem"]
    assert client.get("/api/v1/interactions/", {"started_before": "yesterday"}).status_code == 400


def test_an_e_mail_is_acknowledged_once_an_hour_and_never_when_automatic(
    city: City, sink: mailbox.Maildir, workers: Callable[[], int]
) -> None:
    def received_mail(n: int, *, auto_reply: bool = True, sender: str = "ewa@example.pl") -> None:
        events.emit(
            "email.received",
            organisation_id=city.centre.pk,
            payload={
                "inbound_id": n,
                "sender": sender,
                "subject": "Pytanie",
                "message_id": f"<in-{n}@example.pl>",
                "references": "<earlier@example.pl>",
                "auto_reply": auto_reply,
                "language": "pl",
            },
        )

    received_mail(1)
    received_mail(2)  # the same sender again: one acknowledgement an hour (no storm, no loop)
    received_mail(3, auto_reply=False, sender="robot@example.pl")  # automatic mail: never answered
    workers()
    [ack] = received(sink)
    assert ack["To"] == "ewa@example.pl"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"].strip() == "<in-1@example.pl>"
    assert "<earlier@example.pl>" in ack["References"]
