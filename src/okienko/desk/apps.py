from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "okienko.desk"
    label = "desk"
    verbose_name = _("Staff desk")

    def ready(self) -> None:
        from okienko.accounts.roles import Perm
        from okienko.core import panels, work_panels
        from okienko.core.navigation import NavItem, register
        from okienko.desk import mail_panels, phone_panels

        register(NavItem("desk:inbox", _("Inbox"), Perm.INTERACTIONS_RECORD, order=13))
        register(NavItem("desk:mail_queue", _("E-mail"), Perm.INTERACTIONS_RECORD, order=14))
        register(NavItem("chat:console", _("Chat"), Perm.INTERACTIONS_RECORD, order=15))
        register(NavItem("desk:eforms", _("E-forms"), Perm.INTERACTIONS_RECORD, order=16))
        # Kontraktor (issue 17): the office's contracts and the agency's desk.
        register(NavItem("desk:contracting_contracts", _("Contracts"), Perm.CONTRACTING_OFFICE, order=299))
        register(NavItem("desk:contracting_contracts", _("Contracts"), Perm.CONTRACTING_AGENCY, order=299))
        # Management reporting (issue 20): the dashboard for the offices whose reports one may see.
        register(NavItem("desk:reports", _("Reports"), Perm.REPORTS_VIEW, order=74))
        panels.register(
            panels.Panel(panels.DESK_HOME, "desk.mail_waiting", work_panels.WORK_PANEL, mail_panels.waiting, order=25)
        )
        # The phone's sound (issue 16): voicemail for the offices' staff, prompts and recordings for supervisors.
        register(NavItem("desk:phone_voicemail", _("Voicemail"), Perm.INTERACTIONS_RECORD, order=36))
        register(NavItem("desk:phone_prompts", _("Phone prompts"), Perm.QUEUES_SUPERVISE, order=77))
        register(NavItem("desk:phone_recordings", _("Call recordings"), Perm.QUEUES_SUPERVISE, order=78))
        panels.register(
            panels.Panel(
                panels.CLIENT_CARD,
                "telephony.recordings",
                phone_panels.PANEL_TEMPLATE,
                phone_panels.client_recordings,
                order=60,
            )
        )
