"""Messages on the case timeline: queued, sent, not sent or failed, each as an internal entry."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from okienko.cases.actions.timeline import Entry, add_entries
from okienko.notifications.models import Notification


def _summary(notification: Notification) -> str:
    what = {
        "event": notification.get_event_display(),
        "channel": notification.get_channel_display(),
        "to": notification.recipient,
    }
    status = notification.status
    if status == Notification.Status.SENT:
        return _("Message sent (%(channel)s to %(to)s): %(event)s") % what
    if status == Notification.Status.SUPPRESSED:
        return _("Message not sent: %(event)s — %(reason)s") % {**what, "reason": notification.status_reason}
    if status in (Notification.Status.FAILED, Notification.Status.BOUNCED):
        return _("Message not delivered (%(channel)s to %(to)s): %(event)s — %(reason)s") % {
            **what,
            "reason": notification.status_reason,
        }
    return _("Message queued (%(channel)s to %(to)s): %(event)s") % what


def note(notifications: Iterable[Notification]) -> int:
    """Put each case's notification on its timeline (in the site's language, like every entry)."""
    with override(settings.LANGUAGE_CODE):
        entries = [
            Entry(
                n.case_id,
                "message",
                _summary(n),
                {"notification": str(n.uuid), "status": n.status, "channel": n.channel},
            )
            for n in notifications
            if n.case_id is not None
        ]
    return add_entries(entries, actor_repr="Okienko") if entries else 0
