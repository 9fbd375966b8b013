from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelAdaptersConfig(AppConfig):
    name = "okienko.channels"
    # "channels" is Django Channels' label (real-time); ours must differ.
    label = "channel_adapters"
    verbose_name = _("Contact channels")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from okienko.channels.alerts import mailbox_trouble
        from okienko.core.navigation import register_alerts

        register_alerts(mailbox_trouble)
