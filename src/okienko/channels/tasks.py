from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="okienko.channels.poll_mailboxes", ignore_result=True)
def poll_mailboxes() -> list[dict[str, Any]]:
    """Fetch new mail from every active IMAP mailbox (idempotent: each message is taken once)."""
    from okienko.channels.email import imap

    return [{"mailbox": r.mailbox, "fetched": r.fetched, "error": r.error} for r in imap.poll_all()]


@shared_task(name="okienko.channels.receive_sms", ignore_result=True)
def receive_sms() -> dict[str, int]:
    """Take what the SMS gateway received (messages and delivery reports) and process it."""
    from okienko.channels.sms import gateways, inbound
    from okienko.core import context

    with context.channel("sms"):
        return inbound.process(gateways.gateway().receive())


@shared_task(name="okienko.channels.receive_eforms", ignore_result=True)
def receive_eforms() -> dict[str, int]:
    """Take the e-form submissions dropped into the inbox folder (each file once; ADR 0056)."""
    from okienko.channels.eforms import dropfolder
    from okienko.core import context

    with context.channel("eform"):
        return dropfolder.process_inbox().as_dict()


@shared_task(name="okienko.channels.sweep_chats", ignore_result=True)
def sweep_chats() -> int:
    """Queue again the chats of consultants whose console went quiet past the grace period (the
    timer of the process that served them may have gone with it); tell their participants."""
    from asgiref.sync import async_to_sync

    from okienko.channels.chat import service
    from okienko.channels.chat.consumers import announce
    from okienko.core import context

    with context.channel("chat"):
        moved = service.sweep()
    for session in moved:
        async_to_sync(announce)(session)
    return len(moved)
