"""Choices shared by several apps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """The way a contact reached the office: the same list for contacts, cases and every channel app."""

    PHONE = "phone", pgettext_lazy("channel", "phone")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    WEB = "web", _("web form")
    CHAT = "chat", _("chat")
    EFORM = "eform", _("e-form (ePUAP)")
    COUNTER = "counter", _("at the counter")
    LETTER = "letter", _("letter")
    FAX = "fax", _("fax")
    SOCIAL = "social", _("social media")
