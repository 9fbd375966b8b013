from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "okienko.clients"
    label = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register

        register(NavItem("clients:desk", _("Clients and contacts"), Perm.INTERACTIONS_RECORD, "1", order=10))

        from okienko.clients.search import register_finder

        register_finder()
