"""Files attached to articles: each upload checked (``core.uploads``), every change audited."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from okienko.accounts.access import user_of
from okienko.core import audit, clock, events, uploads
from okienko.core.actors import Actor
from okienko.knowledge.actions.articles import _require_editor
from okienko.knowledge.errors import InvalidAttachment
from okienko.knowledge.models import Article, Attachment


def max_bytes() -> int:
    return int(getattr(settings, "KNOWLEDGE_MAX_ATTACHMENT_BYTES", uploads.DEFAULT_MAX_BYTES))


def add_attachment(*, actor: Actor, article: Article, name: str, data: bytes, title: str = "") -> Attachment:
    """Store ``data`` as a file of ``article`` after checking its real type, size and the virus
    scanner's verdict; raise ``InvalidAttachment`` with a message for the editor otherwise."""
    _require_editor(actor, article.organisation)
    original_name = uploads.safe_name(name)
    try:
        checked = uploads.check(data, max_bytes=max_bytes())
    except uploads.UploadRejected as exc:
        audit.record(
            "knowledge.attachment_rejected",
            actor=actor,
            obj=article,
            organisation_id=article.organisation_id,
            data={"name": original_name, "reason": exc.reason, "size": len(data)},
        )
        raise InvalidAttachment(exc.message) from exc
    # Shown and downloaded under a clean name with the extension of the real type (never the
    # sender's ``page.html`` for a GIF); the name as sent stays in the audit entry.
    stored_name = uploads.display_name(name, checked.content_type)
    with transaction.atomic():
        attachment = Attachment(
            article=article,
            title=" ".join(title.split())[:200] or stored_name,
            uploaded_by=user_of(actor),
            created_at=clock.now(),
        )
        attachment.store(data, checked, sent_name=name, save=False)
        try:
            attachment.save()
            audit.record(
                "knowledge.attachment_added",
                actor=actor,
                obj=article,
                organisation_id=article.organisation_id,
                data={
                    "attachment": str(attachment.uuid),
                    "title": attachment.title,
                    "name": stored_name,
                    "sent_name": original_name,
                    "type": checked.content_type,
                    "size": checked.size,
                    "sha256": checked.sha256,
                },
            )
            events.emit(
                "knowledge.attachment_added",
                obj=article,
                organisation_id=article.organisation_id,
                payload={"article": article.pk, "uuid": str(article.uuid), "attachment": str(attachment.uuid)},
            )
        except BaseException:
            attachment.file.storage.delete(attachment.file.name)
            raise
    return attachment


def remove_attachment(*, actor: Actor, attachment: Attachment) -> None:
    """Delete the attachment; the stored file goes once the deletion has committed."""
    article = attachment.article
    _require_editor(actor, article.organisation)
    storage, stored_name = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        audit.record(
            "knowledge.attachment_removed",
            actor=actor,
            obj=article,
            organisation_id=article.organisation_id,
            data={
                "attachment": str(attachment.uuid),
                "title": attachment.title,
                "name": attachment.original_name,
                "sha256": attachment.sha256,
            },
        )
        events.emit(
            "knowledge.attachment_removed",
            obj=article,
            organisation_id=article.organisation_id,
            payload={"article": article.pk, "uuid": str(article.uuid), "attachment": str(attachment.uuid)},
        )
        attachment.delete()
        if stored_name:
            transaction.on_commit(lambda: storage.delete(stored_name))
