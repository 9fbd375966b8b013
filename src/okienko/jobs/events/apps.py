from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobEventsConfig(AppConfig):
    name = "okienko.jobs.events"
    label = "jobs_events"
    verbose_name = _("Trainings and job fairs")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register

        register(NavItem("desk:jobs_events", _("Trainings and events"), Perm.JOBS_EVENTS, order=310))
