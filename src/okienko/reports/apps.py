from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "okienko.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from okienko.reports import adhoc_exports  # noqa: F401  (registers the exports' work queue)
