"""Issuing and revoking API tokens (audited)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from okienko.accounts.models import Membership, Organisation, User
from okienko.accounts.roles import Role
from okienko.api.models import ApiToken, Scope
from okienko.core import audit, clock, events

TOKEN_PREFIX = "okn"  # noqa: S105 - a public marker, not a secret


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


def issue_api_token(
    *,
    actor: Any,
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
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
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


def revoke_api_token(*, actor: Any, token: ApiToken) -> ApiToken:
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
