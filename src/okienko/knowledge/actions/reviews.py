"""Review reminders: tell each article's owner, once per review date, that the article is due.

The owner learns it two ways: the desk's start page counts due articles for editors and owners
(``knowledge.alerts``), and an e-mail goes to the owner's address. An article is marked as
reminded (``Article.review_reminded_for``) only after its e-mail has been handed to the mail
server, so a run that cannot reach the server logs it and the next run tries again.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from okienko.core import audit, clock, events, formatting
from okienko.core.actors import Actor
from okienko.knowledge.models import Article

logger = logging.getLogger(__name__)

SMTP_TIMEOUT = 10  # seconds; a stuck mail server must not hold the scheduler


@dataclass
class ReminderReport:
    reminded: list[Article] = field(default_factory=list)  # marked (and e-mailed when possible)
    emailed: list[Article] = field(default_factory=list)
    failed: list[Article] = field(default_factory=list)  # e-mail not sent: retried next run


def _due() -> Any:
    today = clock.local_now().date()
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, review_by__lte=today, owner__isnull=False)
        .exclude(review_reminded_for=F("review_by"))
        .select_related("owner", "organisation")
        .order_by("review_by", "pk")
    )


def review_email(article: Article) -> EmailMessage:
    """The reminder to the owner, in the site's language (Polish)."""
    owner: Any = article.owner
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.SITE_URL.rstrip("/") + reverse("knowledge:editor_edit", args=[article.uuid])
        subject = _("Article due for review: %(title)s") % {"title": article.title}
        body = _(
            "Hello %(name)s,\n\n"
            "the knowledge-base article “%(title)s” (%(organisation)s) was due for review on %(date)s.\n"
            "Check that it is still correct and set the next review date:\n%(url)s\n\n"
            "You receive this message because you are the article's owner.\n"
            "— Okienko"
        ) % {
            "name": owner.get_full_name() or owner.get_username(),
            "title": article.title,
            "organisation": article.organisation.name,
            "date": formatting.long_day(article.review_by),
            "url": url,
        }
    return EmailMessage(subject=subject, body=body, to=[owner.email])


def _send(article: Article) -> bool:
    """Hand the e-mail to the mail server; ``False`` (logged) when that fails."""
    try:
        message = review_email(article)
        message.connection = get_connection(timeout=SMTP_TIMEOUT)
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning(
            "knowledge review reminder for article %s not e-mailed (will retry next run): %s", article.pk, exc
        )
        return False
    return True


def remind_reviews(*, actor: Actor = None) -> list[Article]:
    """Remind owners of published articles whose review date has come (once per article and
    review date); returns the articles reminded about. See ``remind_reviews_report``."""
    return remind_reviews_report(actor=actor).reminded


def remind_reviews_report(*, actor: Actor = None) -> ReminderReport:
    """E-mail each due article's owner, then record the reminder (audit + ``knowledge.review_due``
    event). An owner without an address is reminded on the desk only; a failed e-mail leaves the
    article unmarked for the next run."""
    report = ReminderReport()
    for article in list(_due()):
        owner: Any = article.owner
        address = (owner.email or "").strip()
        # No transaction is held while the mail server is talked to (SQLite would stay locked).
        if address and not _send(article):
            report.failed.append(article)
            continue
        with transaction.atomic():
            marked = (
                Article.objects.filter(pk=article.pk, review_by=article.review_by)
                .exclude(review_reminded_for=F("review_by"))
                .update(review_reminded_for=article.review_by)
            )
            if not marked:  # changed or reminded by a parallel run meanwhile
                continue
            article.review_reminded_for = article.review_by
            audit.record(
                "knowledge.review_reminder_sent",
                actor=actor,
                obj=article,
                organisation_id=article.organisation_id,
                data={"review_by": article.review_by, "owner": article.owner_id, "emailed_to": address},
            )
            events.emit(
                "knowledge.review_due",
                obj=article,
                organisation_id=article.organisation_id,
                payload={"article": article.pk, "uuid": str(article.uuid), "owner": article.owner_id},
            )
        report.reminded.append(article)
        if address:
            report.emailed.append(article)
    return report
