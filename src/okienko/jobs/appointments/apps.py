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
        # The schedules: read by the same consultants, changed by supervisors and administrators
        # (``access.may_manage``); administrators do not hold the jobs permission, hence both items.
        register(NavItem("desk:appointment_schedules", _("Appointment schedules"), Perm.JOBS_MODERATE, order=302))
        register(NavItem("desk:appointment_schedules", _("Appointment schedules"), Perm.CONFIGURE, order=302))
