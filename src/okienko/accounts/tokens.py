"""Credentials of systems: API tokens acting as service users, their scopes and their check.

Every surface a system calls uses them: the REST API, Open311, and the SMS callbacks, telephony
and contracting exchange to come, none of which should need the REST app (ADR 0044). Only a
SHA-256 digest of a secret is stored; the full token (``okn_<prefix>_<random>``) is shown once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Membership, Organisation, User
from okienko.accounts.roles import Role
from okienko.core import audit, clock, events
from okienko.core.actors import Actor

TOKEN_PREFIX = "okn"  # noqa: S105 - a public marker, not a secret
LAST_USE_RESOLUTION = dt.timedelta(minutes=1)


class Scope(models.TextChoices):
    """What a token may do; checked in addition to the roles of its service user."""

    CASES_READ = "cases:read", _("read cases")
    CASES_WRITE = "cases:write", _("open and work on cases")
    CLIENTS_READ = "clients:read", _("read clients")
    CLIENTS_WRITE = "clients:write", _("register and edit clients")
    INTERACTIONS_READ = "interactions:read", _("read contacts")
    INTERACTIONS_WRITE = "interactions:write", _("record contacts")
    CATALOGUE_READ = "catalogue:read", _("read the service catalogue")
    ORGANISATIONS_READ = "organisations:read", _("read organisations")
    USERS_READ = "users:read", _("read staff")
    WEBHOOKS_MANAGE = "webhooks:manage", _("manage webhook subscriptions")
    KNOWLEDGE_READ = "knowledge:read", _("read the knowledge base")
    OPEN311 = "open311:write", _("submit Open311 service requests")
    EFORMS_SUBMIT = "eforms:submit", _("deliver electronic forms (e-form submissions)")
    CONTRACTING_READ = "contracting:read", _("read Kontraktor contracts, participants and settlements")
    CONTRACTING_WRITE = "contracting:write", _("record activation, claims and data-sharing decisions in Kontraktor")
    REPORTS_READ = "reports:read", _("read management reports (case and contact figures)")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, at: dt.datetime) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )


class ApiToken(models.Model):
    """A secret one system uses to call Okienko for its organisation, as a service user."""

    name = models.CharField(_("name"), max_length=120, help_text=_("The system that uses the token."))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("hash of the secret"), max_length=64, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service user"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text=_("The token acts with this user's roles, limited to its organisation and scopes."),
    )
    scopes = models.JSONField(_("scopes"), default=list)
    rate_limit = models.PositiveIntegerField(_("requests per minute"), default=600)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        app_label = "accounts"
        db_table = "api_apitoken"  # the table keeps the name it had in the api app
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def is_usable(self, at: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class TokenRejected(Exception):
    """A presented token is not usable; ``message`` is lazy, so it reads in whatever language the
    caller's answer is written in."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the full token; shown once, never stored


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(raw: str) -> tuple[str, str] | None:
    """``okn_<prefix>_<secret>`` → (prefix, raw) or None when it does not look like a token."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], raw


def token_from_secret(raw: str) -> ApiToken:
    """The usable token for ``raw`` (its last use noted, to the minute), or ``TokenRejected``."""
    parsed = split_token(raw.strip())
    if parsed is None:
        raise TokenRejected(_("The API token is malformed."))
    prefix, full = parsed
    token = ApiToken.objects.select_related("user", "organisation").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest(full)):
        raise TokenRejected(_("The API token is not valid."))
    now = clock.now()
    if token.revoked_at is not None:
        raise TokenRejected(_("The API token has been revoked."))
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRejected(_("The API token has expired."))
    if not token.user.is_active:
        raise TokenRejected(_("The service user of this token is inactive."))
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def issue_api_token(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    user: User | None = None,
    role: str = Role.CONSULTANT,
    expires_at: dt.datetime | None = None,
    rate_limit: int = 600,
    secret: str | None = None,
) -> IssuedToken:
    """Create a token; without ``user`` a service user with ``role`` in ``organisation`` is created."""
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    prefix = secrets.token_hex(4)
    raw = secret or f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    parsed = split_token(raw)
    if parsed is None:
        raise ValueError("a given secret must look like okn_<prefix>_<random>")
    prefix = parsed[0]
    with transaction.atomic():
        if user is None:
            user = User.objects.create_user(
                username=f"api.{organisation.code}.{prefix}"[:150], first_name=name[:150], last_name="(API)"
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            Membership.objects.create(user=user, organisation=organisation, role=role)
        token = ApiToken.objects.create(
            name=name,
            prefix=prefix,
            secret_hash=digest(raw),
            organisation=organisation,
            user=user,
            scopes=sorted(set(scopes)),
            rate_limit=rate_limit,
            created_at=clock.now(),
            created_by=actor if isinstance(actor, User) and actor.is_authenticated else None,
            expires_at=expires_at,
        )
        audit.record(
            "api.token_issued",
            actor=actor,
            obj=token,
            organisation_id=organisation.pk,
            kind="security",
            data={"name": name, "scopes": token.scopes, "user": user.username},
        )
        events.emit("api.token_issued", obj=token, organisation_id=organisation.pk, payload={"token": token.pk})
    return IssuedToken(token=token, secret=raw)


def revoke_api_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        before = audit.snapshot(token, ["revoked_at"])
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            "api.token_revoked",
            actor=actor,
            obj=token,
            organisation_id=token.organisation_id,
            kind="security",
            changes=audit.diff(before, audit.snapshot(token, ["revoked_at"])),
        )
        events.emit("api.token_revoked", obj=token, organisation_id=token.organisation_id, payload={"token": token.pk})
    return token
