from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "okienko.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register

        register(NavItem("knowledge:search", _("Knowledge base"), Perm.KNOWLEDGE_READ_INTERNAL, "4", order=40))
        register(NavItem("knowledge:editor", _("Edit knowledge"), Perm.KNOWLEDGE_EDIT, "5", order=41))

        from okienko.core.navigation import register_alerts
        from okienko.knowledge.alerts import reviews_due

        register_alerts(reviews_due)

        from okienko.knowledge import panels

        panels.register()
