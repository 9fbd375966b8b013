"""Several users per employer (issue 19, item 1): the employer's team on the portal.

An active owner (``EmployerMembership.Role.OWNER``) invites a colleague by e-mail; the link holds a
random token of which only a SHA-256 is stored (``EmployerInvitation.token_hash``), valid for
``INVITATION_DAYS``. Whoever opens it sets a password (a new employer's portal account, its
address verified by the invitation) or, signed in already as an employer's account with that
address, just accepts; either way a membership with the invited role is made. The owner cancels a
pending invitation and switches members off and on again, never themself nor the last active
owner. A recruiter sees the team and changes nothing.

Every change runs in one transaction and appends an audit entry (``jobs.invitation_*``,
``jobs.employer_member_*``); the actor is the portal acting for the signed-in account, whose id is
in the entry's data, as in ``jobs.seekers.actions``. The invited address is not written to the
audit log (the invitation it names holds it). Invitations closed (accepted, cancelled or expired)
more than ``KEEP_DAYS`` ago are deleted every night (``jobs.tasks.purge_invitations``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import User
from okienko.core import audit, clock
from okienko.core.actors import SCHEDULER
from okienko.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from okienko.jobs import actions as job_actions
from okienko.jobs.models import Employer, EmployerInvitation, EmployerMembership
from okienko.jobs.seekers.models import PortalAccount
from okienko.jobs.seekers.signin import ACTOR

INVITATION_DAYS = 7
MAX_PENDING = 20  # open invitations of one employer at a time
MAX_PER_DAY = 30  # invitations one employer sends in 24 hours
KEEP_DAYS = 90  # an accepted, cancelled or expired invitation (and its address) is deleted after this
Role = EmployerMembership.Role
SEEKER_ADDRESS = _(
    "This address belongs to a job seeker's account, which cannot act for an employer. "
    "Ask the employer to invite a different address."
)


class InvitationGone(DomainError):
    """The invitation was accepted, cancelled or has expired (``reason`` says which)."""

    status = 410
    slug = "gone"
    default_message = _("This invitation can no longer be used.")

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


@dataclass(frozen=True)
class Member:
    """One row of the team page."""

    membership: EmployerMembership
    email: str
    is_me: bool


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _audit(action: str, account: PortalAccount | None, obj: Any, employer: Employer, **data: Any) -> None:
    audit.record(
        action,
        actor=ACTOR,
        obj=obj,
        organisation_id=employer.office_id,
        data={"portal_account": account.pk if account else None, "employer": employer.pk, **data},
    )


# --- Who may do what ---------------------------------------------------------------------------


def membership_of(account: PortalAccount) -> EmployerMembership | None:
    """The account's active membership (the employer it acts for), as ``seekers.employer_of``."""
    if account.kind != PortalAccount.Kind.EMPLOYER:
        return None
    return (
        EmployerMembership.objects.select_related("employer", "employer__office")
        .filter(user_id=account.user_id, active=True)
        .order_by("pk")
        .first()
    )


def is_owner(membership: EmployerMembership | None) -> bool:
    return membership is not None and membership.active and membership.role == Role.OWNER


def _owner_membership(account: PortalAccount) -> EmployerMembership:
    membership = membership_of(account)
    if membership is None:
        raise NotFound(_("You do not act for an employer."))
    if not is_owner(membership):
        raise Forbidden(_("Only the administrator of the employer's account manages the team."))
    return membership


def members(employer: Employer, account: PortalAccount | None = None) -> list[Member]:
    """Everyone who acts or acted for ``employer``, active first, then by when they joined."""
    rows = (
        EmployerMembership.objects.filter(employer=employer)
        .select_related("user", "user__portal_account")
        .order_by("-active", "created_at", "pk")
    )
    found = []
    for membership in rows:
        portal = getattr(membership.user, "portal_account", None)
        email = (portal.email if portal is not None else "") or membership.user.email or ""
        found.append(Member(membership, email, account is not None and membership.user_id == account.user_id))
    return found


def pending(employer: Employer) -> list[EmployerInvitation]:
    return list(EmployerInvitation.objects.filter(employer=employer).pending(clock.now()).order_by("-created_at"))


# --- Inviting ----------------------------------------------------------------------------------


def _check_address(employer: Employer, email: str) -> None:
    """Refuse an address that cannot join ``employer``'s team (with the reason, on ``email``)."""
    account = PortalAccount.objects.select_related("user").filter(email__iexact=email).first()
    # A job seeker's address is not refused here: that would tell an employer who is looking for
    # work. The invitee learns on the invitation page that the address cannot be used.
    if account is not None and account.kind == PortalAccount.Kind.EMPLOYER:
        own = EmployerMembership.objects.filter(employer=employer, user_id=account.user_id).first()
        if own is not None and own.active:
            raise Conflict(_("This person is already in your team."), field="email")
        if own is not None:
            raise Conflict(
                _("This person is in your team but switched off: switch them on in the list of members."),
                field="email",
            )
        if EmployerMembership.objects.filter(user_id=account.user_id, active=True).exclude(employer=employer).exists():
            raise Conflict(
                _("This address belongs to a user of another employer. Invite a different address."), field="email"
            )


def invite(*, account: PortalAccount, email: str, role: str = Role.RECRUITER) -> tuple[EmployerInvitation, str]:
    """The owner invites ``email`` with ``role``: the invitation and the token for its link (the
    token is returned once and never stored)."""
    manager = _owner_membership(account)
    employer = manager.employer
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(_("Enter a valid e-mail address."), field="email") from exc
    if role not in Role.values:
        raise InvalidInput(_("Unknown role."), field="role")
    now = clock.now()
    with transaction.atomic():
        Employer.objects.select_for_update().filter(pk=employer.pk).first()  # one inviter at a time
        _check_address(employer, email)
        invitations = EmployerInvitation.objects.filter(employer=employer)
        if invitations.pending(now).filter(email__iexact=email).exists():
            raise Conflict(_("An invitation to this address is waiting. Cancel it to send a new one."), field="email")
        if invitations.pending(now).count() >= MAX_PENDING:
            raise Conflict(
                _("Your team has %(n)d invitations waiting. Cancel some before sending more.") % {"n": MAX_PENDING}
            )
        if invitations.filter(created_at__gte=now - dt.timedelta(days=1)).count() >= MAX_PER_DAY:
            raise Conflict(_("You have sent %(n)d invitations today; send more tomorrow.") % {"n": MAX_PER_DAY})
        token = secrets.token_urlsafe(32)
        invitation = EmployerInvitation.objects.create(
            employer=employer,
            email=email,
            role=role,
            invited_by=account.user,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + dt.timedelta(days=INVITATION_DAYS),
        )
        _audit("jobs.invitation_sent", account, invitation, employer, role=role)
    return invitation, token


def cancel(*, account: PortalAccount, invitation_uuid: str) -> EmployerInvitation:
    """The owner cancels a pending invitation (its link stops working at once)."""
    employer = _owner_membership(account).employer
    with transaction.atomic():
        try:
            invitation = EmployerInvitation.objects.select_for_update().get(employer=employer, uuid=invitation_uuid)
        except (EmployerInvitation.DoesNotExist, ValidationError, ValueError) as exc:
            raise NotFound(_("No such invitation.")) from exc
        if invitation.accepted_at is not None or invitation.cancelled_at is not None:
            raise Conflict(_("This invitation has already been accepted or cancelled."))
        invitation.cancelled_at = clock.now()
        invitation.save(update_fields=["cancelled_at"])
        _audit("jobs.invitation_cancelled", account, invitation, employer)
    return invitation


# --- Accepting ---------------------------------------------------------------------------------


def find(token: str, *, lock: bool = False) -> EmployerInvitation:
    """The pending invitation of ``token``: ``NotFound`` for an unknown token, ``InvitationGone``
    (reason ``accepted``, ``cancelled`` or ``expired``) for one that no longer works."""
    token = token.strip()
    if not token or len(token) > 200:
        raise NotFound(_("No such invitation."))
    queryset = EmployerInvitation.objects.select_related("employer", "employer__office")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise NotFound(_("No such invitation."))
    if invitation.accepted_at is not None:
        raise InvitationGone("accepted")
    if invitation.cancelled_at is not None:
        raise InvitationGone("cancelled")
    if invitation.expires_at <= clock.now():
        raise InvitationGone("expired")
    return invitation


def _new_user(email: str) -> User:
    user = User(username=f"portal-{uuid.uuid4().hex[:20]}", email=email)
    user.set_unusable_password()
    user.save()
    return user


def _join(invitation: EmployerInvitation, account: PortalAccount) -> EmployerMembership:
    employer = invitation.employer
    membership = job_actions.add_member(actor=ACTOR, employer=employer, user=account.user, role=invitation.role)
    invitation.accepted_at = clock.now()
    invitation.accepted_by = account.user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _audit("jobs.invitation_accepted", account, invitation, employer, role=invitation.role)
    return membership


def accept_with_password(*, token: str, password: str) -> PortalAccount:
    """A new employer's portal account for the invited address (verified by the invitation) and
    its membership. An address that has an account already must sign in and accept instead."""
    try:
        validate_password(password)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from exc
    try:
        with transaction.atomic():
            invitation = find(token, lock=True)
            if PortalAccount.objects.filter(email__iexact=invitation.email).exists():
                raise Conflict(
                    _("An account with this address exists. Sign in and open the link from the e-mail again.")
                )
            account = PortalAccount.objects.create(
                user=_new_user(invitation.email),
                kind=PortalAccount.Kind.EMPLOYER,
                email=invitation.email,
                password_hash=make_password(password),
                email_verified_at=clock.now(),
            )
            _audit("jobs_seekers.account_created", account, account, invitation.employer, by="invitation")
            _join(invitation, account)
    except IntegrityError as exc:  # the same address registered meanwhile
        raise Conflict(
            _("An account with this address exists. Sign in and open the link from the e-mail again.")
        ) from exc
    return account


def accept_signed_in(*, token: str, account: PortalAccount) -> EmployerMembership:
    """The signed-in employer's account with the invited address joins the team."""
    with transaction.atomic():
        invitation = find(token, lock=True)
        if account.kind != PortalAccount.Kind.EMPLOYER:
            raise Forbidden(SEEKER_ADDRESS)
        if (account.email or "").lower() != invitation.email.lower():
            raise Forbidden(_("This invitation is for a different e-mail address. Sign out and open the link again."))
        other = (
            EmployerMembership.objects.filter(user_id=account.user_id, active=True)
            .exclude(employer=invitation.employer)
            .exists()
        )
        if other:
            raise Conflict(_("Your account already acts for another employer."))
        if account.email_verified_at is None:
            account.email_verified_at = clock.now()
            account.save(update_fields=["email_verified_at"])
        return _join(invitation, account)


# --- Switching members off and on ---------------------------------------------------------------


def set_active(*, account: PortalAccount, membership_id: int, active: bool) -> EmployerMembership:
    """The owner switches a member off (they can no longer act for the employer) or on again;
    never themself, never the last active owner."""
    employer = _owner_membership(account).employer
    with transaction.atomic():
        # Two owners switching each other off at once: one waits for the other and sees it.
        Employer.objects.select_for_update().filter(pk=employer.pk).first()
        if not is_owner(EmployerMembership.objects.filter(employer=employer, user_id=account.user_id).first()):
            raise Forbidden(_("Only the administrator of the employer's account manages the team."))
        target = EmployerMembership.objects.select_related("user").filter(employer=employer, pk=membership_id).first()
        if target is None:
            raise NotFound(_("No such member."))
        if target.active == active:
            return target
        if not active:
            if target.user_id == account.user_id:
                raise Conflict(_("You cannot switch yourself off."))
            owners = EmployerMembership.objects.filter(employer=employer, role=Role.OWNER, active=True)
            if target.role == Role.OWNER and not owners.exclude(pk=target.pk).exists():
                raise Conflict(_("The employer's account needs at least one active administrator."))
        target.active = active
        target.save(update_fields=["active"])
        _audit(
            "jobs.employer_member_reactivated" if active else "jobs.employer_member_deactivated",
            account,
            employer,
            employer,
            membership=target.pk,
            user_id=target.user_id,
            role=target.role,
        )
    return target


# --- Retention --------------------------------------------------------------------------------


def purge_old_invitations(*, days: int = KEEP_DAYS) -> int:
    """Delete invitations accepted, cancelled or expired more than ``days`` ago (they hold an
    e-mail address and serve nothing any more; the audit log keeps that they existed). Returns
    how many were deleted; one audit entry per employer."""
    cutoff = clock.now() - dt.timedelta(days=days)
    old = EmployerInvitation.objects.filter(
        models.Q(accepted_at__lt=cutoff) | models.Q(cancelled_at__lt=cutoff) | models.Q(expires_at__lt=cutoff)
    )
    deleted = 0
    with transaction.atomic():
        for employer in Employer.objects.filter(pk__in=old.values("employer_id")):
            ids = list(old.filter(employer=employer).values_list("pk", flat=True))
            EmployerInvitation.objects.filter(pk__in=ids).delete()
            deleted += len(ids)
            audit.record(
                "jobs.invitations_purged",
                actor=SCHEDULER,
                obj=employer,
                organisation_id=employer.office_id,
                data={"invitations": ids, "older_than_days": days},
            )
    return deleted
