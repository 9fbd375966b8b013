from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="okienko.channels.poll_mailboxes", ignore_result=True)
def poll_mailboxes() -> list[dict[str, Any]]:
    """Fetch new mail from every active IMAP mailbox (idempotent: each message is taken once)."""
    from okienko.channels.email import imap

    return [{"mailbox": r.mailbox, "fetched": r.fetched, "error": r.error} for r in imap.poll_all()]
