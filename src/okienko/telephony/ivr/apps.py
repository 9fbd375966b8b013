from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyIvrConfig(AppConfig):
    name = "okienko.telephony.ivr"
    label = "telephony_ivr"
    verbose_name = _("IVR flows")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register, register_alerts
        from okienko.telephony.ivr.alerts import pin_locks

        register_alerts(pin_locks)
        # The IVR editor (desk): supervisors and administrators alike.
        register(NavItem("ivr:flows", _("IVR flows"), Perm.QUEUES_SUPERVISE, order=77))
        register(NavItem("ivr:flows", _("IVR flows"), Perm.CONFIGURE, order=77))
