"""Files attached to a case, checked before they are stored."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from okienko.accounts.access import user_of
from okienko.cases import access, files
from okienko.cases.actions.base import _lock, _payload, _timeline
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case, CaseAttachment
from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.core.errors import Forbidden


def add_attachment(
    *, actor: Actor, case: Case, name: str, data: bytes, public: bool = False, as_client: bool = False
) -> CaseAttachment:
    """Store a file after checking its real type, size and the virus scanner's verdict.

    ``as_client`` marks a file sent by the public with its report (the portal), with no staff actor.
    """
    try:
        checked = files.check(data)
    except files.UploadRejected as exc:
        if exc.reason.startswith("virus:"):
            audit.record(
                "case.attachment_rejected",
                actor=actor,
                obj=case,
                organisation_id=case.organisation_id,
                data={"reason": exc.reason.removeprefix("virus:"), "name": name[:200]},
            )
        raise CaseInputError({"file": exc.message}) from exc
    with transaction.atomic():
        case = _lock(case, None)
        if not as_client and not access.actor_kinds(actor, case):
            raise Forbidden(_("You may not add files to this case."))
        attachment = CaseAttachment(case=case, is_public=public, uploaded_by=user_of(actor), created_at=clock.now())
        # stored under a clean name with the extension of the real type, never the sender's ``page.html``
        attachment.store(data, checked, sent_name=name)
        audit.record(
            "case.attachment_added",
            actor=actor,
            obj=case,
            organisation_id=case.organisation_id,
            data={"attachment": str(attachment.uuid), "type": checked.content_type, "size": checked.size},
        )
        _timeline(
            case,
            "attachment",
            actor,
            _("File added: %(name)s") % {"name": attachment.original_name},
            public=public,
            attachment=str(attachment.uuid),
        )
        events.emit(
            "case.updated", obj=case, organisation_id=case.organisation_id, payload=_payload(case, change="attachment")
        )
    return attachment
