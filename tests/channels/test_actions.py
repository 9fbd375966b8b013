"""Triage of received e-mail: each step checked, audited and announced."""

from __future__ import annotations

import pytest
from django.http import Http404

from okienko.accounts.roles import Role
from okienko.cases.workflow import Status
from okienko.channels import access
from okienko.channels.email import actions
from okienko.channels.email.pipeline import ingest
from okienko.channels.models import InboundMessage
from okienko.clients.actions import register_client
from okienko.core.errors import Conflict, Forbidden
from okienko.core.models import AuditRecord, OutboxEvent
from tests.channels.conftest import Post, load, message

S = InboundMessage.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger_mail(post: Post) -> InboundMessage:
    return ingest(post.mailbox, message(sender="Ewa Nowak <ewa@elsewhere.example>", message_id="<t-1@x>"))


def test_claim_and_conflict(post: Post, stranger_mail: InboundMessage, make_user: object) -> None:
    """A claimed message is someone's; another consultant takes it over only on purpose."""
    other = make_user("other", roles=[(post.centre, Role.CONSULTANT)])  # type: ignore[operator]
    actions.claim_message(actor=post.consultant, message=stranger_mail)
    stranger_mail.refresh_from_db()
    assert stranger_mail.claimed_by == post.consultant
    with pytest.raises(Conflict):
        actions.claim_message(actor=other, message=stranger_mail)
    actions.claim_message(actor=other, message=stranger_mail, take_over=True)
    stranger_mail.refresh_from_db()
    assert stranger_mail.claimed_by == other
    assert AuditRecord.objects.filter(action="email.claimed").count() == 2
    assert OutboxEvent.objects.filter(topic="email.triaged").count() == 2


def test_staff_of_another_city_may_not_handle(post: Post, stranger_mail: InboundMessage) -> None:
    with pytest.raises(Forbidden):
        actions.claim_message(actor=post.outsider, message=stranger_mail)
    with pytest.raises(Http404):
        access.access_message(post.outsider, stranger_mail.pk)
    assert AuditRecord.objects.filter(action="channel_adapters.access_denied").count() == 1


def test_access_is_logged(post: Post, stranger_mail: InboundMessage) -> None:
    assert access.access_message(post.consultant, stranger_mail.pk) == stranger_mail
    assert AuditRecord.objects.filter(action="personal_data.viewed", object_id=str(stranger_mail.pk)).exists()


def test_link_to_a_suggested_client(post: Post) -> None:
    """Suggestions come from the address; linking puts the contact into the client's history."""
    ewa = register_client(actor=None, home_office=post.centre, first_name="Ewa", last_name="Nowak", emails=["ewa@x.pl"])
    register_client(
        actor=None,
        home_office=post.centre,
        first_name="Ewa",
        last_name="Nowak-Kowal",
        emails=["ewa@x.pl"],
        accept_duplicates=True,
    )
    mail = ingest(post.mailbox, message(sender="ewa@x.pl", message_id="<s-1@x>"))
    assert mail.client is None
    suggestions = actions.client_suggestions(post.consultant, mail)
    assert ewa in suggestions
    assert len(suggestions) == 2
    actions.link_message_to_client(actor=post.consultant, message=mail, client=ewa)
    mail.refresh_from_db()
    assert mail.client == ewa
    assert mail.status == S.LINKED
    assert mail.interaction is not None
    assert mail.interaction.client == ewa
    assert AuditRecord.objects.filter(action="email.client_linked").count() == 1


def test_link_to_a_client_of_another_controller_is_refused(post: Post, stranger_mail: InboundMessage) -> None:
    foreign = register_client(actor=None, home_office=post.other_city, first_name="A", last_name="B")
    with pytest.raises(Forbidden):
        actions.link_message_to_client(actor=post.consultant, message=stranger_mail, client=foreign)


def test_open_a_case_from_the_message(post: Post) -> None:
    """The intake action opens the case; the message and its contact point to it."""
    mail = ingest(post.mailbox, load("attachments.eml"))
    case = actions.open_case_from_message(actor=post.consultant, message=mail, service=post.service)
    mail.refresh_from_db()
    assert mail.status == S.CASE_CREATED
    assert mail.case == case
    assert case.channel == "email"
    assert case.reporter_email == "jan.kowalski@example.pl"
    assert mail.interaction is not None
    assert mail.interaction.case == case
    assert [a.original_name for a in case.attachments.all()] == ["wniosek żółty.pdf"]
    with pytest.raises(Conflict):
        actions.mark_done(actor=post.consultant, message=mail)


def test_add_a_message_to_the_case_a_person_chose(post: Post, stranger_mail: InboundMessage) -> None:
    """A reply from another address, once staff say which case it belongs to, moves it on."""
    actions.add_message_to_case(actor=post.consultant, message=stranger_mail, case=post.case)
    stranger_mail.refresh_from_db()
    assert stranger_mail.status == S.THREADED
    post.case.refresh_from_db()
    assert post.case.status == Status.IN_PROGRESS


def test_mark_spam_and_done(post: Post, stranger_mail: InboundMessage) -> None:
    actions.mark_spam(actor=post.consultant, message=stranger_mail)
    stranger_mail.refresh_from_db()
    assert stranger_mail.status == S.SPAM
    assert stranger_mail.is_spam
    other = ingest(post.mailbox, message(message_id="<t-2@x>"))
    actions.mark_done(actor=post.consultant, message=other, note="Answered by phone")
    other.refresh_from_db()
    assert other.status == S.DONE
    assert other.status_reason == "Answered by phone"
    assert set(AuditRecord.objects.filter(action__startswith="email.marked").values_list("action", flat=True)) == {
        "email.marked_spam",
        "email.marked_done",
    }


def test_triage_queue_lists_what_waits(post: Post, stranger_mail: InboundMessage) -> None:
    linked = ingest(post.mailbox, message(message_id="<t-3@x>"))
    ingest(post.mailbox, load("spam.eml"))
    waiting = set(InboundMessage.objects.awaiting_triage().visible_to(post.consultant))
    assert waiting == {stranger_mail, linked}
    assert not InboundMessage.objects.visible_to(post.outsider).exists()
