"""Signed links in messages: the satisfaction survey and the answer to the office's question.

A link names the case by its random UUID and is signed with the site's secret for one purpose
(a survey token does not open the answer form); it works without signing in until it expires.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

SURVEY_SALT = "okienko.notifications.survey"
ANSWER_SALT = "okienko.notifications.answer"
SURVEY_VALID = dt.timedelta(days=60)
ANSWER_VALID = dt.timedelta(days=30)


def _absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def survey_token(case: Any) -> str:
    return signing.dumps({"c": case.uuid.hex}, salt=SURVEY_SALT, compress=True)


def answer_token(case: Any) -> str:
    return signing.dumps({"c": case.uuid.hex}, salt=ANSWER_SALT, compress=True)


def case_uuid(token: str, *, salt: str, max_age: dt.timedelta) -> uuid.UUID | None:
    """The case a token was made for; ``None`` when it is forged, for another purpose or expired."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
        return uuid.UUID(hex=str(data["c"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def survey_link(case: Any) -> str:
    return _absolute(reverse("notifications_public:survey", args=[survey_token(case)]))


def answer_link(case: Any) -> str:
    return _absolute(reverse("notifications_public:answer", args=[answer_token(case)]))


def case_link(case: Any) -> str:
    return _absolute(reverse("portal:case_status", args=[case.uuid]))
