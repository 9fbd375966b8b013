"""The Celery application: Redis in production, a SQLite file broker in the embedded run."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")

app = Celery("okienko")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    "outbox-sweep": {"task": "okienko.core.process_outbox", "schedule": 15.0},
    "cases-escalate": {"task": "okienko.cases.escalate_cases", "schedule": 300.0},
    "heartbeat": {"task": "okienko.core.heartbeat", "schedule": 30.0},
    "webhooks-deliver": {"task": "okienko.integrations.deliver_webhooks", "schedule": 15.0},
    "open311-intake": {"task": "okienko.integrations.drain_open311_intake", "schedule": 10.0},
    "api-idempotency-purge": {"task": "okienko.api.purge_idempotency_keys", "schedule": 3600.0},
    "sms-receive": {"task": "okienko.channels.receive_sms", "schedule": 10.0},
    "notifications-send": {"task": "okienko.notifications.send", "schedule": 15.0},
    "knowledge-review-reminders": {"task": "okienko.knowledge.remind_reviews", "schedule": 3600.0},
    "email-poll-mailboxes": {"task": "okienko.channels.poll_mailboxes", "schedule": 30.0},
    "eforms-receive": {"task": "okienko.channels.receive_eforms", "schedule": 10.0},
    "chat-sweep": {"task": "okienko.channels.sweep_chats", "schedule": 30.0},
    "telephony-purge-recordings": {"task": "okienko.telephony.purge_recordings", "schedule": 86400.0},
    "contracting-retention-checks": {"task": "okienko.contracting.remind_retention_checks", "schedule": 3600.0},
}
app.autodiscover_tasks()
