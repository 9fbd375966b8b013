"""The inbound pipeline: what becomes of each kind of message."""

from __future__ import annotations

from typing import Any

import pytest

from okienko.cases.models import CaseAttachment, CaseNote
from okienko.cases.workflow import Status
from okienko.channels.email import pipeline
from okienko.channels.email.pipeline import ingest
from okienko.channels.email.threading import message_id_for_case
from okienko.channels.models import InboundMessage
from okienko.clients.models import ClientContact
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.interactions.models import Interaction
from tests.channels.conftest import CLIENT_EMAIL, Post, load, message

S = InboundMessage.Status
pytestmark = pytest.mark.django_db


def event_of(inbound: InboundMessage) -> dict[str, Any]:
    event = OutboxEvent.objects.get(topic="email.received", aggregate_id=str(inbound.pk))
    payload: dict[str, Any] = event.payload
    return payload


def test_unknown_sender_waits_for_triage(post: Post) -> None:
    """A stranger's message is a contact awaiting triage, with the address as the contact detail."""
    inbound = ingest(post.mailbox, message(sender="Ewa <ewa@elsewhere.example>", message_id="<n-1@x>"))
    assert inbound.status == S.TRIAGE
    assert inbound.client is None
    assert inbound.case is None
    interaction = inbound.interaction
    assert interaction is not None
    assert (interaction.channel, interaction.direction, interaction.contact_detail) == (
        "email",
        "in",
        "ewa@elsewhere.example",
    )
    assert interaction.question == "Question"
    assert inbound.file.read() == message(sender="Ewa <ewa@elsewhere.example>", message_id="<n-1@x>")
    payload = event_of(inbound)
    assert payload["auto_reply"] is True
    assert payload["sender"] == "ewa@elsewhere.example"
    assert payload["language"] == "pl"
    assert payload["interaction_id"] == interaction.pk
    assert AuditRecord.objects.filter(action="email.received", object_id=str(inbound.pk)).exists()


def test_known_client_is_linked(post: Post) -> None:
    """The sender's address identifies the client of the mailbox's data controller."""
    inbound = ingest(post.mailbox, message(sender="JAN.Kowalski@Example.pl"))
    assert inbound.status == S.LINKED
    assert inbound.client == post.client
    assert inbound.interaction is not None
    assert inbound.interaction.client == post.client
    assert event_of(inbound)["client_id"] == post.client.pk


def test_client_of_another_controller_is_not_identified(post: Post) -> None:
    """The same address written to another city's mailbox finds nobody there."""
    inbound = ingest(post.other_mailbox, message())
    assert inbound.client is None
    assert inbound.status == S.TRIAGE


def test_ambiguous_address_links_nobody(post: Post) -> None:
    """Two clients sharing an address: a person chooses."""
    from okienko.clients.actions import register_client

    register_client(
        actor=None,
        home_office=post.city,
        first_name="Anna",
        last_name="Kowalska",
        emails=[CLIENT_EMAIL],
        accept_duplicates=True,
    )
    inbound = ingest(post.mailbox, message())
    assert inbound.client is None
    assert inbound.status == S.TRIAGE
    assert len(pipeline.suggest_clients(post.city.controller_path, CLIENT_EMAIL)) == 2


def test_mailbox_rule_opens_a_case(post: Post) -> None:
    """With create_case and a default service the message becomes a case of that service."""
    post.mailbox.create_case = True
    post.mailbox.default_service = post.service
    post.mailbox.save()
    inbound = ingest(post.mailbox, message(subject="Nowa sprawa", body="Proszę o pomoc."))
    assert inbound.status == S.CASE_CREATED
    case = inbound.case
    assert case is not None
    assert case.channel == "email"
    assert case.client == post.client
    assert case.reporter_email == CLIENT_EMAIL
    assert case.description.startswith("Nowa sprawa")
    assert inbound.interaction is not None
    inbound.interaction.refresh_from_db()
    assert inbound.interaction.case == case
    payload = event_of(inbound)
    assert payload["case_id"] == case.pk
    assert payload["auto_reply"] is True


def test_reply_threads_onto_its_case_and_resumes_work(post: Post) -> None:
    """A reply naming Okienko's message id goes on the case; waiting for the client ends."""
    assert post.case.status == Status.WAITING_CLIENT
    assert post.case.sla_paused_at is not None
    sent = message_id_for_case(post.case.uuid)
    raw = message(
        subject="Re: Please send a photo",
        body="Zdjęcie w załączeniu.\r\n\r\nW dniu 4.12.2026 o 10:00, Urząd pisze:\r\n> Please send a photo.",
        message_id="<reply-1@example.pl>",
        headers={"In-Reply-To": sent, "References": f"<a@b> {sent}"},
    )
    inbound = ingest(post.mailbox, raw)
    assert inbound.status == S.THREADED
    assert inbound.case == post.case
    post.case.refresh_from_db()
    assert post.case.status == Status.IN_PROGRESS
    assert post.case.sla_paused_at is None
    note = CaseNote.objects.filter(case=post.case).order_by("-id").first()
    assert note is not None
    assert note.body == "Zdjęcie w załączeniu."
    assert note.visibility == CaseNote.Visibility.INTERNAL
    kinds = list(post.case.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == ["client_message", "status"]
    assert inbound.interaction is not None
    assert inbound.interaction.case == post.case
    assert event_of(inbound)["auto_reply"] is False
    assert OutboxEvent.objects.filter(topic="case.client_message").count() == 1
    changed = [e.payload for e in OutboxEvent.objects.filter(topic="case.status_changed") if e.payload.get("by_client")]
    assert [p["to_status"] for p in changed] == [Status.IN_PROGRESS]


def test_reply_threads_by_case_number_in_subject(post: Post) -> None:
    inbound = ingest(post.mailbox, message(subject=f"Re: [{post.case.number}] zdjęcie"))
    assert inbound.status == S.THREADED
    assert inbound.case == post.case


def test_reply_to_an_earlier_message_threads_onto_its_case(post: Post) -> None:
    """In-Reply-To naming a message already on a case finds that case."""
    first = ingest(post.mailbox, message(subject=f"[{post.case.number}]", message_id="<first@example.pl>"))
    assert first.case == post.case
    second = ingest(
        post.mailbox,
        message(subject="Re: more", message_id="<second@example.pl>", headers={"In-Reply-To": "<first@example.pl>"}),
    )
    assert second.status == S.THREADED
    assert second.case == post.case


def test_reply_by_reporter_email_without_client_record(post: Post) -> None:
    """The reporter's address on the case is enough to thread."""
    post.case.client = None
    post.case.reporter_email = "reporter@mail.example"
    post.case.save()
    inbound = ingest(post.mailbox, message(sender="reporter@mail.example", subject=f"Re: {post.case.number}"))
    assert inbound.status == S.THREADED


def test_stranger_naming_a_case_goes_to_triage(post: Post) -> None:
    """Someone else's message naming the case never reaches it."""
    raw = message(sender="intruder@evil.example", headers={"In-Reply-To": message_id_for_case(post.case.uuid)})
    inbound = ingest(post.mailbox, raw)
    assert inbound.status == S.TRIAGE
    assert inbound.case is None
    assert post.case.number in inbound.status_reason
    post.case.refresh_from_db()
    assert post.case.status == Status.WAITING_CLIENT


def test_case_of_another_controller_is_never_threaded(post: Post) -> None:
    """A reply arriving in another city's mailbox does not find this city's case."""
    raw = message(headers={"In-Reply-To": message_id_for_case(post.case.uuid)}, subject=f"Re: {post.case.number}")
    inbound = ingest(post.other_mailbox, raw)
    assert inbound.case is None
    assert inbound.status == S.TRIAGE


def test_same_delivery_twice_is_stored_once(post: Post) -> None:
    """Same Message-ID and bytes: the first row comes back, nothing else is recorded."""
    first = ingest(post.mailbox, load("plain.eml"))
    again = ingest(post.mailbox, load("plain.eml"))
    assert again.pk == first.pk
    assert InboundMessage.objects.count() == 1
    assert Interaction.objects.filter(channel="email").count() == 1
    assert OutboxEvent.objects.filter(topic="email.received").count() == 1


def test_same_message_id_other_content_is_kept(post: Post) -> None:
    """A different message reusing a Message-ID is not lost."""
    ingest(post.mailbox, message(body="one"))
    ingest(post.mailbox, message(body="two"))
    assert InboundMessage.objects.count() == 2


def test_bounce_is_recorded_on_the_contact(post: Post) -> None:
    """A DSN marks the failed address on the client's contact data; nothing else happens."""
    inbound = ingest(post.mailbox, load("dsn_bounce.eml"))
    assert inbound.is_bounce
    assert inbound.status == S.DONE
    assert inbound.interaction is None
    assert inbound.case is None
    contact = ClientContact.objects.get(client=post.client, kind="email")
    assert contact.bounce_count == 1
    assert contact.bounced_at is not None
    assert event_of(inbound)["auto_reply"] is False
    assert AuditRecord.objects.filter(action="clients.contact_bounced").count() == 1


def test_out_of_office_never_moves_the_case(post: Post) -> None:
    """An auto-reply naming the case is linked to it but is not the client's answer."""
    raw = load("auto_reply.eml").replace(
        b"Subject: Nieobecno", f"In-Reply-To: {message_id_for_case(post.case.uuid)}\r\nSubject: Nieobecno".encode()
    )
    inbound = ingest(post.mailbox, raw)
    assert inbound.status == S.DONE
    assert inbound.is_auto_submitted
    assert inbound.case == post.case
    assert inbound.interaction is None
    post.case.refresh_from_db()
    assert post.case.status == Status.WAITING_CLIENT
    assert event_of(inbound)["auto_reply"] is False


def test_list_mail_is_not_answered(post: Post) -> None:
    inbound = ingest(post.mailbox, load("list_mail.eml"))
    assert inbound.status == S.DONE
    assert event_of(inbound)["auto_reply"] is False


def test_spam_is_quarantined(post: Post) -> None:
    inbound = ingest(post.mailbox, load("spam.eml"))
    assert inbound.status == S.SPAM
    assert inbound.is_spam
    assert inbound.interaction is None
    assert event_of(inbound)["auto_reply"] is False


def test_forged_client_sender_is_flagged(post: Post) -> None:
    """The trusted server says DMARC failed: not verified, no client, no case, no reply."""
    raw = load("forged_from.eml").replace(b"LODZ/2026/000001", post.case.number.encode())
    inbound = ingest(post.mailbox, raw)
    assert inbound.sender_check == InboundMessage.SenderCheck.FAIL
    assert not inbound.sender_verified
    assert inbound.status == S.TRIAGE
    assert "forged" in inbound.status_reason
    assert inbound.client is None
    assert inbound.case is None
    post.case.refresh_from_db()
    assert post.case.status == Status.WAITING_CLIENT
    payload = event_of(inbound)
    assert payload["auto_reply"] is False
    assert payload["sender_verified"] is False


def test_trusted_server_pass_verifies_the_sender(post: Post) -> None:
    header = "mx.lodz.okienko.localhost; spf=pass smtp.mailfrom=example.pl; dkim=pass header.d=example.pl"
    inbound = ingest(post.mailbox, message(headers={"Authentication-Results": header}))
    assert inbound.sender_verified


def test_untrusted_authentication_results_are_ignored(post: Post) -> None:
    """A header written by anyone but the configured server proves nothing."""
    header = "mx.attacker.example; dmarc=pass header.from=example.pl"
    inbound = ingest(post.mailbox, message(headers={"Authentication-Results": header}))
    assert inbound.sender_check == InboundMessage.SenderCheck.NONE


def test_sender_rate_limit_quarantines_the_rest(post: Post) -> None:
    """Two auto-responders answering each other stop at the hourly limit."""
    post.mailbox.sender_limit_per_hour = 3
    post.mailbox.save()
    results = [ingest(post.mailbox, message(sender="bot@loop.example", message_id=f"<l-{i}@x>")) for i in range(5)]
    assert [r.status for r in results] == [S.TRIAGE] * 3 + [S.QUARANTINED] * 2
    assert [event_of(r)["auto_reply"] for r in results] == [True, True, True, False, False]


def test_message_over_the_size_limit_is_rejected_with_its_headers(post: Post) -> None:
    """A 50 MB attachment: rejected, the headers kept as the trace, nothing crashes."""
    head = message(subject="Big", message_id="<big@example.pl>").split(b"\r\n\r\n")[0]
    raw = head + b"\r\n\r\n" + b"A" * (50 * 1024 * 1024)
    inbound = ingest(post.mailbox, raw)
    assert inbound.status == S.REJECTED
    assert inbound.size == len(raw)
    assert inbound.file.size < 10_000
    assert inbound.subject == "Big"
    assert inbound.attachments.count() == 0


def test_attachments_are_stored_and_the_documents_added_to_the_case(post: Post) -> None:
    """Files are kept as they came (archives never unpacked); a threaded reply puts the
    documents that pass the case checks on the case."""
    raw = load("attachments.eml").replace(b"Subject: Dokumenty", f"Subject: Re: {post.case.number}".encode())
    inbound = ingest(post.mailbox, raw)
    assert inbound.status == S.THREADED
    stored = {a.declared_type: a for a in inbound.attachments.all()}
    assert set(stored) == {"application/pdf", "image/png", "application/zip"}
    assert stored["application/pdf"].original_name == "wniosek żółty.pdf"
    assert stored["image/png"].is_inline
    assert stored["image/png"].content_id == "photo1@example.pl"
    assert stored["application/zip"].content_type == "application/zip"
    on_case = list(CaseAttachment.objects.filter(case=post.case).values_list("original_name", flat=True))
    assert on_case == ["wniosek żółty.pdf"]


def test_html_with_scripts_is_stored_as_text(post: Post) -> None:
    inbound = ingest(post.mailbox, load("html_script.eml"))
    assert inbound.has_html
    assert "script" not in inbound.body
    assert "alert" not in inbound.full_text
    assert "parking permit" in inbound.body


def test_failure_quarantines_the_message_and_the_loop_goes_on(post: Post, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug while processing one message keeps it with the error; the next one is processed."""

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "find_case", broken)
    bad = ingest(post.mailbox, message(message_id="<bad@x>"))
    assert bad.status == S.QUARANTINED
    assert "boom" in bad.status_reason
    assert bad.file.read().startswith(b"From: ")
    assert Interaction.objects.filter(channel="email").count() == 0
    monkeypatch.undo()
    good = ingest(post.mailbox, message(message_id="<good@x>"))
    assert good.status == S.LINKED


@pytest.mark.parametrize(
    "name",
    ["deep_nesting.eml", "missing_boundary.eml", "bad_base64.eml", "unknown_charset.eml", "smime_encrypted.eml"],
)
def test_malformed_mail_is_received(post: Post, name: str) -> None:
    """Broken MIME never stops the pipeline: the message waits for a person."""
    inbound = ingest(post.mailbox, load(name))
    assert inbound.status == S.TRIAGE


def test_signed_and_encrypted_are_marked(post: Post) -> None:
    signed = ingest(post.mailbox, load("smime_signed.eml"))
    assert signed.is_signed
    assert signed.attachments.get().original_name
    encrypted = ingest(post.mailbox, load("pgp_encrypted.eml"))
    assert encrypted.is_encrypted


def test_mail_from_one_of_our_mailboxes_is_never_answered(post: Post) -> None:
    """Two Okienko mailboxes writing to each other do not start a conversation of receipts."""
    inbound = ingest(post.mailbox, message(sender=post.other_mailbox.address, message_id="<own@x>"))
    assert inbound.status == S.TRIAGE
    assert event_of(inbound)["auto_reply"] is False


def test_nul_bytes_and_empty_messages_are_stored(post: Post) -> None:
    """Binary junk (NUL characters PostgreSQL refuses in text) and an empty message are kept."""
    junk = ingest(post.mailbox, message(subject="a\x00b", body="x\x00y", message_id="<nul\x00@x>"))
    assert junk.status == S.LINKED
    assert junk.subject == "ab"
    assert "\x00" not in junk.body
    empty = ingest(post.mailbox, b"")
    assert empty.status == S.TRIAGE
    assert ingest(post.mailbox, b"").pk == empty.pk


def test_raw_8bit_file_name_and_header_are_stored(post: Post) -> None:
    """Undeclared 8-bit bytes in a header and a file name (Windows-1250) are decoded, not refused."""
    raw = (
        b"From: Pawe\xb3 <pawel@example.pl>\r\nSubject: Wniosek o \x9cwiadczenie\r\nMessage-ID: <8bit@x>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nTre\xc5\x9b\xc4\x87\r\n--b\r\n"
        b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="\xbf\xf3\xb3w.pdf"\r\n\r\n'
        b"%PDF-1.4 x\r\n--b--\r\n"
    )
    inbound = ingest(post.mailbox, raw)
    assert inbound.status == S.TRIAGE
    assert inbound.from_name == "Paweł"
    assert inbound.subject == "Wniosek o świadczenie"
    assert inbound.attachments.get().original_name == "żółw.pdf"
