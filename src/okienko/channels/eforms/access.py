"""May this member of staff see this e-form submission? (one question per function)"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.channels.eforms.models import EFormSubmission
from okienko.core import audit
from okienko.core.actors import Actor


def can_view(user: Actor, submission: EFormSubmission) -> bool:
    """Staff who record contacts and may see clients' data in the receiving office; a submission
    naming no known office (an unknown form) is for superusers only."""
    if submission.organisation is None:
        return bool(getattr(user, "is_superuser", False))
    return access.has_perm_in(user, Perm.INTERACTIONS_RECORD, submission.organisation) and access.has_perm_in(
        user, Perm.CLIENTS_VIEW, submission.organisation
    )


def access_submission(user: Actor, submission_id: Any, *, purpose: str = "") -> EFormSubmission:
    """The submission if ``user`` may see it (access logged); else 404 as if it did not exist,
    the refused attempt logged."""
    try:
        submission = EFormSubmission.objects.select_related("organisation", "form", "case").get(pk=int(submission_id))
    except (EFormSubmission.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("submission") from exc
    if not can_view(user, submission):
        audit.record_denied(user, submission, organisation_id=submission.organisation_id, purpose=purpose)
        raise Http404("submission")
    audit.record_access(user, submission, organisation_id=submission.organisation_id, purpose=purpose)
    return submission
