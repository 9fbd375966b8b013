"""Models of the integration sub-packages (one Django app, label ``integrations``)."""

from okienko.integrations.open311.models import Open311Intake, Open311Submission
from okienko.integrations.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = ["Open311Intake", "Open311Submission", "WebhookDelivery", "WebhookSubscription"]
