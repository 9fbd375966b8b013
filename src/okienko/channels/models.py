"""Mailboxes Okienko receives e-mail for, and every message received (ADR 0052)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.core import secretbox
from okienko.core.actors import Actor
from okienko.core.files import StoredFile

DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024


class MailboxQuerySet(models.QuerySet["Mailbox"]):
    def active(self) -> MailboxQuerySet:
        return self.filter(active=True)

    def polled(self) -> MailboxQuerySet:
        return self.active().filter(kind=Mailbox.Kind.IMAP)


class Mailbox(models.Model):
    """An address of an organisation whose mail becomes contacts: fetched from an IMAP server or
    delivered straight to Okienko's SMTP/LMTP listener."""

    class Kind(models.TextChoices):
        IMAP = "imap", _("IMAP mailbox (polled)")
        SMTP = "smtp", _("delivered to Okienko (SMTP/LMTP)")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="mailboxes"
    )
    address = models.EmailField(_("address"), unique=True, help_text=_("Stored in lower case."))
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(pgettext_lazy("mailbox", "active"), default=True)
    kind = models.CharField(_("delivery"), max_length=4, choices=Kind.choices, default=Kind.SMTP)
    imap_host = models.CharField(_("IMAP server"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_ssl = models.BooleanField(_("IMAP over TLS"), default=True)
    imap_username = models.CharField(_("IMAP user name"), max_length=200, blank=True)
    imap_password_sealed = models.TextField(_("IMAP password (encrypted)"), blank=True, editable=False)
    imap_folder = models.CharField(_("folder to read"), max_length=200, default="INBOX")
    imap_processed_folder = models.CharField(
        _("folder for processed mail"),
        max_length=200,
        blank=True,
        help_text=_("Processed messages are moved here; left empty, they are only flagged as seen."),
    )
    trusted_authserv_id = models.CharField(
        _("trusted receiving server"),
        max_length=200,
        blank=True,
        help_text=_(
            "The authserv-id of the mail server in front of this mailbox: its Authentication-Results "
            "header (SPF, DKIM, DMARC) is believed. Headers added by anyone else are ignored."
        ),
    )
    verify_dkim = models.BooleanField(_("check DKIM signatures"), default=False)
    create_case = models.BooleanField(
        _("open a case from every new message"),
        default=False,
        help_text=_("Otherwise new messages wait in the triage queue."),
    )
    default_service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service of cases opened from e-mail"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    auto_reply = models.BooleanField(_("confirm receipt with an automatic reply"), default=False)
    max_message_bytes = models.PositiveIntegerField(_("largest message (bytes)"), default=DEFAULT_MAX_MESSAGE_BYTES)
    sender_limit_per_hour = models.PositiveIntegerField(
        _("messages per sender per hour"),
        default=30,
        help_text=_("Further messages from the same sender are quarantined (stops loops between auto-responders)."),
    )
    imap_uidvalidity = models.BigIntegerField(
        _("IMAP folder identity (UIDVALIDITY)"), null=True, blank=True, editable=False
    )
    imap_last_uid = models.BigIntegerField(_("last IMAP UID taken"), default=0, editable=False)
    # One poller at a time per mailbox (a lease, so that a poller that died frees it).
    imap_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    objects = MailboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)

    def set_imap_password(self, password: str) -> None:
        self.imap_password_sealed = secretbox.seal(password)

    def imap_password(self) -> str:
        return secretbox.unseal(self.imap_password_sealed)


class InboundMessageQuerySet(models.QuerySet["InboundMessage"]):
    def visible_to(self, user: Actor) -> InboundMessageQuerySet:
        """Messages of mailboxes of organisations where ``user`` records contacts."""
        from okienko.accounts import access
        from okienko.accounts.roles import Perm

        return self.filter(organisation__in=access.organisations_with(user, Perm.INTERACTIONS_RECORD))

    def awaiting_triage(self) -> InboundMessageQuerySet:
        return self.filter(status__in=[InboundMessage.Status.TRIAGE, InboundMessage.Status.LINKED])


class InboundMessage(StoredFile):
    """One e-mail as received: the raw message (kept, it may be a document of the matter) in
    ``file``, what was read from it, and what became of it."""

    STORAGE_FOLDER: ClassVar[str] = "mail"

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("message status", "received")
        TRIAGE = "triage", _("awaiting triage")
        LINKED = "linked", _("linked to a client")
        CASE_CREATED = "case_created", _("case opened")
        THREADED = "threaded", _("added to its case")
        QUARANTINED = "quarantined", _("quarantined")
        SPAM = "spam", _("spam")
        REJECTED = "rejected", _("rejected")
        DONE = "done", pgettext_lazy("message status", "done")

    class SenderCheck(models.TextChoices):
        PASS = "pass", _("verified")
        NONE = "none", _("not verified")
        FAIL = "fail", _("failed (possibly forged)")

    mailbox = models.ForeignKey(Mailbox, verbose_name=_("mailbox"), on_delete=models.PROTECT, related_name="messages")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    message_id = models.CharField(_("message identifier (Message-ID)"), max_length=250, blank=True)
    in_reply_to = models.CharField(_("in reply to"), max_length=250, blank=True)
    references = models.TextField(_("earlier messages (References)"), blank=True)
    from_address = models.CharField(_("sender"), max_length=254, blank=True, db_index=True)
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    to = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    body = models.TextField(_("message"), blank=True, help_text=_("The new text, without quoted replies."))
    full_text = models.TextField(_("full text"), blank=True)
    html_text = models.TextField(_("text of the HTML part"), blank=True)
    has_html = models.BooleanField(default=False)
    is_signed = models.BooleanField(_("signed"), default=False)
    is_encrypted = models.BooleanField(_("encrypted"), default=False)
    is_auto_submitted = models.BooleanField(_("automatic message"), default=False)
    is_bounce = models.BooleanField(_("delivery failure report"), default=False)
    is_spam = models.BooleanField(_("marked as spam"), default=False)
    sender_check = models.CharField(
        _("sender check"), max_length=4, choices=SenderCheck.choices, default=SenderCheck.NONE
    )
    language = models.CharField(_("language"), max_length=5, blank=True)
    defects = models.JSONField(_("format defects"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction = models.ForeignKey(
        "interactions.Interaction",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id", "sha256"], name="inbound_message_once"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-received_at"], name="inbound_queue_idx"),
            models.Index(fields=["mailbox", "from_address", "received_at"], name="inbound_sender_rate_idx"),
            models.Index(fields=["message_id"], name="inbound_message_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject[:80]}"

    @property
    def sender_verified(self) -> bool:
        return self.sender_check == self.SenderCheck.PASS


class InboundAttachment(StoredFile):
    """A file that came with a received e-mail; ``content_id`` names an inline image."""

    STORAGE_FOLDER: ClassVar[str] = "mail-files"

    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="attachments")
    declared_type = models.CharField(_("type given by the sender"), max_length=200, blank=True)
    content_id = models.CharField(max_length=250, blank=True)
    is_inline = models.BooleanField(_("inline"), default=False)
    case_attachment = models.ForeignKey(
        "cases.CaseAttachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("e-mail attachment")
        verbose_name_plural = _("e-mail attachments")
        ordering = ["message", "id"]

    def __str__(self) -> str:
        return self.original_name


from okienko.channels.chat.models import AgentPresence, ChatMessage, ChatSession  # noqa: E402, F401  (live chat)
from okienko.channels.eforms.models import EForm, EFormSubmission  # noqa: E402, F401  (the e-forms part)
from okienko.channels.sms.models import SmsSender  # noqa: E402  (a model of the SMS part of this app)

__all__ = ["InboundAttachment", "InboundMessage", "Mailbox", "SmsSender"]
