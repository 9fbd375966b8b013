from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "okienko.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from okienko.accounts.models import Organisation
        from okienko.api.models import ApiToken
        from okienko.catalogue.models import Service, ServiceQuestion, ServiceQuestionChoice
        from okienko.core import memo

        def forget(**_kwargs: object) -> None:
            memo.clear_all()

        # The Open311 intake keeps these rows per process for seconds; a change here is seen at once.
        for model in (Organisation, ApiToken, Service, ServiceQuestion, ServiceQuestionChoice):
            post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"open311-memo-{model.__name__}")
            post_delete.connect(forget, sender=model, weak=False, dispatch_uid=f"open311-memo-del-{model.__name__}")
