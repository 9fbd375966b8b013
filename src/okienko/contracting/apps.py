from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractingConfig(AppConfig):
    name = "okienko.contracting"
    label = "contracting"
    verbose_name = _("Kontraktor: contracts with employment agencies")
