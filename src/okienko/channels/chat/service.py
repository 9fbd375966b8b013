"""What happens in a chat: starting it, its lines, a consultant taking it, closing it, returning it
to the queue, and whether anyone can take one now. Synchronous, each change in one transaction
with its audit entry; the consumers and views call these and then tell the channel layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Count
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okienko.accounts import access
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Perm
from okienko.channels.chat.models import MAX_TEXT, AgentPresence, ChatMessage, ChatSession
from okienko.core import audit, clock, events
from okienko.core.choices import Channel
from okienko.core.errors import Conflict, DomainError, InvalidInput
from okienko.core.models import AuditRecord
from okienko.interactions.actions import record_interaction
from okienko.interactions.models import Interaction

S = ChatSession.Status


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def max_open_per_visitor() -> int:
    return int(setting("CHAT_MAX_OPEN_PER_VISITOR", 3))


def max_open_per_ip() -> int:
    return int(setting("CHAT_MAX_OPEN_PER_IP", 10))


def rate_limit() -> tuple[int, int]:
    """At most this many visitor lines in this many seconds in one chat."""
    count, seconds = setting("CHAT_RATE_LIMIT", (10, 10))
    return int(count), int(seconds)


def agent_grace() -> float:
    """Seconds a consultant's dropped console has to come back before their chats are queued."""
    return float(setting("CHAT_AGENT_GRACE_SECONDS", 30))


def presence_ttl() -> int:
    """Seconds after the console's last sign of life that a consultant still counts as online."""
    return int(setting("CHAT_PRESENCE_TTL_SECONDS", 90))


class TooManyChats(DomainError):
    status = 429
    slug = "rate-limited"
    default_message = gettext_lazy("You have too many chats open; close one first.")


class TooFast(DomainError):
    status = 429
    slug = "rate-limited"
    default_message = gettext_lazy("You are sending messages too quickly; wait a moment.")


# --- Availability -----------------------------------------------------------------------------
def free_agents(organisation: Organisation) -> int:
    """How many consultants of ``organisation`` are online now with room for another chat."""
    since = clock.now() - dt.timedelta(seconds=presence_ttl())
    rows = AgentPresence.objects.filter(organisation=organisation, online=True, last_seen__gte=since)
    busy = dict(
        ChatSession.objects.filter(status=S.ACTIVE, agent__in=rows.values("user"))
        .values_list("agent")
        .annotate(n=Count("id"))
        .values_list("agent", "n")
    )
    return sum(1 for p in rows if busy.get(p.user_id, 0) < p.capacity)


def chat_organisation(code: str) -> Organisation | None:
    """The office a page belongs to; without one, the first office with a free consultant."""
    if code:
        return Organisation.objects.filter(code=code[:60]).first()
    since = clock.now() - dt.timedelta(seconds=presence_ttl())
    codes = (
        AgentPresence.objects.filter(online=True, last_seen__gte=since)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    for candidate in Organisation.objects.filter(pk__in=list(codes)).order_by("code"):
        if free_agents(candidate):
            return candidate
    return None


@dataclass
class Availability:
    organisation: Organisation | None
    available: bool


def availability(code: str) -> Availability:
    org = chat_organisation(code)
    return Availability(org, bool(org is not None and free_agents(org)))


# --- The visitor's side -----------------------------------------------------------------------
def start_session(
    *,
    organisation: Organisation,
    visitor_key: str,
    ip: str | None,
    name: str = "",
    email: str = "",
    page: str = "",
    transcript: bool = False,
) -> ChatSession:
    """Open a chat waiting for a consultant; refused past the limits of open chats per visitor
    and per address, and while nobody can take it."""
    open_chats = ChatSession.objects.open()
    if open_chats.filter(visitor_key=visitor_key).count() >= max_open_per_visitor() or (
        ip and open_chats.filter(visitor_ip=ip).count() >= max_open_per_ip()
    ):
        audit.record(
            "chat.refused",
            actor=None,
            organisation_id=None,
            data={"reason": "too_many", "ip": ip},
            kind=AuditRecord.Kind.SECURITY,
        )
        raise TooManyChats()
    if not free_agents(organisation):
        raise Conflict(_("No consultant is free now; please use the message form."))
    name, email = name.strip()[:100], email.strip()[:254]
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise InvalidInput(_("Enter a valid e-mail address."), field="email") from exc
    if transcript and not email:
        raise InvalidInput(_("Give your e-mail address to receive the transcript."), field="email")
    now = clock.now()
    with transaction.atomic():
        session = ChatSession.objects.create(
            organisation=organisation,
            visitor_key=visitor_key[:64],
            visitor_ip=ip or None,
            visitor_name=name,
            visitor_email=email,
            transcript_requested=transcript,
            started_at=now,
            page=page[:500],
        )
        audit.record(
            "chat.started",
            actor=None,
            obj=session,
            organisation_id=organisation.pk,
            data={"page": session.page, "transcript": transcript},
        )
    return session


def session_for_token(token: str) -> ChatSession | None:
    if not token or len(token) > 64:
        return None
    return ChatSession.objects.select_related("organisation").filter(token=token).first()


def clean_text(text: Any) -> str:
    if not isinstance(text, str):
        raise InvalidInput(_("A message must be text."), field="text")
    cleaned: str = text.replace("\x00", "").strip()
    if not cleaned:
        raise InvalidInput(_("The message is empty."), field="text")
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(_("A message may have at most %(n)d characters.") % {"n": MAX_TEXT}, field="text")
    return cleaned


def post_message(session_id: int, sender: str, text: Any, *, author: User | None = None) -> ChatMessage:
    """Add a line to an open chat, numbered after the last one. A visitor's lines are limited
    per chat (``CHAT_RATE_LIMIT``); a consultant writes only in a chat they took.

    The hot path of every chat, in three plain statements: the line's number is taken by an
    ``UPDATE … RETURNING`` that also checks the chat is open (and is the writer's) and holds the
    chat's row until the line is stored; a visitor's recent lines are counted; the line is
    inserted. The chat itself is read only to explain a refusal."""
    text = clean_text(text)
    now = clock.now()
    ops = connection.ops
    chats, lines = ops.quote_name(ChatSession._meta.db_table), ops.quote_name(ChatMessage._meta.db_table)
    number = f"UPDATE {chats} SET last_sequence = last_sequence + 1 WHERE id = %s AND status IN (%s, %s)"  # noqa: S608
    params: list[Any] = [session_id, S.WAITING, S.ACTIVE]
    if sender == ChatMessage.Sender.AGENT:
        number += " AND agent_id = %s"
        params.append(author.pk if author is not None else None)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(number + " RETURNING last_sequence", params)
        row = cursor.fetchone()
        if row is None:
            session = ChatSession.objects.get(pk=session_id)  # DoesNotExist for a chat that never was
            if not session.is_open:
                raise Conflict(_("This chat has ended."))
            raise Conflict(_("Take the chat before writing in it."))
        sequence = row[0]
        if sender == ChatMessage.Sender.VISITOR:
            count, seconds = rate_limit()
            cursor.execute(
                f"SELECT COUNT(*) FROM {lines} WHERE session_id = %s AND sender = %s AND created_at >= %s",  # noqa: S608
                [session_id, sender, ops.adapt_datetimefield_value(now - dt.timedelta(seconds=seconds))],
            )
            if cursor.fetchone()[0] >= count:
                raise TooFast()  # rolls the number back with the transaction
        author_id = author.pk if author is not None else None
        cursor.execute(
            f"INSERT INTO {lines} (session_id, sequence, sender, author_id, text, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            [session_id, sequence, sender, author_id, text, ops.adapt_datetimefield_value(now)],
        )
        message = ChatMessage(
            id=cursor.fetchone()[0],
            session_id=session_id,
            sequence=sequence,
            sender=sender,
            author_id=author_id,
            text=text,
            created_at=now,
        )
    message._state.adding = False
    return message


def _append(
    session: ChatSession, sender: str, text: str, *, author: User | None = None, now: dt.datetime | None = None
) -> ChatMessage:
    """Number and store a line (the caller holds the chat's row lock)."""
    session.last_sequence += 1
    session.save(update_fields=["last_sequence"])
    return ChatMessage.objects.create(
        session=session,
        sequence=session.last_sequence,
        sender=sender,
        author=author,
        text=text,
        created_at=now or clock.now(),
    )


def as_event(message: ChatMessage) -> dict[str, Any]:
    """A line as the clients receive it (the text is plain text: clients never parse it as HTML)."""
    return {
        "type": "message",
        "session": message.session_id,
        "seq": message.sequence,
        "sender": message.sender,
        "text": message.text,
        "at": message.created_at.isoformat(),
    }


def messages_after(session_id: int, after: int, limit: int = 500) -> list[dict[str, Any]]:
    rows = ChatMessage.objects.filter(session_id=session_id, sequence__gt=max(after, 0)).order_by("sequence")
    return [as_event(m) for m in rows[:limit]]


def visitor_leaves(session_id: int) -> ChatSession:
    """The visitor ends the chat: a chat nobody took is abandoned, a taken one closed."""
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().get(pk=session_id)
        if not session.is_open:
            return session
        status = S.CLOSED if session.status == S.ACTIVE else S.ABANDONED
        _end(session, status, actor=None, note=_("The visitor ended the chat."))
    return session


# --- The consultant's side --------------------------------------------------------------------
def can_take(user: Any, organisation: Organisation) -> bool:
    return access.has_perm_in(user, Perm.INTERACTIONS_RECORD, organisation) and access.has_perm_in(
        user, Perm.CLIENTS_VIEW, organisation
    )


def active_count(user: User) -> int:
    return ChatSession.objects.filter(agent=user, status=S.ACTIVE).count()


def capacity_of(user: User, organisation: Organisation) -> int:
    presence = AgentPresence.objects.filter(user=user, organisation=organisation).first()
    return presence.capacity if presence else 2


def accept(session_id: int, user: User) -> ChatSession:
    """``user`` takes a waiting chat, within their concurrency limit."""
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().select_related("organisation").get(pk=session_id)
        if not can_take(user, session.organisation):
            raise Conflict(_("You do not serve this office's chats."))
        if session.status != S.WAITING:
            raise Conflict(_("Another consultant has taken this chat, or it has ended."))
        if active_count(user) >= capacity_of(user, session.organisation):
            raise Conflict(_("You are at your limit of chats at once; close one first."))
        session.status, session.agent, session.accepted_at = S.ACTIVE, user, clock.now()
        session.save(update_fields=["status", "agent", "accepted_at"])
        name = user.get_full_name() or user.get_username()
        _append(session, ChatMessage.Sender.SYSTEM, _("%(name)s has joined the chat.") % {"name": name})
        audit.record("chat.accepted", actor=user, obj=session, organisation_id=session.organisation_id)
    return session


def close(session_id: int, user: User) -> ChatSession:
    """The consultant ends the chat."""
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().get(pk=session_id)
        if not session.is_open:
            raise Conflict(_("This chat has already ended."))
        if session.agent_id not in (None, user.pk):
            raise Conflict(_("Another consultant is handling this chat."))
        _end(session, S.CLOSED, actor=user, note=_("The consultant ended the chat."))
    return session


def _end(session: ChatSession, status: str, *, actor: User | None, note: str) -> None:
    session.status, session.closed_at = status, clock.now()
    session.save(update_fields=["status", "closed_at"])
    _append(session, ChatMessage.Sender.SYSTEM, note)
    audit.record(f"chat.{status}", actor=actor, obj=session, organisation_id=session.organisation_id)
    if session.transcript_requested and session.visitor_email and session.accepted_at:
        events.emit(
            "chat.transcript_requested",
            obj=session,
            organisation_id=session.organisation_id,
            payload={"session": session.pk},
        )


def return_to_queue(user_id: int, since: dt.datetime) -> list[ChatSession]:
    """Put back in the queue the chats of a consultant whose console has given no sign of life
    since ``since`` (they closed the browser); returns the chats moved."""
    if AgentPresence.objects.filter(user_id=user_id, last_seen__gt=since).exists():
        return []
    moved = []
    with transaction.atomic():
        for session in ChatSession.objects.select_for_update().filter(agent_id=user_id, status=S.ACTIVE):
            session.status, session.agent, session.accepted_at = S.WAITING, None, None
            session.save(update_fields=["status", "agent", "accepted_at"])
            _append(
                session,
                ChatMessage.Sender.SYSTEM,
                _("The consultant lost the connection; the chat waits for the next free consultant."),
            )
            audit.record(
                "chat.returned_to_queue",
                actor=None,
                obj=session,
                organisation_id=session.organisation_id,
                data={"consultant": user_id},
            )
            moved.append(session)
    return moved


def stale_agents() -> list[tuple[int, dt.datetime]]:
    """Consultants holding chats whose console went quiet longer than the grace period (their
    process may have gone with the timer): ``(user id, since)`` for :func:`return_to_queue`."""
    since = clock.now() - dt.timedelta(seconds=max(agent_grace(), presence_ttl()))
    holders = set(ChatSession.objects.filter(status=S.ACTIVE).values_list("agent_id", flat=True))
    alive = set(
        AgentPresence.objects.filter(user_id__in=holders, last_seen__gt=since).values_list("user_id", flat=True)
    )
    return [(uid, since) for uid in holders - alive if uid is not None]


def sweep() -> list[ChatSession]:
    """Queue again the chats of consultants gone quiet (run where the queue is looked at, so a
    timer lost with its process is made up for); returns the chats moved."""
    moved: list[ChatSession] = []
    for user_id, since in stale_agents():
        moved.extend(return_to_queue(user_id, since))
    return moved


def touch(user: User) -> None:
    """The consultant's console is alive (it connected or beat)."""
    AgentPresence.objects.filter(user=user).update(last_seen=clock.now())


def set_presence(user: User, organisation: Organisation, *, online: bool, capacity: int) -> AgentPresence:
    if not can_take(user, organisation):
        raise Conflict(_("You do not serve this office's chats."))
    if not 1 <= capacity <= 20:
        raise InvalidInput(_("Choose from 1 to 20 chats at once."), field="capacity")
    with transaction.atomic():
        presence, _created = AgentPresence.objects.select_for_update().get_or_create(
            user=user, organisation=organisation
        )
        before = audit.snapshot(presence, ["online", "capacity"])
        presence.online, presence.capacity, presence.last_seen = online, capacity, clock.now()
        presence.save()
        changes = audit.diff(before, audit.snapshot(presence, ["online", "capacity"]))
        if changes or _created:
            audit.record(
                "chat.presence_changed",
                actor=user,
                obj=presence,
                organisation_id=organisation.pk,
                changes=changes,
            )
    return presence


def queue_for(user: User) -> Any:
    """The waiting chats ``user`` may take, oldest first."""
    return ChatSession.objects.visible_to(user).filter(status=S.WAITING).select_related("organisation")


def transcript(session: ChatSession) -> str:
    """The chat as plain text, one line per message."""
    labels: dict[str, str] = {
        ChatMessage.Sender.VISITOR: session.visitor_name or _("Visitor"),
        ChatMessage.Sender.SYSTEM: "—",
    }
    lines = []
    for m in session.messages.select_related("author").order_by("sequence"):
        who = labels.get(m.sender) or (m.author.get_full_name() if m.author else "") or _("Consultant")
        lines.append(f"[{localtime(m.created_at):%H:%M}] {who}: {m.text}")
    return "\n".join(lines)


def record_transcript(session_id: int, user: User) -> Interaction:
    """Store the chat as a contact in the history (once; later calls return the same contact)."""
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().select_related("organisation").get(pk=session_id)
        if session.interaction_id:
            return Interaction.objects.get(pk=session.interaction_id)
        first = session.messages.filter(sender=ChatMessage.Sender.VISITOR).order_by("sequence").first()
        interaction = record_interaction(
            actor=user,
            channel=Channel.CHAT,
            organisation=session.organisation,
            question=first.text[:500] if first else "",
            notes=transcript(session),
            started_at=session.started_at,
            ended_at=session.closed_at or clock.now(),
            contact_name=session.visitor_name,
            contact_detail=session.visitor_email,
        )
        session.interaction = interaction
        session.save(update_fields=["interaction"])
        audit.record(
            "chat.recorded",
            actor=user,
            obj=session,
            organisation_id=session.organisation_id,
            data={"interaction": str(interaction.uuid)},
        )
    return interaction


def public_state(session: ChatSession) -> dict[str, Any]:
    return {"type": "state", "session": session.pk, "status": session.status, "last": session.last_sequence}
