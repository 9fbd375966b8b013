"""Outbox subscribers of the integrations (discovered by ``core.events.autodiscover_subscribers``)."""

from okienko.integrations.webhooks import subscribers as webhooks  # noqa: F401
