"""The desk start page's line for editors and owners: articles whose review date has come."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import ngettext

from okienko.core import clock
from okienko.core.actors import Actor
from okienko.core.navigation import HomeAlert
from okienko.knowledge import access
from okienko.knowledge.models import Article


def due_for_review(user: Actor) -> Any:
    """Published articles past their review date that ``user`` may edit (owners are editors:
    the owner is whoever wrote the article, unless an editor handed it to someone else)."""
    today = clock.local_now().date()
    return Article.objects.editable_by(user).filter(status=Article.Status.PUBLISHED, review_by__lte=today)


def reviews_due(user: Actor) -> list[HomeAlert]:
    if not getattr(user, "is_authenticated", False) or not access.may_edit_anywhere(user):
        return []
    count = due_for_review(user).count()
    if not count:
        return []
    text = ngettext(
        "%(n)d knowledge article is due for review", "%(n)d knowledge articles are due for review", count
    ) % {"n": count}
    return [HomeAlert(text, reverse("knowledge:editor") + "?review=due", "warning", panel="knowledge.reviews_due")]
