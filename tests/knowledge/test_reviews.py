"""Review reminders reach the owner: an e-mail through the notification service and a real (local)
SMTP server, once per review date, retried after a failed send; a line on the desk's start page;
run by the scheduler."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import mailbox
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core import events, mailsink
from okienko.core.models import AuditRecord
from okienko.knowledge import actions
from okienko.knowledge.models import Article
from okienko.notifications import queue
from okienko.notifications.models import Notification

pytestmark = pytest.mark.django_db

DUE_DAY = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def smtp_server(mail_sink: mailbox.Maildir) -> mailbox.Maildir:
    return mail_sink


@pytest.fixture
def owner(region: Organisation, make_user: Callable[..., User]) -> User:
    user = make_user("anna.redaktor", roles=[(region, Role.KNOWLEDGE_EDITOR)])
    user.first_name, user.last_name, user.email = "Anna", "Nowak", "anna.nowak@wup.example.pl"
    user.save()
    return user


@pytest.fixture
def due_article(region: Organisation, owner: User) -> Article:
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        return actions.create_article(
            actor=owner,
            organisation=region,
            title="Staż dla bezrobotnych",
            status=Article.Status.PUBLISHED,
            review_by=dt.date(2026, 3, 10),
        )


def _send_queued() -> None:
    """What the workers do after the commit: deliver the events, send the queued e-mails."""
    for _round in range(20):
        if not events.deliver_due():
            break
    queue.drain()


def _messages(maildir: mailbox.Maildir) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(maildir.get_bytes(key), policy=email.policy.default) for key in maildir.iterkeys()]


def test_owner_receives_one_polish_e_mail_per_review_date(smtp_server: mailbox.Maildir, due_article: Article) -> None:
    with time_machine.travel(DUE_DAY, tick=False):
        call_command("knowledge_review_reminders", stdout=io.StringIO())
        _send_queued()
        call_command("knowledge_review_reminders", stdout=io.StringIO())
        _send_queued()
    [message] = _messages(smtp_server)
    assert message["To"] == "Anna Nowak <anna.nowak@wup.example.pl>"
    assert message["X-Envelope-To"] == "anna.nowak@wup.example.pl"
    assert message["Subject"].strip() == "Przegląd artykułu: Staż dla bezrobotnych"
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Dzień dobry, Anna Nowak," in body
    assert "ma datę przeglądu 10 marca 2026" in body
    assert f"https://okienko.example.pl/desk/knowledge/editor/{due_article.uuid}/" in body
    due_article.refresh_from_db()
    assert due_article.review_reminded_for == dt.date(2026, 3, 10)
    record = AuditRecord.objects.get(action="knowledge.review_reminder_sent")
    assert record.data["emailed_to"] == "anna.nowak@wup.example.pl"


def test_a_new_review_date_is_reminded_again(smtp_server: mailbox.Maildir, due_article: Article, owner: User) -> None:
    with time_machine.travel(DUE_DAY, tick=False):
        assert actions.remind_reviews() == [due_article]
        _send_queued()
        due_article = actions.update_article(
            actor=owner, article=due_article, expected_version=due_article.version, review_by=dt.date(2026, 3, 10)
        )
    with time_machine.travel(dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC), tick=False):
        due_article = actions.update_article(
            actor=owner, article=due_article, expected_version=due_article.version, review_by=dt.date(2026, 9, 1)
        )
        assert actions.remind_reviews() == [due_article]
        _send_queued()
    assert len(_messages(smtp_server)) == 2


def test_a_failed_e_mail_is_kept_in_the_queue_and_sent_when_the_server_is_back(
    smtp_settings: Any, due_article: Article, tmp_path: Path
) -> None:
    with time_machine.travel(DUE_DAY, tick=False):
        call_command("knowledge_review_reminders", stdout=io.StringIO())
        _send_queued()  # nothing listens on the port
    due_article.refresh_from_db()
    assert due_article.review_reminded_for == dt.date(2026, 3, 10)
    [notification] = Notification.objects.filter(event="review_due")
    assert (notification.status, notification.attempts) == ("queued", 1)
    controller = mailsink.start("127.0.0.1", smtp_settings.EMAIL_PORT, tmp_path / "mail")
    try:
        with time_machine.travel(DUE_DAY + dt.timedelta(hours=1), tick=False):
            call_command("knowledge_review_reminders", stdout=io.StringIO())  # reminds nothing twice
            _send_queued()
    finally:
        controller.stop()
    assert len(_messages(mailbox.Maildir(str(tmp_path / "mail")))) == 1
    notification.refresh_from_db()
    assert notification.status == "sent"


def test_owner_without_an_address_is_reminded_on_the_desk_only(due_article: Article, owner: User) -> None:
    from django.core import mail

    owner.email = ""
    owner.save()
    with time_machine.travel(DUE_DAY, tick=False):
        report = actions.remind_reviews_report()
    assert (report.reminded, report.emailed) == ([due_article], [])
    _send_queued()
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_desk_start_page_tells_editors_how_many_articles_are_due(
    client: Client, due_article: Article, owner: User, publish: Callable[..., Article]
) -> None:
    publish("Bon szkoleniowy", review_by=dt.date(2026, 3, 1))
    publish("Dodatek aktywizacyjny", review_by=dt.date(2026, 4, 1))
    client.force_login(owner)
    with time_machine.travel(DUE_DAY, tick=False):
        page = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
        listed = client.get("/desk/knowledge/editor/?review=due", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    # Said once, by the panel (with the articles); the alert line that said the same is left out.
    assert 'Artykuły do przeglądu <span class="count">2</span>' in page
    assert "2 artykuły bazy wiedzy czekają na przegląd" not in page
    assert "Wymaga uwagi" not in page
    assert "Bon szkoleniowy" in listed
    assert "Staż dla bezrobotnych" in listed
    assert "Dodatek aktywizacyjny" not in listed


def test_consultants_see_no_review_alert(client: Client, due_article: Article, consultant: User) -> None:
    client.force_login(consultant)
    with time_machine.travel(DUE_DAY, tick=False):
        page = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "przegląd" not in page


def test_the_scheduler_runs_the_reminders_hourly(due_article: Article) -> None:
    from django.core import mail

    from okienko.conf.celery import app
    from okienko.knowledge.tasks import remind_reviews_task

    entry = app.conf.beat_schedule["knowledge-review-reminders"]
    assert (entry["task"], entry["schedule"]) == ("okienko.knowledge.remind_reviews", 3600.0)
    assert remind_reviews_task.name == entry["task"]
    with time_machine.travel(DUE_DAY, tick=False):
        assert remind_reviews_task() == {"reminded": 1, "emailed": 1, "failed": 0}
        _send_queued()
    assert [m.to for m in mail.outbox] == [["Anna Nowak <anna.nowak@wup.example.pl>"]]


@pytest.mark.parametrize(
    ("profile", "host", "busy", "starts"),
    [
        ("embedded", "127.0.0.1", False, True),
        ("dev", "localhost", False, True),
        ("embedded", "127.0.0.1", True, False),
        ("production", "127.0.0.1", False, False),
        ("embedded", "smtp.example.pl", False, False),
    ],
)
def test_runall_starts_the_mail_sink_only_in_the_embedded_profile_on_a_free_loopback_port(
    settings: Any, monkeypatch: pytest.MonkeyPatch, profile: str, host: str, busy: bool, starts: bool
) -> None:
    from okienko.core.management.commands.runall import mail_sink_command

    settings.ENV = type("Env", (), {"profile": profile})()
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, 2525
    monkeypatch.setattr(mailsink, "port_is_free", lambda h, p: not busy)
    command = mail_sink_command("python")
    if starts:
        assert command == [
            "python",
            "-m",
            "okienko.core.mailsink",
            "--host",
            host,
            "--port",
            "2525",
            "--maildir",
            str(Path(settings.VAR_DIR) / "mail"),
        ]
    else:
        assert command is None
