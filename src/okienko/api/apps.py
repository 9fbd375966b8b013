from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "okienko.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        from okienko.api import schema  # noqa: F401 - registers the OpenAPI auth extension
        from okienko.api.problems import refused
        from okienko.core.limits import register_responder

        register_responder("/api/", refused)
