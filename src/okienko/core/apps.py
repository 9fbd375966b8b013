from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "okienko.core"
    label = "core"
    verbose_name = _("Core: audit log and events")

    def ready(self) -> None:
        # Register the outbox subscribers of every installed app.
        from okienko.core import events

        events.autodiscover_subscribers()
