from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "okienko.jobs"
    label = "jobs"
    verbose_name = _("Jobs: employers and job offers")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register

        register(NavItem("desk:jobs_moderation", _("Job offers"), Perm.JOBS_MODERATE, order=300))
