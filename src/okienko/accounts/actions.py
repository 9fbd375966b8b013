"""Writes about staff and organisations; each audited in one transaction."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from okienko.accounts.models import Membership, Organisation, User
from okienko.core import audit, events
from okienko.core.actors import Actor


def grant_role(
    *, actor: Actor, user: User, organisation: Organisation, role: str, include_descendants: bool = True
) -> Membership:
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role, defaults={"include_descendants": include_descendants}
        )
        if created:
            audit.record(
                "accounts.role_granted",
                actor=actor,
                obj=user,
                organisation_id=organisation.pk,
                data={"role": role, "organisation": organisation.code},
            )
            events.emit("staff.role_granted", obj=user, organisation_id=organisation.pk, payload={"role": role})
    return membership


def start_totp_enrolment(*, actor: User) -> TOTPDevice:
    """Create an unconfirmed TOTP device (replacing an earlier unconfirmed one)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)
        audit.record("accounts.2fa_enrolment_started", actor=actor, obj=actor, kind="security")
    return device


def confirm_totp_enrolment(*, actor: User, device: TOTPDevice, token: str) -> bool:
    with transaction.atomic():
        if not device.verify_token(token):
            audit.record("accounts.2fa_enrolment_failed", actor=actor, obj=actor, kind="security")
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record("accounts.2fa_enabled", actor=actor, obj=actor, kind="security")
    return True
