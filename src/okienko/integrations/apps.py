from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "okienko.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from okienko.accounts.models import Organisation
        from okienko.accounts.tokens import ApiToken
        from okienko.catalogue.models import Service, ServiceQuestion, ServiceQuestionChoice
        from okienko.core import memo
        from okienko.core.limits import register_responder
        from okienko.integrations.open311 import queue  # noqa: F401 - registers its work queue
        from okienko.integrations.open311.views import input_refused
        from okienko.integrations.webhooks import delivery  # noqa: F401 - registers its work queue

        # The Open311 intake keeps these rows per process for seconds; a change here is seen at once.
        memo.forget_on_save(Organisation, ApiToken, Service, ServiceQuestion, ServiceQuestionChoice, uid="open311-memo")
        register_responder("/open311/", input_refused)
