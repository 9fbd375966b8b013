from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "okienko.interactions"
    label = "interactions"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register

        register(NavItem("interactions:callbacks", _("My callbacks"), Perm.INTERACTIONS_RECORD, order=12))

        from okienko.interactions import panels

        panels.register()

        from okienko.clients.actions import register_merge_hook
        from okienko.interactions.models import Callback, Interaction

        register_merge_hook("interactions", lambda merged, survivor: _move(Interaction, merged, survivor))
        register_merge_hook("callbacks", lambda merged, survivor: _move(Callback, merged, survivor))


def _move(model: type[Any], merged: Any, survivor: Any) -> int:
    """A client merge moves the merged record's contacts and callbacks to the survivor."""
    moved: int = model.objects.filter(client=merged).update(client=survivor)
    return moved
