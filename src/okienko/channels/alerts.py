"""An alert on the desk's start page for the administrators of a mailbox whose mail cannot be
fetched (IMAP server down, password refused): the trace of an outage is seen, not only logged."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from okienko.accounts import access
from okienko.accounts.access import user_of
from okienko.accounts.roles import Perm
from okienko.channels.models import Mailbox
from okienko.core.actors import Actor
from okienko.core.navigation import HomeAlert


def mailbox_trouble(user: Actor) -> list[HomeAlert]:
    staff = user_of(user)
    if staff is None or not staff.is_staff or not staff.has_perm("channel_adapters.view_mailbox"):
        return []
    failing = Mailbox.objects.polled().exclude(last_error="")
    if not staff.is_superuser:
        failing = failing.filter(organisation__in=access.organisations_with(user, Perm.CONFIGURE))
    return [
        HomeAlert(
            _("Mail for %(address)s cannot be fetched: %(error)s")
            % {"address": mailbox.address, "error": mailbox.last_error[:120]},
            reverse("admin:channel_adapters_mailbox_change", args=[mailbox.pk]),
            "danger",
        )
        for mailbox in failing.order_by("address")[:10]
    ]
