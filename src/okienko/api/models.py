"""API tokens of external systems and stored responses of idempotent POSTs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Organisation


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


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, at: dt.datetime) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )


class ApiToken(models.Model):
    """A secret one system uses to call the API for its organisation, as a service user.

    Only a SHA-256 digest of the secret is stored; the full token is shown once when issued.
    """

    name = models.CharField(_("name"), max_length=120, help_text=_("The system that uses the token."))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
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
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def is_usable(self, at: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class IdempotencyRecord(models.Model):
    """The response to a POST sent with an ``Idempotency-Key``, replayed when the POST is retried."""

    principal = models.CharField(max_length=40)  # "token:<id>" or "user:<id>"
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField(default=0)  # 0 while the first request runs
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
