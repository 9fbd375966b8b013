"""Stored responses of idempotent POSTs. API tokens and scopes live in ``accounts.tokens``
(ADR 0044); the names stay importable from here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from okienko.accounts.tokens import ApiToken, ApiTokenQuerySet, Scope

__all__ = ["ApiToken", "ApiTokenQuerySet", "IdempotencyRecord", "Scope"]


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
