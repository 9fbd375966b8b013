"""The Celery application: Redis in production, a SQLite file broker in the embedded run."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

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
    "registry-imports": {"task": "okienko.contracting_registry.import_batches", "schedule": 30.0},
    "registry-import-files-purge": {"task": "okienko.contracting_registry.purge_import_files", "schedule": 86400.0},
    "exchange-push": {"task": "okienko.contracting_exchange.push", "schedule": 30.0},
    "exchange-retry-waiting": {"task": "okienko.contracting_exchange.retry_waiting", "schedule": 300.0},
    "jobs-expire-offers": {"task": "okienko.jobs.expire_offers", "schedule": 3600.0},
    "jobs-alert-digests": {"task": "okienko.jobs.alerts.send_digests", "schedule": crontab(hour=8, minute=0)},
    "jobs-events-archive": {"task": "okienko.jobs.events.archive_past", "schedule": crontab(hour=3, minute=40)},
    "jobs-purge-invitations": {"task": "okienko.jobs.purge_invitations", "schedule": crontab(hour=3, minute=50)},
    "reports-send-packs": {"task": "okienko.reports.send_packs", "schedule": 900.0},  # once per period each
    "reports-detect-hotspots": {"task": "okienko.reports.detect_hotspots", "schedule": 3600.0},  # early warning
    "reports-repair-rollups": {"task": "okienko.reports.repair_rollups", "schedule": crontab(hour=2, minute=30)},
    "reports-run-exports": {"task": "okienko.reports.run_exports", "schedule": 60.0},  # sweep after a lost wake-up
    "reports-purge-exports": {"task": "okienko.reports.purge_exports", "schedule": 3600.0},
    "reports-flush-rollups": {"task": "okienko.reports.flush_rollups", "schedule": 60.0},
    "reports-refresh-calls": {"task": "okienko.reports.refresh_calls", "schedule": 300.0},
    "jobs-appointment-reminders": {
        "task": "okienko.jobs.appointments.send_reminders",
        "schedule": crontab(hour="16-20", minute=5),
    },
}
app.autodiscover_tasks()
