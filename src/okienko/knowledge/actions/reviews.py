"""Review reminders: tell each article's owner, once per review date, that the article is due.

The owner learns it two ways: the desk's start page counts due articles for editors and owners
(``knowledge.alerts``), and the ``knowledge.review_due`` event, which the notification service
turns into an e-mail to the owner's address (queued and retried there: ADR 0053). An article is
marked as reminded (``Article.review_reminded_for``) in the same transaction as the event, so
each review date is reminded once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F

from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.knowledge.models import Article


@dataclass
class ReminderReport:
    reminded: list[Article] = field(default_factory=list)  # marked, the event emitted
    emailed: list[Article] = field(default_factory=list)  # of those, owners with an address (e-mail queued)
    failed: list[Article] = field(default_factory=list)  # kept for callers; sending failures are the queue's


def _due() -> Any:
    today = clock.local_now().date()
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, review_by__lte=today, owner__isnull=False)
        .exclude(review_reminded_for=F("review_by"))
        .select_related("owner", "organisation")
        .order_by("review_by", "pk")
    )


def remind_reviews(*, actor: Actor = None) -> list[Article]:
    """Remind owners of published articles whose review date has come (once per article and
    review date); returns the articles reminded about. See ``remind_reviews_report``."""
    return remind_reviews_report(actor=actor).reminded


def remind_reviews_report(*, actor: Actor = None) -> ReminderReport:
    """Record the reminder of each due article (audit + ``knowledge.review_due`` event, from which
    the owner is e-mailed). An owner without an address is reminded on the desk only."""
    report = ReminderReport()
    for article in list(_due()):
        owner: Any = article.owner
        address = (owner.email or "").strip()
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
