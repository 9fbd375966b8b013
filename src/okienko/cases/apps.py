from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "okienko.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core.navigation import NavItem, register

        register(NavItem("cases:mine", _("My cases"), Perm.CASES_WORK, "2", order=20))
        register(NavItem("cases:team", _("Team queue"), Perm.CASES_WORK, "3", order=21))
        register(NavItem("cases:new", _("New case"), Perm.CASES_OPEN, "", order=22))
        register(NavItem("cases:scope", _("Cases in my scope"), Perm.CASES_VIEW, "", order=23))

        from okienko.cases.merge import move_cases_to_survivor
        from okienko.clients.actions import register_merge_hook

        register_merge_hook("cases", move_cases_to_survivor)

        from okienko.cases.alerts import escalations
        from okienko.core.navigation import register_alerts

        register_alerts(escalations)

        from okienko.accounts.models import OfficeHours, Organisation
        from okienko.cases.models import RoutingRule
        from okienko.catalogue.models import ServiceHours
        from okienko.core import memo

        # Routing rules and calendars are kept per process for seconds (routing.py, sla.py).
        memo.forget_on_save(RoutingRule, ServiceHours, OfficeHours, Organisation, uid="cases-memo")

        from okienko.cases import panels

        panels.register()

        from okienko.cases import finders, home_panels

        finders.register()
        home_panels.register()
