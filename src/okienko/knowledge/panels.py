"""What the knowledge app shows on composite desk screens (``core.panels``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import formatting, panels, work_panels
from okienko.core.work_panels import WorkItem


def answer(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    """Search box answering the client from the knowledge base, in one click."""
    if not access.has_perm_anywhere(request.user, Perm.KNOWLEDGE_READ_INTERNAL):
        return None
    return {"client": client}


def reviews_due(request: HttpRequest, _obj: Any) -> Mapping[str, Any] | None:
    """On the desk start page: published articles the viewer may edit whose review date has come."""
    from okienko.knowledge import access as knowledge_access
    from okienko.knowledge.alerts import due_for_review

    if not knowledge_access.may_edit_anywhere(request.user):
        return None
    due = due_for_review(request.user).order_by("review_by", "pk")
    return work_panels.of_rows(
        "reviews-due",
        due,
        item=lambda a: WorkItem(
            a.title,
            reverse("knowledge:editor_edit", args=[a.uuid]),
            str(_("review by %(day)s")) % {"day": formatting.day(a.review_by)},
            "warning",
        ),
        title=_("Knowledge articles due for review"),
        empty=_("No article is due for review."),
        more_url=reverse("knowledge:editor") + "?review=due",
    )


def register() -> None:
    panels.register(
        panels.Panel(panels.CLIENT_CARD_TOOLS, "knowledge.answer", "knowledge/panels/answer.html", answer, order=10)
    )
    panels.register(
        panels.Panel(panels.DESK_HOME, "knowledge.reviews_due", work_panels.WORK_PANEL, reviews_due, order=50)
    )
