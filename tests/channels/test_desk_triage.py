"""The 1st line's e-mail queue on the desk: a consultant claims a message from an unknown sender,
links it to a client by number, answers it (with a knowledge article) — the answer is threaded
onto the client's message and goes out through a real SMTP server — or opens a case from it, or
marks it as spam; the raw message is there for those who may handle it and for nobody else."""

from __future__ import annotations

import email
import email.policy
import mailbox

import pytest
from django.test import Client as WebClient

from okienko.cases.models import Case
from okienko.channels.email.pipeline import ingest
from okienko.channels.models import InboundMessage
from okienko.clients.actions import register_client
from okienko.knowledge import actions as knowledge_actions
from okienko.knowledge.models import Article
from okienko.notifications import queue
from okienko.notifications.models import Notification
from tests.channels.conftest import Post, message

S = InboundMessage.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger_mail(post: Post) -> InboundMessage:
    raw = message(sender="Ewa Nowak <ewa@elsewhere.example>", subject="Re: Wywóz śmieci", message_id="<q-1@else>")
    return ingest(post.mailbox, raw)


@pytest.fixture
def sink(mail_sink: mailbox.Maildir) -> mailbox.Maildir:
    return mail_sink


def test_the_queue_lists_waiting_mail_and_the_start_page_counts_it(
    post: Post, stranger_mail: InboundMessage, client: WebClient
) -> None:
    client.force_login(post.consultant)
    page = client.get("/desk/mail/").content.decode()
    assert "ewa@elsewhere.example" in page
    assert f"/desk/mail/{stranger_mail.pk}/" in page
    home = client.get("/desk/").content.decode()
    assert "E-maile czekające na rozdzielenie" in home
    client.force_login(post.expert)  # works in a unit without a mailbox
    assert "E-maile czekające na rozdzielenie" not in client.get("/desk/").content.decode()


def test_claim_link_and_answer_with_an_article(
    post: Post, stranger_mail: InboundMessage, client: WebClient, sink: mailbox.Maildir
) -> None:
    article = knowledge_actions.create_article(
        actor=None,
        organisation=post.city,
        title="Harmonogram wywozu odpadów",
        slug="harmonogram-odpadow",
        body="Odpady odbieramy we wtorki.",
        status=Article.Status.PUBLISHED,
        audience=Article.Audience.PUBLIC,
    )
    ewa = register_client(actor=None, home_office=post.centre, first_name="Ewa", last_name="Nowak")
    client.force_login(post.consultant)
    url = f"/desk/mail/{stranger_mail.pk}/"
    detail = client.get(url).content.decode()
    assert "Zajmę się tym" in detail
    client.post(url, {"action": "claim"})
    stranger_mail.refresh_from_db()
    assert stranger_mail.claimed_by == post.consultant
    client.post(url, {"action": "link", "client": ewa.number})
    stranger_mail.refresh_from_db()
    assert (stranger_mail.client, stranger_mail.status) == (ewa, S.LINKED)
    answered = client.post(url, {"action": "answer", "answer": "Odpady odbieramy we wtorki.", "article": article.pk})
    assert answered.status_code == 302
    stranger_mail.refresh_from_db()
    assert stranger_mail.status == S.DONE
    queue.drain()
    [sent] = [email.message_from_bytes(sink.get_bytes(k), policy=email.policy.default) for k in sink.iterkeys()]
    assert sent["Subject"].strip() == "Re: Wywóz śmieci"
    assert sent["In-Reply-To"].strip() == "<q-1@else>"
    text = sent.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Odpady odbieramy we wtorki." in text
    assert "/pomoc/artykul/harmonogram-odpadow/" in text
    assert Notification.objects.get(event="email_answer").client == ewa


def test_open_a_case_from_the_message(post: Post, stranger_mail: InboundMessage, client: WebClient) -> None:
    client.force_login(post.consultant)
    response = client.post(f"/desk/mail/{stranger_mail.pk}/", {"action": "case", "service": post.service.pk})
    case = Case.objects.get(channel="email", reporter_email="ewa@elsewhere.example")
    assert response["Location"] == f"/desk/cases/{case.uuid}/"
    stranger_mail.refresh_from_db()
    assert (stranger_mail.status, stranger_mail.case) == (S.CASE_CREATED, case)
    again = client.post(f"/desk/mail/{stranger_mail.pk}/", {"action": "spam"}, follow=True)
    assert "została już obsłużona" in again.content.decode()


def test_bad_input_is_told_not_failed(post: Post, stranger_mail: InboundMessage, client: WebClient) -> None:
    client.force_login(post.consultant)
    url = f"/desk/mail/{stranger_mail.pk}/"
    for data, said in (
        ({"action": "link", "client": "K-NOPE"}, "Proszę wybrać klienta"),
        ({"action": "case", "service": "x"}, "Proszę wybrać rodzaj sprawy"),
        ({"action": "add", "case": "LODZ/2026/999999"}, "Nie ma otwartej sprawy"),
        ({"action": "answer", "answer": ""}, "Proszę wpisać odpowiedź"),
        ({"action": "explode"}, "Nieznana czynność"),
    ):
        page = client.post(url, data, follow=True)
        assert page.status_code == 200
        assert said in page.content.decode()
    stranger_mail.refresh_from_db()
    assert stranger_mail.status == S.TRIAGE


def test_spam_and_raw_download(post: Post, stranger_mail: InboundMessage, client: WebClient) -> None:
    client.force_login(post.consultant)
    raw = client.get(f"/desk/mail/{stranger_mail.pk}/raw")
    assert raw["Content-Type"] == "message/rfc822"
    assert b"Message-ID: <q-1@else>" in b"".join(raw.streaming_content)  # type: ignore[attr-defined]
    client.post(f"/desk/mail/{stranger_mail.pk}/", {"action": "spam"})
    stranger_mail.refresh_from_db()
    assert stranger_mail.status == S.SPAM
    assert "ewa@elsewhere.example" in client.get("/desk/mail/?show=spam").content.decode()


def test_other_offices_see_nothing(post: Post, stranger_mail: InboundMessage, client: WebClient) -> None:
    client.force_login(post.outsider)
    assert client.get(f"/desk/mail/{stranger_mail.pk}/").status_code == 404
    assert client.get(f"/desk/mail/{stranger_mail.pk}/raw").status_code == 404
    assert client.post(f"/desk/mail/{stranger_mail.pk}/", {"action": "spam"}).status_code == 404
    assert "ewa@elsewhere.example" not in client.get("/desk/mail/").content.decode()
    stranger_mail.refresh_from_db()
    assert stranger_mail.status == S.TRIAGE
