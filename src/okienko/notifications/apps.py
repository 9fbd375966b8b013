from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "okienko.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register
        from okienko.notifications import panels, queue  # noqa: F401  (registers the work queue)

        register(NavItem("notifications:templates", _("Message templates"), Perm.CONFIGURE, order=80))
        register(NavItem("notifications:surveys", _("Satisfaction"), Perm.CASES_WORK, order=70))
        panels.register()
