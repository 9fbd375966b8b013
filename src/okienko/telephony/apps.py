from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    name = "okienko.telephony"
    label = "telephony"
    verbose_name = _("Telephony")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register

        register(NavItem("phone:console", _("Phone"), Perm.INTERACTIONS_RECORD, order=35))
        register(NavItem("phone:wallboard", _("Wallboard"), Perm.QUEUES_SUPERVISE, order=75))
        register(NavItem("phone:reports", _("Call reports"), Perm.REPORTS_VIEW, order=76))

        from okienko.core.navigation import register_alerts
        from okienko.telephony.alerts import failures

        register_alerts(failures)
