from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobAppointmentsConfig(AppConfig):
    name = "okienko.jobs.appointments"
    label = "jobs_appointments"
    verbose_name = _("Appointments at the office")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register
        from okienko.jobs.appointments import panels

        panels.register_panels()
        # Shown to the county offices' consultants (who hold the jobs permission); the page itself
        # checks Perm.CLIENTS_VIEW in an office with a schedule.
        register(NavItem("desk:appointments", _("Appointments"), Perm.JOBS_MODERATE, order=301))
