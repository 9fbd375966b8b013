# mypy: disable-error-code="no-untyped-call"
"""The chat's WebSocket ends over the in-memory channel layer: lines both ways, typing, replay
after reconnecting, the limits, text never HTML, and a consultant's dropped console."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from okienko.channels.chat import service
from okienko.channels.chat.models import MAX_TEXT, ChatMessage, ChatSession
from okienko.core.errors import Conflict
from tests.chat.conftest import Desk, agent_socket, start, visitor_socket

pytestmark = [pytest.mark.django_db(transaction=True)]


def in_own_thread(coroutine_function: Any) -> None:
    """Run an async scenario to its end on a thread of its own: the browser tests' Playwright keeps
    an event loop in the main thread of a test worker, where ``async_to_sync`` refuses to run."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(async_to_sync(coroutine_function)).result(timeout=120)


def run(scenario: Any) -> None:
    async def wrapped() -> None:
        layer = get_channel_layer()
        await layer.flush()
        await scenario()

    in_own_thread(wrapped)


async def until(socket: Any, kind: str, timeout: float = 2) -> dict[str, Any]:
    """The next frame of type ``kind`` (skipping others)."""
    while True:
        frame: dict[str, Any] = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame


def test_visitor_and_agent_exchange_lines(desk: Desk) -> None:
    session = start(desk, name="Ewa")

    async def scenario() -> None:
        agent = agent_socket(desk.agent)
        assert (await agent.connect())[0]
        visitor = visitor_socket(session)
        assert (await visitor.connect())[0]
        assert (await until(visitor, "state"))["status"] == "waiting"
        await database_sync_to_async(service.accept)(session.pk, desk.agent)
        await agent.send_json_to({"type": "watch", "session": session.pk, "after": 0})
        joined = await until(agent, "message")
        assert joined["sender"] == "system"
        assert joined["seq"] == 1
        await visitor.send_json_to({"type": "message", "text": "Dzień dobry, mam pytanie o zasiłek"})
        got = await until(agent, "message")
        assert (got["sender"], got["text"], got["seq"]) == ("visitor", "Dzień dobry, mam pytanie o zasiłek", 2)
        assert (await until(visitor, "message"))["seq"] == 2  # the visitor's own line comes back numbered
        await agent.send_json_to({"type": "message", "session": session.pk, "text": "Chętnie pomogę."})
        answer = await until(visitor, "message")
        assert (answer["sender"], answer["text"], answer["seq"]) == ("agent", "Chętnie pomogę.", 3)
        await visitor.disconnect()
        await agent.disconnect()

    run(scenario)
    assert list(ChatMessage.objects.filter(session=session).values_list("sequence", flat=True)) == [1, 2, 3]


def test_typing_reaches_the_other_side_only(desk: Desk) -> None:
    session = start(desk)
    service.accept(session.pk, desk.agent)

    async def scenario() -> None:
        agent = agent_socket(desk.agent)
        await agent.connect()
        visitor = visitor_socket(session)
        await visitor.connect()
        await until(visitor, "state")
        await visitor.send_json_to({"type": "typing", "active": True})
        typing = await until(agent, "typing")
        assert typing == {"type": "typing", "session": session.pk, "sender": "visitor", "active": True}
        assert await visitor.receive_nothing(timeout=0.2)
        await agent.send_json_to({"type": "typing", "session": session.pk, "active": True})
        assert (await until(visitor, "typing"))["sender"] == "agent"
        await visitor.disconnect()
        await agent.disconnect()

    run(scenario)


def test_a_reconnecting_visitor_gets_the_lines_after_the_last_seen(desk: Desk) -> None:
    session = start(desk)
    service.accept(session.pk, desk.agent)
    for text in ("jeden", "dwa", "trzy"):
        service.post_message(session.pk, ChatMessage.Sender.AGENT, text, author=desk.agent)

    async def scenario() -> None:
        visitor = visitor_socket(session, after=2)  # saw the join line and "jeden"
        await visitor.connect()
        replayed = [await visitor.receive_json_from(timeout=2) for _ in range(3)]
        assert [(f["type"], f.get("text")) for f in replayed] == [
            ("message", "dwa"),
            ("message", "trzy"),
            ("state", None),
        ]
        await visitor.send_json_to({"type": "resume", "after": 3})
        assert (await until(visitor, "message"))["text"] == "trzy"
        await visitor.disconnect()

    run(scenario)


def test_capacity_limits_how_many_chats_an_agent_takes(desk: Desk) -> None:
    service.set_presence(desk.agent, desk.office, online=True, capacity=1)
    first, second = start(desk, "v1"), start(desk, "v2")
    service.accept(first.pk, desk.agent)
    assert service.free_agents(desk.office) == 0
    assert not service.availability(desk.office.code).available
    with pytest.raises(Conflict):
        service.accept(second.pk, desk.agent)
    second.refresh_from_db()
    assert second.status == ChatSession.Status.WAITING


def test_a_visitor_opening_50_chats_is_refused(desk: Desk) -> None:
    opened, refused = 0, 0
    for _ in range(50):
        try:
            start(desk, "greedy")
            opened += 1
        except service.TooManyChats:
            refused += 1
    assert (opened, refused) == (service.max_open_per_visitor(), 50 - service.max_open_per_visitor())
    # and from many cookies but one address
    for i in range(20):
        try:
            start(desk, f"cookie-{i}")
        except service.TooManyChats:
            break
    assert ChatSession.objects.filter(visitor_ip="192.0.2.1").count() == service.max_open_per_ip()


def test_oversized_lines_and_frames_are_refused(desk: Desk) -> None:
    session = start(desk)

    async def scenario() -> None:
        visitor = visitor_socket(session)
        await visitor.connect()
        await until(visitor, "state")
        await visitor.send_json_to({"type": "message", "text": "x" * (MAX_TEXT + 1)})
        error = await until(visitor, "error")
        assert error["code"] == "validation-error"
        await visitor.send_to(text_data="y" * 20_000)
        assert (await until(visitor, "error"))["code"] == "too_large"
        await visitor.send_to(text_data="not json")
        assert (await until(visitor, "error"))["code"] == "bad_frame"
        await visitor.send_json_to({"type": "message", "text": 12})
        assert (await until(visitor, "error"))["code"] == "validation-error"
        await visitor.send_json_to({"type": "message", "text": "x" * MAX_TEXT})
        assert len((await until(visitor, "message"))["text"]) == MAX_TEXT
        await visitor.disconnect()

    run(scenario)
    assert ChatMessage.objects.filter(session=session).count() == 1


def test_a_flood_from_one_chat_is_slowed(desk: Desk, settings: Any) -> None:
    settings.CHAT_RATE_LIMIT = (3, 60)
    session = start(desk)
    for i in range(3):
        service.post_message(session.pk, "visitor", f"linia {i}")
    with pytest.raises(service.TooFast):
        service.post_message(session.pk, "visitor", "za dużo")


def test_html_stays_text(desk: Desk) -> None:
    session = start(desk)
    script = '<script>alert("x")</script><b>pogrubienie</b>'

    async def scenario() -> None:
        visitor = visitor_socket(session)
        await visitor.connect()
        await until(visitor, "state")
        await visitor.send_json_to({"type": "message", "text": script})
        assert (await until(visitor, "message"))["text"] == script  # verbatim: the client sets textContent
        await visitor.disconnect()

    run(scenario)
    assert ChatMessage.objects.get(session=session).text == script


def test_an_agent_closing_the_browser_returns_the_chat_to_the_queue(desk: Desk, settings: Any) -> None:
    settings.CHAT_AGENT_GRACE_SECONDS = 0.05
    session = start(desk)

    async def scenario() -> None:
        agent = agent_socket(desk.agent)
        await agent.connect()
        await database_sync_to_async(service.accept)(session.pk, desk.agent)
        visitor = visitor_socket(session)
        await visitor.connect()
        assert (await until(visitor, "state"))["status"] == "active"
        await agent.disconnect()
        state = await until(visitor, "state")
        assert state["status"] == "waiting"
        await visitor.disconnect()

    run(scenario)
    session.refresh_from_db()
    assert (session.status, session.agent_id) == (ChatSession.Status.WAITING, None)
    assert "utracił połączenie" in session.messages.order_by("-sequence").first().text  # type: ignore[union-attr]


def test_an_agent_back_within_the_grace_period_keeps_the_chat(desk: Desk, settings: Any) -> None:
    settings.CHAT_AGENT_GRACE_SECONDS = 0.3
    session = start(desk)

    async def scenario() -> None:
        agent = agent_socket(desk.agent)
        await agent.connect()
        await database_sync_to_async(service.accept)(session.pk, desk.agent)
        await agent.disconnect()
        await asyncio.sleep(0.05)
        again = agent_socket(desk.agent)
        await again.connect()
        await asyncio.sleep(0.5)
        await again.disconnect()

    run(scenario)
    session.refresh_from_db()
    # the second console's own grace timer has not run out yet (0.3 s after its disconnect)
    assert session.status == ChatSession.Status.ACTIVE


def test_strangers_are_refused(desk: Desk, make_user: Any) -> None:
    session = start(desk)
    nobody = make_user("nobody")

    async def scenario() -> None:
        for user in (nobody, None):
            socket = agent_socket(user)
            connected, code = await socket.connect()
            assert not connected
            assert code == 4403
        bad = visitor_socket(session)
        bad.scope["path"] = bad.scope["path"].replace(session.token, "x" * 40)
        bad.scope["raw_path"] = bad.scope["path"].encode()
        connected, code = await bad.connect()
        assert not connected
        outsider = agent_socket(desk.outsider)
        await outsider.connect()
        await outsider.send_json_to({"type": "watch", "session": session.pk})
        assert (await until(outsider, "error"))["code"] == "not-found"
        await outsider.send_json_to({"type": "message", "session": session.pk, "text": "hej"})
        assert (await until(outsider, "error"))["code"] == "not-found"
        await outsider.disconnect()

    run(scenario)
    assert not ChatMessage.objects.filter(session=session).exists()


def test_the_visitor_leaving_ends_the_chat(desk: Desk) -> None:
    session = start(desk)

    async def scenario() -> None:
        visitor = visitor_socket(session)
        await visitor.connect()
        await until(visitor, "state")
        await visitor.send_json_to({"type": "leave"})
        assert (await until(visitor, "state"))["status"] == "abandoned"
        await visitor.disconnect()

    run(scenario)
    session.refresh_from_db()
    assert session.status == ChatSession.Status.ABANDONED


def _redis_up() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.3):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.parametrize(
    "backend", ["channels_redis.pubsub.RedisPubSubChannelLayer", "channels_redis.core.RedisChannelLayer"]
)
def test_with_channels_redis_a_line_from_another_process_reaches_the_visitor(
    desk: Desk, settings: Any, backend: str
) -> None:
    """Production runs several ASGI processes over channels-redis (pub/sub by default, the list
    layer also works): a line broadcast by another process's layer reaches this process's visitor."""
    from channels.layers import channel_layers
    from django.utils.module_loading import import_string

    prefix = f"okienko-test-{uuid.uuid4().hex[:8]}"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": backend,
            "CONFIG": {"hosts": ["redis://127.0.0.1:6379/15"], "prefix": prefix},
        }
    }
    channel_layers.backends.clear()
    session = start(desk)
    service.accept(session.pk, desk.agent)
    try:

        async def scenario() -> None:
            visitor = visitor_socket(session)
            await visitor.connect()
            await until(visitor, "state")
            other_process = import_string(backend)(hosts=["redis://127.0.0.1:6379/15"], prefix=prefix)
            line = await database_sync_to_async(service.post_message)(
                session.pk, "agent", "Z innego procesu", author=desk.agent
            )
            await other_process.group_send(
                f"chat.session.{session.pk}", {"type": "chat.event", "event": service.as_event(line)}
            )
            assert (await until(visitor, "message"))["text"] == "Z innego procesu"
            await visitor.disconnect()
            await other_process.flush()

        in_own_thread(scenario)
    finally:
        channel_layers.backends.clear()


def test_the_periodic_sweep_returns_chats_whose_consultant_went_quiet(desk: Desk, settings: Any) -> None:
    """The server that held the consultant's console died with its grace timer: the scheduler's
    sweep queues the chat again, once."""
    import datetime as dt

    from okienko.channels.chat.models import AgentPresence
    from okienko.channels.tasks import sweep_chats
    from okienko.core import clock

    def sweep() -> int:  # the task tells the chats through async_to_sync: not on a worker's event loop
        with ThreadPoolExecutor(max_workers=1) as pool:
            moved: int = pool.submit(sweep_chats).result(timeout=30)
        return moved

    session = start(desk)
    service.accept(session.pk, desk.agent)
    assert sweep() == 0  # the console is alive
    AgentPresence.objects.filter(user=desk.agent).update(last_seen=clock.now() - dt.timedelta(hours=1))
    assert sweep() == 1
    assert sweep() == 0
    session.refresh_from_db()
    assert (session.status, session.agent_id) == (ChatSession.Status.WAITING, None)
