"""The desk's chat console: the queue of waiting chats of the consultant's offices, their own
availability and limit, a chat's conversation with knowledge suggestions from the visitor's words,
and storing it as a contact, opening a case from it, closing it, mailing its transcript (ADR 0057)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okienko.accounts import access
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Perm
from okienko.channels.chat import broadcast, service
from okienko.channels.chat.models import AgentPresence, ChatMessage, ChatSession
from okienko.core import audit, errors
from okienko.core.errors import DomainError
from okienko.desk.chat_mail import send_transcript
from okienko.knowledge.search.service import search

SUGGESTIONS = 5


def _user(request: HttpRequest) -> User:
    if not access.has_perm_anywhere(request.user, Perm.INTERACTIONS_RECORD):
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)
    assert isinstance(request.user, User)
    return request.user


def _session(request: HttpRequest, pk: int, purpose: str) -> ChatSession:
    """The chat if the consultant may see it (access logged); else 404, the attempt logged."""
    session = ChatSession.objects.select_related("organisation", "agent").filter(pk=pk).first()
    if session is None:
        raise Http404("chat")
    if not service.can_take(request.user, session.organisation):
        audit.record_denied(request.user, session, organisation_id=session.organisation_id, purpose=purpose)
        raise Http404("chat")
    audit.record_access(request.user, session, organisation_id=session.organisation_id, purpose=purpose)
    return session


def _offices(user: User) -> list[Organisation]:
    recording = access.organisations_with(user, Perm.INTERACTIONS_RECORD)
    return list(access.organisations_with(user, Perm.CLIENTS_VIEW).filter(pk__in=recording)[:200])


@login_required
@require_GET
def console_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    for moved in service.sweep():
        tell(moved)
    if request.GET.get("part") == "queue":  # the console refreshing its queue (flash messages kept)
        queue = list(service.queue_for(user).order_by("started_at")[:100])
        return render(request, "desk/chat/_queue.html", {"queue": queue})
    offices = _offices(user)
    presence = {p.organisation_id: p for p in AgentPresence.objects.filter(user=user)}
    rows = [(office, presence.get(office.pk)) for office in offices]
    return render(
        request,
        "desk/chat/console.html",
        {
            "offices": rows,
            "queue": list(service.queue_for(user).order_by("started_at")[:100]),
            "mine": list(
                ChatSession.objects.filter(agent=user, status=ChatSession.Status.ACTIVE).select_related("organisation")
            ),
            "capacity_choices": range(1, 11),
        },
    )


@login_required
@require_POST
def presence_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    office = Organisation.objects.filter(code=request.POST.get("org", "")[:60]).first()
    try:
        capacity = int(request.POST.get("capacity", "2"))
    except ValueError:
        capacity = 0
    try:
        if office is None:
            raise errors.InvalidInput(_("Unknown office."), field="org")
        service.set_presence(user, office, online=request.POST.get("online") == "1", capacity=capacity)
    except DomainError as exc:
        errors.report(request, exc)
    else:
        messages.success(request, _("Your chat availability is saved."))
    return redirect("chat:console")


@login_required
@require_GET
def session_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, "chat")
    lines = list(session.messages.order_by("sequence"))
    return render(
        request,
        "desk/chat/session.html",
        {
            "chat": session,
            "lines": lines,
            "suggestions": _suggestions(request.user, session, lines),
            "mine": session.agent_id == request.user.pk,
        },
    )


def _suggestions(user: Any, session: ChatSession, lines: list[ChatMessage]) -> list[dict[str, str]]:
    """Articles matching the visitor's last words (their last three lines)."""
    words = " ".join([m.text for m in lines if m.sender == ChatMessage.Sender.VISITOR][-3:])[-500:]
    if not words.strip():
        return []
    found = search(words, user=user, organisation=session.organisation.code, limit=SUGGESTIONS, expand=True)
    if not found.results:  # a long question rarely matches every word: fall back to the last line
        found = search(words.split("\n")[-1][-200:], user=user, limit=SUGGESTIONS)
    return [
        {"title": r.article.title, "url": reverse("knowledge:article", args=[r.article.uuid])} for r in found.results
    ]


@login_required
@require_GET
def suggestions_view(request: HttpRequest, pk: int) -> JsonResponse:
    session = _session(request, pk, "chat suggestions")
    lines = list(session.messages.filter(sender=ChatMessage.Sender.VISITOR).order_by("-sequence")[:3])[::-1]
    return JsonResponse({"suggestions": _suggestions(request.user, session, lines)})


def _act(request: HttpRequest, pk: int, purpose: str, action: Any, done: str) -> HttpResponse:
    session = _session(request, pk, purpose)
    try:
        changed = action(session.pk, request.user)
    except DomainError as exc:
        errors.report(request, exc)
        return redirect("chat:session", pk=session.pk)
    messages.success(request, done)
    tell(changed)
    return redirect("chat:session", pk=session.pk)


def tell(session: ChatSession) -> None:
    """Tell the chat's participants its new line and state, and the queue it changed."""
    group = broadcast.session_group(session.pk)
    for line in service.messages_after(session.pk, session.last_sequence - 1):
        broadcast.send_sync(group, line)
    broadcast.send_sync(group, service.public_state(session))
    broadcast.send_sync(
        broadcast.queue_group(session.organisation_id), broadcast.queue_changed(session.organisation_id)
    )


@login_required
@require_POST
def accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "chat accept", service.accept, _("You have taken the chat."))


@login_required
@require_POST
def close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "chat close", service.close, _("The chat is closed."))


@login_required
@require_POST
def record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Store the chat as a contact; with ``case``, go on to open a case from it."""
    session = _session(request, pk, "chat record")
    try:
        interaction = service.record_transcript(session.pk, _user(request))
    except DomainError as exc:
        errors.report(request, exc)
        return redirect("chat:session", pk=session.pk)
    if request.POST.get("case"):
        return redirect(f"{reverse('cases:new')}?interaction={interaction.uuid}")
    messages.success(request, _("The chat is stored in the contact history."))
    return redirect("chat:session", pk=session.pk)


@login_required
@require_POST
def transcript_view(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail the transcript to the address the visitor gave (on their request)."""
    session = _session(request, pk, "chat transcript")
    try:
        send_transcript(session, email=request.POST.get("email", ""), actor=_user(request))
    except DomainError as exc:
        errors.report(request, exc)
    else:
        messages.success(request, _("The transcript is on its way."))
    return redirect("chat:session", pk=session.pk)
