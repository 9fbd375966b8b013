"""Institution identity, partners and the message log of the exchange (issue 18, ADR 0063).

An installation may host several institutions (part 1's demo hosts two offices and two agencies);
each local institution has its own key pairs. A *partner* is an institution on another
installation, known here by an ordinary organisation (with its ``InstitutionProfile``) plus its
public keys, registered by exchanging institution cards and confirming the fingerprint out of band.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.core.files import StoredFile
from okienko.core.workqueue import Claimable


class KeyUse(models.TextChoices):
    SIGN = "sig", _("signing")
    ENCRYPT = "enc", _("encryption")


class InstitutionKey(models.Model):
    """A key pair of a local institution: Ed25519 to sign, X25519 to receive encrypted payloads.
    The private key is stored sealed (``core.secretbox``); ``kid`` is the RFC 7638 thumbprint.
    Rotation retires a key (no longer used to sign or to be encrypted to) and keeps it valid for
    verification and decryption until ``expires_at`` — the overlap."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="exchange_keys"
    )
    kid = models.CharField(_("key id"), max_length=64, unique=True)
    use = models.CharField(_("use"), max_length=3, choices=KeyUse.choices)
    algorithm = models.CharField(_("algorithm"), max_length=16)
    public_jwk = models.JSONField(_("public key"))
    private_sealed = models.TextField(_("private key (encrypted)"))
    created_at = models.DateTimeField(_("created"))
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("institution key")
        verbose_name_plural = _("institution keys")
        ordering: ClassVar = ["organisation_id", "use", "-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.use} {self.kid[:12]}"


class Partner(models.Model):
    """An institution on another installation. ``organisation`` is its local stand-in (contracts
    name it as the office or the agency); the keys come from its institution card. Messages are
    accepted only from a ``trusted`` partner — one whose fingerprint a person confirmed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting fingerprint confirmation")
        TRUSTED = "trusted", _("trusted")
        SUSPENDED = "suspended", _("suspended")

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="exchange_partner"
    )
    institution_id = models.CharField(_("institution identifier"), max_length=40, unique=True)
    endpoint = models.URLField(_("exchange endpoint"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    card = models.JSONField(_("institution card"), default=dict)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("fingerprint confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("partner institution")
        verbose_name_plural = _("partner institutions")

    def __str__(self) -> str:
        return str(self.organisation)


class PartnerKey(models.Model):
    """A partner's public key, from its card (or a later card it signed with a trusted key)."""

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="keys")
    kid = models.CharField(_("key id"), max_length=64)
    use = models.CharField(_("use"), max_length=3, choices=KeyUse.choices)
    algorithm = models.CharField(_("algorithm"), max_length=16)
    public_jwk = models.JSONField(_("public key"))
    added_at = models.DateTimeField(_("added"))
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner key")
        verbose_name_plural = _("partner keys")
        constraints: ClassVar = [models.UniqueConstraint(fields=["partner", "kid"], name="exchange_partner_key_once")]

    def __str__(self) -> str:
        return f"{self.partner} {self.use} {self.kid[:12]}"


class Direction(models.TextChoices):
    OUT = "out", _("sent")
    IN = "in", _("received")


class ExchangeMessage(models.Model):
    """Every message sent or received, and every package refused with its reason. The envelope is
    kept as evidence; a payload with personal data stays encrypted in it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        FAILED = "failed", _("failed")
        ACCEPTED = "accepted", _("accepted")
        APPLIED = "applied", _("applied")
        REFUSED = "refused", _("refused")

    class Transport(models.TextChoices):
        FILE = "file", _("file")
        HTTPS = "https", _("HTTPS")
        LOCAL = "local", _("within this installation")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    message_id = models.UUIDField(_("message id"), null=True, blank=True)
    correlation_id = models.UUIDField(_("correlation id"), null=True, blank=True, db_index=True)
    type = models.CharField(_("type"), max_length=40, blank=True)
    sender = models.CharField(_("sender"), max_length=40, blank=True)
    receiver = models.CharField(_("receiver"), max_length=40, blank=True)
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("local institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contract_uuid = models.CharField(_("contract"), max_length=36, blank=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=60, blank=True)
    payload_sha256 = models.CharField(_("payload hash"), max_length=64, blank=True)
    envelope_sha256 = models.CharField(_("envelope hash"), max_length=64, blank=True)
    created = models.DateTimeField(_("created by the sender"), null=True, blank=True)
    transport = models.CharField(_("transport"), max_length=5, choices=Transport.choices, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    envelope = models.TextField(_("envelope"), blank=True)
    # An outgoing body, sealed at rest with the installation's secret (``core.secretbox``): each
    # send attempt seals a fresh envelope (new times, the same message id and payload hash).
    body_sealed = models.TextField(_("body (encrypted at rest)"), blank=True)
    timestamp_token = models.TextField(_("time stamp (RFC 3161)"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("exchange message")
        verbose_name_plural = _("exchange messages")
        ordering: ClassVar = ["-recorded_at", "-id"]
        constraints: ClassVar = [
            # A message id is accepted once per sender: the replay guard holds in the database too.
            models.UniqueConstraint(
                fields=["direction", "sender", "message_id"],
                condition=~models.Q(status="refused"),
                name="exchange_message_once",
            )
        ]
        indexes: ClassVar = [models.Index(fields=["direction", "status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.type} {self.message_id}"


class PushDelivery(Claimable):
    """One outgoing message to push to a partner's HTTPS endpoint: an item of the ``exchange-push``
    work queue (``transport_https.PUSHES``). Each attempt seals a fresh envelope; the partner's
    answer is a signed ``ack`` that the receiving pipeline applies (our message becomes
    acknowledged or refused). Failures are retried with back-off and end as a dead letter."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        DELIVERED = "delivered", pgettext_lazy("delivery status", "delivered")
        DEAD = "dead", _("given up")
        CANCELLED = "cancelled", _("no longer needed")

    message = models.ForeignKey(
        ExchangeMessage, verbose_name=_("message"), on_delete=models.CASCADE, related_name="pushes"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("push to a partner")
        verbose_name_plural = _("pushes to partners")
        indexes: ClassVar = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"push {self.message_id} {self.status}"


# --- End of contract: data closing and certificates (issue 18, item 5) -------------------------


class DataClosure(models.Model):
    """One institution's closing of the other side's data it holds on a contract: scheduled when
    the contract ends (``contract.end``), done when the data is deleted or archived per the
    contract's policy. ``digest`` is the SHA-256 over the canonical JSON of the removed records."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        DONE = "done", pgettext_lazy("closure status", "done")

    contract = models.ForeignKey(
        "contracting.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="data_closures"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="+"
    )
    policy = models.CharField(_("policy"), max_length=8)
    ended_on = models.DateField(_("contract ended on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    records = models.PositiveIntegerField(_("records"), default=0)
    digest = models.CharField(_("digest (SHA-256)"), max_length=64, blank=True)
    notified_at = models.DateTimeField(_("end of contract notified"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("data closing")
        verbose_name_plural = _("data closings")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["contract", "organisation"], name="exchange_closure_once")
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.organisation} {self.status}"


class DataArchive(StoredFile):
    """The other side's records, archived at the end of a contract: a compact JWE encrypted to
    the institution's own X25519 key (``kid``), kept until ``retention_until``."""

    STORAGE_FOLDER: ClassVar[str] = "contracting/archives"

    closure = models.OneToOneField(
        DataClosure, verbose_name=_("data closing"), on_delete=models.PROTECT, related_name="archive"
    )
    kid = models.CharField(_("encryption key id"), max_length=64)
    records = models.PositiveIntegerField(_("records"))
    retention_until = models.DateField(_("kept until"))

    class Meta:
        verbose_name = _("data archive")
        verbose_name_plural = _("data archives")

    def __str__(self) -> str:
        return f"{self.closure} → {self.retention_until}"


class ContractCertificate(StoredFile):
    """A deletion/archival certificate: the signed statement (JSON, JWS) and the signed PDF (the
    stored file). Ours (``issued``) and the partner's (``received``, once verified)."""

    class Kind(models.TextChoices):
        DELETE = "delete", _("deletion")
        ARCHIVE = "archive", _("archival")

    STORAGE_FOLDER: ClassVar[str] = "contracting/certificates"

    contract = models.ForeignKey(
        "contracting.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="certificates"
    )
    issuer = models.ForeignKey(Organisation, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    statement = models.JSONField(_("statement"))
    statement_jws = models.TextField(_("signed statement (JWS)"))
    issued_at = models.DateTimeField(_("issued"))
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    message = models.ForeignKey(
        ExchangeMessage, verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("deletion/archival certificate")
        verbose_name_plural = _("deletion/archival certificates")
        ordering: ClassVar = ["contract", "issued_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["contract", "issuer"], name="exchange_certificate_once")
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.issuer} {self.kind}"
