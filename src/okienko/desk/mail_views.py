"""The 1st line's e-mail triage: received messages that found no case by themselves wait here to be
claimed, linked to a client (suggested by address), answered (with a knowledge article), turned
into a case or added to one, or marked as spam or done. The raw message and its files are there
for the staff who may handle it. Everything is a plain form: keyboard first, no script needed."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from okienko.accounts import access as accounts_access
from okienko.accounts.roles import Perm
from okienko.cases.models import Case
from okienko.cases.workflow import OPEN_STATUSES
from okienko.catalogue.models import Service
from okienko.channels import access
from okienko.channels.email import actions
from okienko.channels.models import InboundAttachment, InboundMessage
from okienko.clients.models import Client
from okienko.core.errors import DomainError
from okienko.knowledge.models import Article
from okienko.knowledge.search.service import search
from okienko.notifications.models import Event
from okienko.notifications.service import Message, Recipient, notify

S = InboundMessage.Status
FILTERS = {
    "waiting": Q(status__in=[S.TRIAGE, S.LINKED]),
    "quarantined": Q(status=S.QUARANTINED),
    "spam": Q(status=S.SPAM),
    "done": Q(status__in=[S.DONE, S.CASE_CREATED, S.THREADED]),
}
PAGE = 100
_REPLY_PREFIX = re.compile(r"^\s*((re|odp|aw|fw|fwd|pd)\s*:\s*)+", re.IGNORECASE)


def _require_triage(request: HttpRequest) -> None:
    if not accounts_access.has_perm_anywhere(request.user, Perm.INTERACTIONS_RECORD):
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)


def _visible(request: HttpRequest) -> QuerySet[InboundMessage]:
    return InboundMessage.objects.visible_to(request.user).select_related("mailbox", "claimed_by", "client", "case")


@login_required
def mail_queue_view(request: HttpRequest) -> HttpResponse:
    _require_triage(request)
    shown = request.GET.get("show", "waiting")
    if shown == "mine":
        rows = _visible(request).filter(FILTERS["waiting"], claimed_by_id=request.user.pk)
    else:
        shown = shown if shown in FILTERS else "waiting"
        rows = _visible(request).filter(FILTERS[shown])
    ordering = ["received_at", "id"] if shown in ("waiting", "mine") else ["-received_at", "-id"]
    found = list(rows.order_by(*ordering)[: PAGE + 1])
    counts = {name: _visible(request).filter(q).count() for name, q in FILTERS.items() if name != "done"}
    return render(
        request,
        "desk/mail/queue.html",
        {"messages_found": found[:PAGE], "more": len(found) > PAGE, "shown": shown, "counts": counts},
    )


def _suggested_articles(request: HttpRequest, message: InboundMessage) -> list[Article]:
    text = f"{message.subject} {message.body[:300]}".strip()
    if not text:
        return []
    try:
        found = search(text, user=request.user, audience=Article.Audience.PUBLIC, limit=5)
    except Exception:  # noqa: BLE001 - a search failure must not take the triage page down
        return []
    return [result.article for result in found.results]


def _services(message: InboundMessage) -> QuerySet[Service]:
    return Service.objects.for_organisation(message.organisation).filter(active=True).order_by("public_name")


@login_required
def mail_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = access.access_message(request.user, pk, purpose="triage")
    if request.method == "POST":
        return _act(request, message)
    context: dict[str, Any] = {
        "message": message,
        "attachments": list(message.attachments.all()),
        "open": message.status in (S.TRIAGE, S.LINKED, S.RECEIVED, S.QUARANTINED),
        "claimed_by_other": message.claimed_by_id not in (None, request.user.pk),
        "suggestions": actions.client_suggestions(request.user, message) if message.client_id is None else [],
        "services": _services(message),
        "articles": _suggested_articles(request, message),
        "raw_allowed": access.can_download_raw(request.user, message),
    }
    return render(request, "desk/mail/detail.html", context)


def _act(request: HttpRequest, message: InboundMessage) -> HttpResponse:
    what = request.POST.get("action", "")
    back = redirect("desk:mail_detail", pk=message.pk)
    try:
        if what == "claim":
            actions.claim_message(actor=request.user, message=message, take_over=bool(request.POST.get("take_over")))
            messages.success(request, _("You are handling this message."))
        elif what == "release":
            actions.release_message(actor=request.user, message=message)
            messages.success(request, _("The message is back in the queue."))
        elif what == "link":
            client = _client(request, request.POST.get("client", ""))
            if client is None:
                messages.error(request, _("Choose a client from the list or type a client number."))
                return back
            actions.link_message_to_client(actor=request.user, message=message, client=client)
            messages.success(request, _("The message is linked to %(client)s.") % {"client": client})
        elif what == "case":
            service = _services(message).filter(pk=_int(request.POST.get("service")) or 0).first()
            if service is None:
                messages.error(request, _("Choose the matter of the case."))
                return back
            opened = actions.open_case_from_message(
                actor=request.user, message=message, service=service, description=request.POST.get("description", "")
            )
            messages.success(request, _("Case %(number)s is open.") % {"number": opened.number})
            return redirect("cases:detail", case_uuid=opened.uuid)
        elif what == "add":
            case = _case(request, message, request.POST.get("case", ""))
            if case is None:
                messages.error(request, _("No open case with this number that you may work on."))
                return back
            actions.add_message_to_case(actor=request.user, message=message, case=case)
            messages.success(request, _("The message was added to case %(number)s.") % {"number": case.number})
            return redirect("cases:detail", case_uuid=case.uuid)
        elif what == "answer":
            if not _answer(request, message):
                return back
            messages.success(request, _("The answer is on its way to %(address)s.") % {"address": message.from_address})
            return redirect("desk:mail_queue")
        elif what == "spam":
            actions.mark_spam(actor=request.user, message=message)
            messages.success(request, _("Marked as spam."))
            return redirect("desk:mail_queue")
        elif what == "done":
            actions.mark_done(actor=request.user, message=message, note=request.POST.get("note", ""))
            messages.success(request, _("Marked as done."))
            return redirect("desk:mail_queue")
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return back


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _client(request: HttpRequest, value: str) -> Client | None:
    value = value.strip()
    if not value:
        return None
    clients = Client.objects.visible_to(request.user)
    return (
        clients.filter(uuid=value).first() if _looks_like_uuid(value) else clients.filter(number__iexact=value).first()
    )


def _looks_like_uuid(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", value))


def _case(request: HttpRequest, message: InboundMessage, number: str) -> Case | None:
    number = number.strip()
    if not number or len(number) > 60:
        return None
    return (
        Case.objects.visible_to(request.user)
        .filter(number__iexact=number, status__in=OPEN_STATUSES)
        .select_related("organisation")
        .first()
    )


def _answer(request: HttpRequest, message: InboundMessage) -> bool:
    """Send the client an answer (threaded onto their message) and close the message."""
    text = request.POST.get("answer", "").strip()
    article = None
    article_id = _int(request.POST.get("article"))
    if article_id is not None:
        article = (
            Article.objects.visible_to(request.user).filter(pk=article_id, audience=Article.Audience.PUBLIC).first()
        )
    if not text and article is None:
        messages.error(request, _("Write the answer or choose an article."))
        return False
    if len(text) > 10_000:
        messages.error(request, _("The answer is too long."))
        return False
    if not message.from_address:
        messages.error(request, _("The message has no sender address to answer."))
        return False
    site = str(settings.SITE_URL).rstrip("/")
    context = {
        "message": text,
        "subject": _REPLY_PREFIX.sub("", message.subject)[:150],
        "office": message.organisation.name,
        "office_phone": message.organisation.phone,
        "office_email": message.organisation.email,
        "case_number": message.case.number if message.case_id and message.case else "",
        "article_title": article.title if article else "",
        "article_link": site + reverse("knowledge_public:article", args=[article.slug]) if article else "",
    }
    references = " ".join(filter(None, [message.message_id, message.references]))
    notify(
        Message(
            event=Event.EMAIL_ANSWER,
            organisation=message.organisation,
            context=context,
            key=f"inbound:{message.pk}:answer",
            case=message.case,
            in_reply_to=references,
            thread_case_uuid=message.case.uuid if message.case_id and message.case else None,
        ),
        [Recipient(email=message.from_address, name=message.from_name, client=message.client)],
    )
    actions.mark_done(actor=request.user, message=message, note=_("Answered by e-mail."))
    return True


@login_required
def mail_raw_view(request: HttpRequest, pk: int) -> FileResponse:
    message = access.access_message(request.user, pk, purpose="raw download")
    if not access.can_download_raw(request.user, message):
        raise Http404("message")
    response = message.download()
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
    response["Content-Type"] = "message/rfc822"
    return response


@login_required
def mail_file_view(request: HttpRequest, pk: int, file_uuid: str) -> FileResponse:
    message = access.access_message(request.user, pk, purpose="attachment download")
    attachment = InboundAttachment.objects.filter(message=message, uuid=file_uuid).first()
    if attachment is None:
        raise Http404("file")
    return attachment.download()
