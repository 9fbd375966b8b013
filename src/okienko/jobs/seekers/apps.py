from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobSeekersConfig(AppConfig):
    name = "okienko.jobs.seekers"
    label = "jobs_seekers"
    verbose_name = _("Portal accounts and CVs")

    def ready(self) -> None:
        from okienko.jobs.seekers import panels

        panels.register_panels()
