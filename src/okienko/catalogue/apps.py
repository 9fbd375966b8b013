from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "okienko.catalogue"
    label = "catalogue"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from okienko.core.navigation import NavItem, register

        register(NavItem("catalogue:services", _("Service catalogue"), None, order=60))
