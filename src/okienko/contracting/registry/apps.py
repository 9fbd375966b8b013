from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractingRegistryConfig(AppConfig):
    name = "okienko.contracting.registry"
    label = "contracting_registry"
    verbose_name = _("Registry of the unemployed")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register

        # The labour office's contract managers: imports from Syriusz and the registered people.
        register(NavItem("desk:registry_people", _("Registered unemployed"), Perm.CONTRACTING_OFFICE, order=300))
