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
