from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobAlertsConfig(AppConfig):
    name = "okienko.jobs.alerts"
    label = "jobs_alerts"
    verbose_name = _("Job alerts")
