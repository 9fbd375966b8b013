from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyIvrConfig(AppConfig):
    name = "okienko.telephony.ivr"
    label = "telephony_ivr"
    verbose_name = _("IVR flows")

    def ready(self) -> None:
        from okienko.core.navigation import register_alerts
        from okienko.telephony.ivr.alerts import pin_locks

        register_alerts(pin_locks)
