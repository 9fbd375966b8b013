"""Live chat conversations, their messages and the consultants' availability (imported by
``channels.models``)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core.actors import Actor

MAX_TEXT = 2000  # characters in one message


def new_token() -> str:
    return secrets.token_urlsafe(32)


class ChatSessionQuerySet(models.QuerySet["ChatSession"]):
    def open(self) -> ChatSessionQuerySet:
        return self.filter(status__in=[ChatSession.Status.WAITING, ChatSession.Status.ACTIVE])

    def visible_to(self, user: Actor) -> ChatSessionQuerySet:
        """Chats of the offices where ``user`` records contacts and sees clients' data."""
        recording = access.organisations_with(user, Perm.INTERACTIONS_RECORD)
        viewing = access.organisations_with(user, Perm.CLIENTS_VIEW)
        return self.filter(organisation__in=recording).filter(organisation__in=viewing)


class ChatSession(models.Model):
    """One visitor's conversation with an office, from the widget until it is closed."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        ACTIVE = "active", _("in progress")
        CLOSED = "closed", pgettext_lazy("chat status", "closed")
        ABANDONED = "abandoned", _("abandoned")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="chat_sessions"
    )
    # The visitor's secret: the WebSocket address carries it, nobody else knows it.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # Who the visitor is to the limits: a random key kept in their signed cookie, and the address.
    visitor_key = models.CharField(max_length=64, db_index=True)
    visitor_ip = models.GenericIPAddressField(null=True, blank=True)
    visitor_name = models.CharField(_("visitor's name"), max_length=100, blank=True)
    visitor_email = models.EmailField(_("visitor's e-mail"), blank=True)
    transcript_requested = models.BooleanField(_("transcript requested by e-mail"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chat_sessions",
    )
    started_at = models.DateTimeField(_("started at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    page = models.CharField(_("page"), max_length=500, blank=True)
    interaction = models.ForeignKey(
        "interactions.Interaction",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_sequence = models.PositiveIntegerField(default=0)

    objects = ChatSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def group(self) -> str:
        """The channel-layer group of everyone taking part in this chat."""
        return f"chat.session.{self.pk}"  # as ``broadcast.session_group`` names it

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.WAITING, self.Status.ACTIVE)


class ChatMessage(models.Model):
    """One line of a chat; ``sequence`` counts from 1 in each chat, so a client that lost its
    connection asks for the lines after the last one it saw. Text only: never shown as HTML."""

    class Sender(models.TextChoices):
        VISITOR = "visitor", _("visitor")
        AGENT = "agent", _("consultant")
        SYSTEM = "system", _("system")

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    sequence = models.PositiveIntegerField()
    sender = models.CharField(_("sender"), max_length=7, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["session", "sequence"]
        constraints = [models.UniqueConstraint(fields=["session", "sequence"], name="chat_message_sequence")]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.sequence}"


class AgentPresence(models.Model):
    """A consultant's readiness to chat for one office: online or not and how many chats at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("consultant"), on_delete=models.CASCADE, related_name="chat_presence"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="chat_presence"
    )
    online = models.BooleanField(_("available for chat"), default=False)
    capacity = models.PositiveSmallIntegerField(_("chats at once"), default=2)
    # The last sign of an open console (its WebSocket connecting or beating).
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat availability")
        verbose_name_plural = _("chat availability")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="chat_presence_once")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.organisation_id}"
