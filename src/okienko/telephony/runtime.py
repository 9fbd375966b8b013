"""The live engine: calls through the IVR into the ACD and out to the consultants, on one asyncio
loop in the ``okienko telephony`` process — the one writer of queue and agent state.

Browsers reach it through the web server (``consumers``), one connection each, as a *peer* with a
verified :class:`~okienko.telephony.identity.Identity`: a softphone (places a call, presses digits,
hears — reads — the prompts), an agent's desk (state, the ringing call with its context, answer,
hang up) or a supervisor's wallboard. Everything the ACD does is an event: written to the log
(the database; replayed after a restart) and turned into messages for the peers concerned.

Database work runs on one worker thread (``sync_to_async``); the engine's state is touched only on
the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from asgiref.sync import sync_to_async
from django.utils.translation import gettext as _

from okienko.telephony import directory
from okienko.telephony.directory import QueueInfo
from okienko.telephony.engine import events as ev
from okienko.telephony.engine.acd import ACD, QueueConfig
from okienko.telephony.engine.adapter import (
    AUDIO,
    RECORD,
    SUPERVISION_MODES,
    Adapter,
    PromptSource,
    SimAdapter,
    Unsupported,
)
from okienko.telephony.engine.clock import AsyncioClock
from okienko.telephony.engine.events import CallEvent
from okienko.telephony.identity import Identity

log = logging.getLogger(__name__)

AGENT_GRACE = 20.0  # seconds a consultant's desk may be gone before they are logged out
ANNOUNCE_EVERY = 30.0  # seconds between position announcements to a waiting caller
WALLBOARD_EVERY = 1.0  # seconds between wallboard refreshes (when something changed)
REPLAY_HOURS = 12  # how much of the log rebuilds the state after a restart
MAX_CALLS_PER_PHONE = 1
MAX_MESSAGE = 120.0  # seconds a voicemail message may last on a line with audio
# An agent's phone for the day: a SIP URI or an Asterisk endpoint such as PJSIP/1001.
ENDPOINT = re.compile(
    r"sips?:[A-Za-z0-9_.!~*'()&=+$,;?/%\-]{1,64}@[A-Za-z0-9.\-\[\]:]{1,80}"
    r"|[A-Z]{2,10}/[A-Za-z0-9_.@\-]{1,64}"
)


class Peer(Protocol):
    identity: Identity

    async def send(self, message: dict[str, Any]) -> None: ...


@dataclass
class Call:
    id: str
    entry: str
    caller: str
    started: float
    phone: Peer | None = None
    client: str = ""
    client_number: str = ""
    office: str = ""
    queue: str = ""
    agent: str = ""
    state: str = "ivr"  # ivr | queued | ringing | connected | message | ended
    path: list[str] = field(default_factory=list)
    enqueued: float | None = None
    connected: float | None = None
    task: asyncio.Task[None] | None = None
    last_announce: float = 0.0
    flow: str = ""  # the code of the flow the call came through
    adapter: Any = None  # the adapter carrying the call: the simulator's or a real line's
    consent_played: bool = False  # the recording notice was played to the caller
    recording: bool = False
    supervisors: dict[str, str] = field(default_factory=dict)  # supervisor → listen|whisper|barge
    unbridged: bool = False  # the consultant's phone could not be connected: requeued, no contact


def _db(function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    return sync_to_async(function, thread_sensitive=True)


class Runtime:
    def __init__(
        self, *, rng: random.Random | None = None, adapter: SimAdapter | None = None, line: Adapter | None = None
    ) -> None:
        self.clock = AsyncioClock()
        self.rng = rng or random.Random()  # noqa: S311 - distribution tie-breaks, not secrets
        self.adapter = adapter or SimAdapter(events=self)  # the browser softphone's calls
        self.line: Adapter | None = line  # real calls (embedded SIP or Asterisk), when configured
        self.endpoints: dict[str, str] = {}  # agent → the phone they work on today (SIP URI / endpoint)
        self.acd: ACD = ACD(self.clock, self.rng, sink=self._on_event)
        self.calls: dict[str, Call] = {}
        self.info: dict[str, QueueInfo] = {}
        self.peers: dict[str, set[Peer]] = {}  # agent id → their desks
        self.boards: set[Peer] = set()
        self.names: dict[str, str] = {}  # agent id → name
        self._pending: list[CallEvent] = []
        self._dirty = True
        self._grace: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ids = itertools.count(1)
        self._today: dict[str, list[int]] = {}  # queue → [offered, answered within its time] today
        self._today_date = ""
        self._recorded: dict[str, dict[str, Any]] = {}  # call → what its recording is stored with
        self._voicemail: dict[str, dict[str, str]] = {}  # call → the box its message goes to
        self.prompts: PromptSource | None = None  # prompt audio (speech), when available
        self.prompt_url: Callable[[Path], str] = lambda path: ""
        self.endpoint_pattern = "sip:{user}@127.0.0.1"

    # -- start, stop, persistence ---------------------------------------------------------------

    async def start(self, *, replay: bool = True) -> None:
        loaded = await _db(directory.queues)()
        self._configure(loaded)
        if replay:
            since = time.time() - REPLAY_HOURS * 3600
            history = await _db(directory.load_events)(since)
            for event in history:
                self.count_today(event)
            if history:
                configs = [config for config, _info in loaded]
                self.acd = ACD.replay(history, self.clock, self.rng, configs, sink=self._on_event)
                self._adopt_replayed()
        for worker in (self._flusher, self._board_pusher, self._announcer, self._reloader):
            self._spawn(worker())

    def _configure(self, loaded: list[tuple[QueueConfig, QueueInfo]]) -> None:
        for config, info in loaded:
            self.acd.add_queue(config)
            self.info[config.code] = info

    def _adopt_replayed(self) -> None:
        """Calls the log says are still waiting or connected have no phone any more after a
        restart (the simulator's media went with the process): end them cleanly, as abandoned or
        completed, so no ghost stays in a queue and no consultant stays on a call."""
        snapshot = self.acd.snapshot()
        for code, queue in snapshot.get("queues", {}).items():
            for waiting in queue.get("calls", []):
                self.acd.hangup(str(waiting["call"]))
                log.info("call %s in %s ended after the restart", waiting["call"], code)
        loop = asyncio.get_running_loop()
        for agent, view in snapshot.get("agents", {}).items():
            if view.get("call"):
                self.acd.hangup(str(view["call"]))
            self.names.setdefault(agent, str(view.get("name") or agent))
            if view.get("state") != "logged_out":
                # logged in before the restart: out unless a desk comes back within the grace
                self._grace[agent] = loop.call_later(AGENT_GRACE, self._logout_gone, agent)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for call in list(self.calls.values()):
            if call.task is not None:
                call.task.cancel()
        await self.flush()

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending:
            try:
                await _db(directory.persist)(pending)
            except Exception:  # the log must not be lost for a passing database error
                log.exception("writing %d call events failed; retrying", len(pending))
                self._pending[:0] = pending

    async def _flusher(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            await self.flush()

    async def _reloader(self) -> None:
        """Queue settings edited in the admin reach the engine within half a minute."""
        while True:
            await asyncio.sleep(30)
            try:
                self._configure(await _db(directory.queues)())
            except Exception:
                log.exception("reloading the queues failed")

    # -- events from the ACD -------------------------------------------------------------------

    def count_today(self, event: CallEvent) -> None:
        """Today's service level per queue, kept from the events (local midnight resets it)."""
        day = time.strftime("%Y-%m-%d", time.localtime(event.at))
        if day != self._today_date:
            if event.at < time.time() - 86400 or day < self._today_date:
                return
            self._today, self._today_date = {}, day
        if event.kind == ev.QUEUE_ENTER:
            self._today.setdefault(event.queue, [0, 0])[0] += 1
        elif event.kind == ev.CONNECT:
            info = self.info.get(event.queue)
            if float(event.data.get("waited", 0)) <= (info.service_level_seconds if info else 15):
                self._today.setdefault(event.queue, [0, 0])[1] += 1

    def _on_event(self, event: CallEvent) -> None:
        self.count_today(event)
        self._pending.append(event)
        self._dirty = True
        call = self.calls.get(event.call)
        handler = _HANDLERS.get(event.kind)
        if handler is not None:
            self._spawn(handler(self, event, call))

    def ivr_event(self, event: CallEvent) -> None:
        """An IVR step (written from the database thread the interpreter runs on: only logged)."""
        self._pending.append(event)
        self._dirty = True

    def emit(self, kind: str, call: Call, **data: Any) -> None:
        """An event the runtime itself writes (IVR, voicemail, callback, the call's end)."""
        self._pending.append(CallEvent(at=self.clock.now(), kind=kind, call=call.id, queue=call.queue, data=data))
        self._dirty = True

    async def to_agent(self, agent: str, message: dict[str, Any]) -> None:
        for peer in list(self.peers.get(agent, ())):
            with contextlib.suppress(Exception):
                await peer.send(message)

    async def to_phone(self, call: Call | None, message: dict[str, Any]) -> None:
        if call is not None and call.phone is not None:
            with contextlib.suppress(Exception):
                await call.phone.send({**message, "call": call.id})

    def pop(self, call: Call, offered_at: float | None = None) -> dict[str, Any]:
        """What the desk shows before answering (the screen pop)."""
        info = self.info.get(call.queue)
        now = self.clock.now()
        return {
            "type": "ring",
            "offered_at": offered_at or now,
            "call": call.id,
            "caller": call.caller,
            "entry": call.entry,
            "client": call.client,
            "client_number": call.client_number,
            "office": call.office,
            "queue": call.queue,
            "queue_name": info.name if info else call.queue,
            "waited": round(now - (call.enqueued or now), 1),
            "path": call.path,
        }

    async def on_offer(self, event: CallEvent, call: Call | None) -> None:
        if call is None:
            return
        call.state, call.agent = "ringing", event.agent
        await self.to_agent(event.agent, self.pop(call, event.at))
        await self.to_agent(event.agent, self.agent_state(event.agent))
        await self.to_phone(call, {"type": "ringing"})

    async def on_connect(self, event: CallEvent, call: Call | None) -> None:
        if call is None:
            return
        call.state, call.agent, call.connected = "connected", event.agent, event.at
        try:
            await call.adapter.bridge(call.id, event.agent)
        except Exception as exc:  # noqa: BLE001 - the agent's phone did not answer or the line failed
            log.warning("bridging call %s to %s failed: %s", call.id, event.agent, exc)
            await self.to_agent(
                event.agent, {"type": "error", "code": "bridge", "detail": _("Your phone could not be connected.")}
            )
            if call.state == "connected" and call.queue in self.info and self.acd.agent_state(event.agent) is not None:
                # Their phone cannot be reached: paused (the call is not offered to it again at
                # once), the call back to its queue; no conversation took place, so on_complete
                # records no contact for it.
                self.acd.pause(event.agent, "technical")
                call.unbridged = True
                self.acd.transfer(call.id, call.queue, agent=event.agent)
                call.state, call.agent = "queued", ""
            return
        if call.state != "connected":  # the caller hung up while the consultant's phone rang
            return
        await self._start_recording(call)
        await self.to_agent(event.agent, {"type": "connected", "call": call.id})
        await self.to_phone(call, {"type": "connected", "agent": self.names.get(event.agent, "")})

    async def on_no_answer(self, event: CallEvent, call: Call | None) -> None:
        await self.to_agent(event.agent, {"type": "missed", "call": event.call})
        if call is not None and call.state == "ringing":
            call.state, call.agent = "queued", ""

    async def on_complete(self, event: CallEvent, call: Call | None) -> None:
        if call is None:
            return
        if call.unbridged and event.data.get("by") == "transfer":  # back to the queue by on_connect
            call.unbridged = False
            return
        info = self.info.get(event.queue)
        interaction = ""
        try:
            interaction = await _db(directory.record_call)(
                queue_office=info.office if info else call.office,
                agent=event.agent,
                client_id=call.client,
                caller=call.caller,
                started=call.connected or event.at,
                ended=event.at,
                call=call.id,
                path=call.path,
            )
        except Exception:
            log.exception("recording call %s as a contact failed", call.id)
        if interaction:  # the call's recording belongs to the contact (the client card lists it so)
            meta = self._recorded.get(call.id)
            if meta is not None:  # still to come (or being stored: ``recorded`` links it then)
                meta["interaction"] = interaction
            else:
                with contextlib.suppress(Exception):
                    await _db(_link_recording)(call.id, interaction)
        await self.to_agent(
            event.agent, {"type": "completed", "call": call.id, "interaction": interaction, "by": event.data.get("by")}
        )
        if event.data.get("by") == "agent":
            await self.end(call, "agent_hangup", tell=True)

    async def on_overflow(self, event: CallEvent, call: Call | None) -> None:
        if call is None:
            return
        target = str(event.data.get("to", ""))
        if target == "voicemail":
            self._leave_message(call, _("All our consultants are busy. Leave a message after the tone."))
        elif target == "callback":
            await self._callback(call, _("All our consultants are busy. We will call you back."), end=True)
        else:
            call.queue = target
            await self.to_phone(call, {"type": "queued", "queue": self.queue_name(target)})

    async def on_agent(self, event: CallEvent, call: Call | None) -> None:
        await self.to_agent(event.agent, self.agent_state(event.agent))

    def queue_name(self, code: str) -> str:
        info = self.info.get(code)
        return info.name if info else code

    def agent_state(self, agent: str) -> dict[str, Any]:
        view = self.acd.agent_state(agent)
        if view is None:
            return {"type": "state", "state": "logged_out", "since": None, "reason": "", "call": ""}
        return {
            "type": "state",
            "state": view.state,
            "since": view.since,
            "reason": view.reason,
            "call": view.call or "",
            "calls_taken": view.calls_taken,
            "queues": {code: self.queue_name(code) for code in view.queues},
        }

    # -- the phone side ------------------------------------------------------------------------

    async def dial(self, peer: Peer, number: str) -> None:
        mine = [c for c in self.calls.values() if c.phone is peer and c.state != "ended"]
        if len(mine) >= MAX_CALLS_PER_PHONE:
            await peer.send({"type": "error", "code": "busy", "detail": _("Hang up the current call first.")})
            return
        entry = await _db(_flow_for)(number)
        if entry is None:
            await peer.send({"type": "error", "code": "unknown-number", "detail": _("This number does not exist.")})
            return
        call = Call(
            id=f"c{int(time.time())}-{next(self._ids)}-{secrets.token_hex(3)}",
            entry=number,
            caller=peer.identity.caller or _("unknown number"),
            started=self.clock.now(),
            phone=peer,
            flow=entry[1],
        )
        self.calls[call.id] = call
        self.emit(ev.CALL_START, call, number=number, caller=call.caller, flow=entry[1], flow_version=entry[2])
        await peer.send({"type": "dialled", "call": call.id, "number": number})
        call.adapter = self.adapter
        await self.adapter.answer(call.id)
        call.task = asyncio.ensure_future(self._run_ivr(call, entry[0]))

    async def press(self, peer: Peer, call_id: str, digits: str) -> None:
        call = self.calls.get(call_id)
        if call is None or call.phone is not peer or call.state == "ended":
            return
        cleaned = "".join(ch for ch in str(digits)[:32] if ch in "0123456789*#")
        if cleaned:
            self.adapter.press(call.id, cleaned)

    async def leave_message(self, peer: Peer, call_id: str, text: str) -> None:
        """The simulator's voicemail: the caller types what they would say."""
        call = self.calls.get(call_id)
        if call is None or call.phone is not peer or call.state != "message":
            return
        body = str(text).strip()[:1000]
        await self._callback(call, "", end=True, message=body)

    async def hangup(self, peer: Peer, call_id: str) -> None:
        call = self.calls.get(call_id)
        if call is None or call.phone is not peer:
            return
        await self.end(call, "caller_hangup")

    async def phone_gone(self, peer: Peer) -> None:
        for call in [c for c in self.calls.values() if c.phone is peer]:
            await self.end(call, "caller_hangup")

    async def end(self, call: Call, reason: str, *, tell: bool = False, hang_up: bool = True) -> None:
        if call.state == "ended":
            return
        was = call.state
        call.state = "ended"
        if call.task is not None and call.task is not asyncio.current_task():
            call.task.cancel()
        if was in ("queued", "ringing", "connected") and reason != "agent_hangup":
            self.acd.hangup(call.id)
        if call.recording:
            call.recording = False
            with contextlib.suppress(Exception):
                await call.adapter.record(call.id, False)
        for supervisor in list(call.supervisors):
            with contextlib.suppress(Exception):
                await call.adapter.stop_supervising(call.id, supervisor)
            self.emit(ev.SUPERVISE_STOP, call, supervisor=supervisor, reason="call ended")
        call.supervisors.clear()
        if hang_up:
            with contextlib.suppress(Exception):  # a line that already lost the call
                await call.adapter.hangup(call.id)
        self.emit(ev.CALL_END, call, reason=reason)
        if tell:
            await self.to_phone(call, {"type": "ended", "reason": reason})
        self.calls.pop(call.id, None)

    async def _run_ivr(self, call: Call, flow: dict[str, Any]) -> None:
        from okienko.telephony.ivr_host import run_flow

        try:
            await run_flow(self, call, flow)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the IVR of call %s failed", call.id)
            with contextlib.suppress(Exception):
                await self.say(call, _("We are sorry, a technical problem occurred."))
            await self.end(call, "error", tell=True)

    def enqueue(self, call: Call, queue: str, priority: int = 0) -> str:
        if queue not in self.info:
            return "unknown"
        call.queue, call.enqueued, call.state = queue, self.clock.now(), "queued"
        result = self.acd.enqueue(
            call.id,
            queue,
            priority=priority or None,
            data={"client": call.client, "office": call.office, "entry": call.entry},
        )
        return str(result)

    def _leave_message(self, call: Call, text: str) -> None:
        call.state = "message"
        if AUDIO in call.adapter.capabilities and call.phone is None:
            self._spawn(self._record_message(call, text))  # a real line: the caller speaks
            return
        self._spawn(self.to_phone(call, {"type": "voicemail", "text": text}))

    async def _record_message(self, call: Call, text: str) -> None:
        """Voicemail on a line with audio: the greeting, then the caller's message recorded until
        they press a key, hang up or ``MAX_MESSAGE`` seconds pass; stored in the office's box with
        a callback (``voicemail.store_voicemail``, through ``recorded``)."""
        await self.say(call, text)
        if call.state != "message":
            return
        self._voicemail[call.id] = {"office": call.office, "client": call.client}
        try:
            await call.adapter.record(call.id, True)
        except Exception as exc:  # noqa: BLE001 - no message can be kept: a callback instead
            self._voicemail.pop(call.id, None)
            await self.failure("voicemail", _("Recording a message failed: %(error)s") % {"error": exc}, call.office)
            await self._callback(call, "", end=True)
            return
        call.recording = True
        await call.adapter.collect(call.id, 1, 1, "", MAX_MESSAGE, MAX_MESSAGE)  # any key ends it
        if call.state == "message":
            call.recording = False
            await call.adapter.record(call.id, False)
            await self.say(call, _("Thank you. We will call you back."))
            await self.end(call, "ivr_hangup", tell=True)

    async def _callback(self, call: Call, text: str, *, end: bool, message: str = "") -> None:
        office = call.office or (self.info[call.queue].office if call.queue in self.info else "")
        reason = _("Callback requested on %(number)s (call %(call)s).") % {"number": call.entry, "call": call.id}
        if message:
            reason = _("Voicemail on %(number)s: %(message)s") % {"number": call.entry, "message": message}
        callback = ""
        try:
            if message:  # the simulator's voicemail: the typed message spoken into the office's box
                from okienko.telephony import voicemail

                callback = await _db(voicemail.leave_message)(
                    office=office,
                    client_id=call.client,
                    caller=call.caller,
                    reason=reason,
                    message=message,
                    call=call.id,
                    entry=call.entry,
                )
            else:
                callback = await _db(directory.request_callback)(
                    office=office, client_id=call.client, caller=call.caller, reason=reason
                )
        except Exception:
            log.exception("recording a callback for call %s failed", call.id)
        self.emit(ev.VOICEMAIL if message else ev.CALLBACK, call, office=office, callback=callback)
        spoken = text or _("Thank you. We will call you back.")
        await self.say(call, spoken)
        if end:
            await self.end(call, "ivr_hangup", tell=True)

    # -- a real line's calls (AdapterEvents) --------------------------------------------------

    def attach(self, line: Adapter) -> None:
        """Carry real calls through ``line`` too (the simulator's softphone keeps working)."""
        self.line = line

    async def incoming(self, call: str, number: str, caller: str) -> None:
        """A call arrived on the line: answer it and run the flow of the number dialled."""
        line = self.line
        if line is None or call in self.calls:
            return
        entry = await _db(_flow_for)(number)
        if entry is None:
            log.info("call %s to %s: no such entry number", call, number)
            with contextlib.suppress(Exception):
                await line.hangup(call)
            return
        live = Call(
            id=call,
            entry=number,
            caller=caller or _("unknown number"),
            started=self.clock.now(),
            adapter=line,
            flow=entry[1],
        )
        self.calls[call] = live
        self.emit(ev.CALL_START, live, number=number, caller=live.caller, flow=entry[1], flow_version=entry[2])
        try:
            await line.answer(call)
        except Exception:
            log.exception("answering call %s failed", call)
            await self.end(live, "error", hang_up=False)
            return
        live.task = asyncio.ensure_future(self._run_ivr(live, entry[0]))

    async def gone(self, call: str) -> None:
        live = self.calls.get(call)
        if live is not None:
            await self.end(live, "caller_hangup", hang_up=False)

    async def recorded(self, call: str, path: Path, started: float, ended: float) -> None:
        """A finished recording: stored with its digest, retention date and legal basis; the
        line's temporary file is removed whatever happens."""
        from okienko.telephony.recordings import store_recording

        message = self._voicemail.pop(call, None)
        if message is not None:
            await self._store_message(call, path, started, ended, message)
            return
        meta = self._recorded.get(call, {})
        interaction = meta.get("interaction")
        try:
            stored = await _db(store_recording)(
                call,
                path,
                started=started,
                ended=ended,
                queue=str(meta.get("queue", "")),
                flow=str(meta.get("flow", "")),
                consent_played=bool(meta.get("consent", False)),
                interaction=interaction,
            )
            if stored is not None and not interaction and meta.get("interaction"):  # known meanwhile
                await _db(_link_recording)(call, str(meta["interaction"]))
            if stored is not None:
                data = {"recording": str(stored.uuid)}
                self._pending.append(CallEvent(at=self.clock.now(), kind=ev.RECORD_STOP, call=call, data=data))
        except Exception:
            log.exception("storing the recording of call %s failed", call)
            office = self.info[str(meta.get("queue"))].office if meta.get("queue") in self.info else ""
            detail = _("The recording of call %(call)s could not be stored.") % {"call": call}
            await self.failure("recording", detail, office)
        finally:
            self._recorded.pop(call, None)
            with contextlib.suppress(OSError):
                path.unlink()

    async def _store_message(self, call: str, path: Path, started: float, ended: float, meta: dict[str, str]) -> None:
        from okienko.telephony import voicemail

        live = self.calls.get(call)
        try:
            await _db(voicemail.store_voicemail)(
                meta.get("office", ""),
                call,
                live.caller if live else "",
                meta.get("client", ""),
                path,
                max(0.0, ended - started),
                entry=live.entry if live else "",
            )
            self.emit_for(call, ev.VOICEMAIL, box=meta.get("office", ""), seconds=round(ended - started, 1))
        except Exception:
            log.exception("storing the voicemail of call %s failed", call)
            detail = _("The message of call %(call)s could not be stored.") % {"call": call}
            await self.failure("voicemail", detail, meta.get("office", ""))
        finally:
            with contextlib.suppress(OSError):
                path.unlink()

    def emit_for(self, call: str, kind: str, **data: Any) -> None:
        """An event about a call that may have ended already."""
        self._pending.append(CallEvent(at=self.clock.now(), kind=kind, call=call, data=data))
        self._dirty = True

    async def failure(self, what: str, detail: str, office: str = "") -> None:
        """Something staff must hear of: logged, and raised as an alert to the supervisors — of
        ``office`` when it concerns one office's call, else (the line itself) to all."""
        log.error("telephony failure (%s): %s", what, detail)
        data = {"what": what, "detail": detail, "office": office}
        self._pending.append(CallEvent(at=self.clock.now(), kind=ev.FAILURE, data=data))
        for peer in list(self.boards):
            if office and office not in peer.identity.scope:
                continue
            with contextlib.suppress(Exception):
                await peer.send({"type": "alert", "what": what, "detail": detail})
        with contextlib.suppress(Exception):
            await _db(directory.alert_failure)(what, detail, office)

    async def consent(self, call: Call, queue: str) -> None:
        """Before a call reaches a queue that records, the caller hears that it will be recorded."""
        info = self.info.get(queue)
        if info is None or not info.record_calls or RECORD not in call.adapter.capabilities or call.consent_played:
            return
        text = info.consent_text or _("This call will be recorded.")
        await self.say(call, text, f"{info.office}/{info.consent_prompt}", always=True)
        call.consent_played = True
        self.emit(ev.CONSENT, call, prompt=info.consent_prompt)

    async def _start_recording(self, call: Call) -> None:
        info = self.info.get(call.queue)
        if info is None or not info.record_calls or not call.consent_played or call.recording:
            return
        if RECORD not in call.adapter.capabilities:
            return
        try:
            await call.adapter.record(call.id, True)
        except Exception as exc:  # noqa: BLE001 - e.g. the recording storage is full: the call goes on
            detail = _("Recording call %(call)s failed: %(error)s") % {"call": call.id, "error": exc}
            await self.failure("recording", detail, info.office)
            return
        call.recording = True
        self._recorded[call.id] = {"queue": call.queue, "flow": call.flow, "consent": call.consent_played}
        self.emit(ev.RECORD_START, call, agent=call.agent)

    async def announce(self, call: Call) -> None:
        """The waiting caller's position and expected wait (played on a line with audio without
        holding the loop: the caller may be answered meanwhile)."""
        call.last_announce = self.clock.now()
        said = announcement(self.acd.position(call.id), self.acd.expected_wait(call.id))
        await self.to_phone(call, said)
        if said.get("text") and AUDIO in call.adapter.capabilities:
            self._spawn(call.adapter.play(call.id, "", str(said["text"])))

    async def say(self, call: Call, text: str, prompt_id: str = "", *, always: bool = False) -> None:
        """Tell the caller ``text``: shown (and sounded) on the softphone, played on a line with
        audio (``always``: through any adapter, e.g. the recording notice the simulator logs)."""
        audio = await self.prompt_audio(call, prompt_id, text)
        await self.to_phone(call, {"type": "prompt", "text": text, **audio})
        if always or AUDIO in call.adapter.capabilities:
            await call.adapter.play(call.id, prompt_id, text)

    async def prompt_audio(self, call: Call, prompt_id: str, text: str) -> dict[str, str]:
        """``{"audio": url}`` of a prompt's sound for the browser softphone, when speech is
        available (synthesised here, in the engine, off the loop, and cached)."""
        if self.prompts is None or call.phone is None or not text:
            return {}
        try:
            path = await asyncio.to_thread(self.prompts.audio_for, prompt_id, text, 16000)
        except Exception:  # no espeak-ng, text refused… the softphone shows the text anyway
            log.debug("no audio for prompt %r", prompt_id, exc_info=True)
            return {}
        return {"audio": self.prompt_url(path)}

    def agent_endpoint(self, agent: str) -> str:
        """Where a line rings ``agent``: the phone they said at login, else the installation's
        pattern (``OKIENKO_AGENT_ENDPOINT``, e.g. ``PJSIP/agent-{user}``)."""
        return self.endpoints.get(agent) or self.endpoint_pattern.format(user=agent)

    # -- supervision ---------------------------------------------------------------------------

    async def _supervise(self, peer: Peer, message: dict[str, Any]) -> None:
        call = self.calls.get(str(message.get("call") or ""))
        mode = str(message.get("mode") or "")
        info = self.info.get(call.queue) if call is not None else None
        if call is None or call.state != "connected" or info is None or info.office not in peer.identity.scope:
            await peer.send({"type": "error", "code": "not-found", "detail": _("No such call.")})
            return
        supervisor = peer.identity.user
        if message.get("type") == "stop_supervising":
            if call.supervisors.pop(supervisor, None) is not None:
                with contextlib.suppress(Exception):
                    await call.adapter.stop_supervising(call.id, supervisor)
                self.emit(ev.SUPERVISE_STOP, call, supervisor=supervisor)
            await peer.send(self.board(peer.identity))
            return
        if mode not in SUPERVISION_MODES or mode not in call.adapter.capabilities:
            await peer.send({"type": "error", "code": "unsupported", "detail": _("This line does not allow it.")})
            return
        try:
            await call.adapter.supervise(call.id, supervisor, mode)
        except Unsupported:
            await peer.send({"type": "error", "code": "unsupported", "detail": _("This line does not allow it.")})
            return
        except Exception:
            log.exception("supervising call %s failed", call.id)
            await peer.send({"type": "error", "code": "failed", "detail": _("Your phone could not be connected.")})
            return
        call.supervisors[supervisor] = mode
        self.emit(ev.SUPERVISE, call, supervisor=supervisor, mode=mode, agent=call.agent)
        with contextlib.suppress(Exception):
            await _db(directory.audit_supervision)(supervisor, call.id, mode, info.office, call.agent)
        await peer.send(self.board(peer.identity))

    # -- the agent side ------------------------------------------------------------------------

    async def agent_joined(self, peer: Peer) -> None:
        agent = peer.identity.user
        self.peers.setdefault(agent, set()).add(peer)
        self.names[agent] = peer.identity.name or agent
        timer = self._grace.pop(agent, None)
        if timer is not None:
            timer.cancel()
        await peer.send(self.agent_state(agent))
        view = self.acd.agent_state(agent)
        if view is not None and view.call and view.call in self.calls:
            call = self.calls[view.call]
            await peer.send(self.pop(call) if call.state == "ringing" else {"type": "connected", "call": call.id})

    async def agent_left(self, peer: Peer) -> None:
        """A desk closed. When the consultant has no desk left for ``AGENT_GRACE`` seconds they
        are logged out, so no call rings at an empty desk and nobody stays reserved."""
        agent = peer.identity.user
        desks = self.peers.get(agent, set())
        desks.discard(peer)
        if desks:
            return
        self.peers.pop(agent, None)
        loop = asyncio.get_running_loop()
        self._grace[agent] = loop.call_later(AGENT_GRACE, self._logout_gone, agent)

    def _logout_gone(self, agent: str) -> None:
        self._grace.pop(agent, None)
        if agent in self.peers:
            return
        view = self.acd.agent_state(agent)
        if view is not None and view.state != "logged_out":
            self.acd.logout(agent)
        self.endpoints.pop(agent, None)  # a browser phone closed with its desk is not rung again

    async def agent_command(self, peer: Peer, message: dict[str, Any]) -> None:
        try:
            await self._agent_command(peer, message)
        except (ValueError, KeyError, LookupError) as exc:  # a command the state does not allow
            log.info("agent %s: %s refused: %s", peer.identity.user, message.get("type"), exc)
            await peer.send({"type": "error", "code": "refused", "detail": _("Not possible now.")})
            await peer.send(self.agent_state(peer.identity.user))

    async def _agent_command(self, peer: Peer, message: dict[str, Any]) -> None:
        agent, kind = peer.identity.user, message.get("type")
        call_id = str(message.get("call") or "")
        if kind == "login":
            phone = str(message.get("phone") or "").strip()
            if phone and not ENDPOINT.fullmatch(phone):
                await peer.send({"type": "error", "code": "bad-phone", "detail": _("Not a phone address.")})
                return
            if phone:
                self.endpoints[agent] = phone
            self.acd.login(agent, dict(peer.identity.queues), name=peer.identity.name)
        elif kind == "ready":
            self._ensure_logged_in(peer)
            view = self.acd.agent_state(agent)
            if view is not None and view.state == "paused":
                self.acd.ready(agent)
        elif kind == "pause":
            self._ensure_logged_in(peer)
            self.acd.pause(agent, str(message.get("reason") or "break")[:40])
        elif kind == "logout":
            if self.acd.agent_state(agent) is not None:
                self.acd.logout(agent)
            self.endpoints.pop(agent, None)
        elif kind == "answer":
            if not self.acd.answer(agent, call_id):
                await peer.send({"type": "error", "code": "gone", "detail": _("This call is no longer yours.")})
        elif kind == "decline":
            self.acd.decline(agent, call_id)
        elif kind == "hangup":
            view = self.acd.agent_state(agent)
            if view is not None and view.call == call_id:
                self.acd.complete(agent, call_id)
        elif kind == "dial":
            await self._preview_dial(peer, str(message.get("callback") or "")[:40], str(message.get("number") or ""))
            return
        elif kind == "transfer":
            queue = str(message.get("queue") or "")
            view = self.acd.agent_state(agent)
            if view is not None and view.call == call_id and queue in self.info:
                self.acd.transfer(call_id, queue, agent=agent)
                call = self.calls.get(call_id)
                if call is not None:
                    call.queue, call.state, call.enqueued = queue, "queued", self.clock.now()
                    await self.to_phone(call, {"type": "queued", "queue": self.queue_name(queue)})
        else:
            await peer.send({"type": "error", "code": "unknown", "detail": _("Unknown command.")})
            return
        await peer.send(self.agent_state(agent))

    async def _preview_dial(self, peer: Peer, callback: str, number: str) -> None:
        """A callback worked as a preview call: the consultant is paused for it (no queue call
        rings meanwhile), the adapter places the call, the desk records the outcome."""
        cleaned = "".join(ch for ch in number if ch.isdigit() or ch == "+")[:20]
        if not cleaned or not callback:
            await peer.send({"type": "error", "code": "no-number", "detail": _("This callback has no phone number.")})
            return
        agent = peer.identity.user
        self._ensure_logged_in(peer)
        self.acd.pause(agent, "callback")
        self._pending.append(
            CallEvent(at=self.clock.now(), kind="callback.dial", agent=agent, data={"callback": callback})
        )
        await peer.send({"type": "dialling", "number": cleaned})
        # The simulator has no far end to ring: the call connects at once (part 2's SIP and
        # Asterisk adapters place it for real).
        await peer.send({"type": "outbound_connected", "number": cleaned})
        await peer.send(self.agent_state(agent))

    def _ensure_logged_in(self, peer: Peer) -> None:
        view = self.acd.agent_state(peer.identity.user)
        if view is None or view.state == "logged_out":
            self.acd.login(peer.identity.user, dict(peer.identity.queues), name=peer.identity.name)

    # -- the wallboard -------------------------------------------------------------------------

    async def board_joined(self, peer: Peer) -> None:
        self.boards.add(peer)
        await peer.send(self.board(peer.identity))

    async def board_left(self, peer: Peer) -> None:
        self.boards.discard(peer)

    async def board_command(self, peer: Peer, message: dict[str, Any]) -> None:
        if message.get("type") in ("supervise", "stop_supervising"):
            await self._supervise(peer, message)
            return
        if message.get("type") != "move":
            await peer.send({"type": "error", "code": "unknown", "detail": _("Unknown command.")})
            return
        agent = str(message.get("agent") or "")
        raw = message.get("queues")
        view = self.acd.agent_state(agent)
        if view is None or not isinstance(raw, dict):
            await peer.send({"type": "error", "code": "not-found", "detail": _("No such consultant.")})
            return
        allowed = set(peer.identity.scope)
        queues: dict[str, int] = {}
        for code, penalty in raw.items():
            info = self.info.get(str(code))
            if info is None or info.office not in allowed:
                await peer.send({"type": "error", "code": "forbidden", "detail": _("Not your queue.")})
                return
            queues[str(code)] = max(0, min(int(penalty), 9)) if str(penalty).lstrip("-").isdigit() else 0
        keep = {
            code: p for code, p in view.queues.items() if self.info.get(code) and self.info[code].office not in allowed
        }
        self.acd.set_queues(agent, {**keep, **queues})
        await peer.send(self.board(peer.identity))

    def board(self, identity: Identity) -> dict[str, Any]:
        """Queues and agents within the supervisor's offices, with today's service level."""
        allowed = set(identity.scope)
        snapshot = self.acd.snapshot()
        queues = []
        for code, stats in snapshot.get("queues", {}).items():
            info = self.info.get(code)
            if info is None or info.office not in allowed:
                continue
            sl = self.service_level_today(code)
            queues.append(
                {
                    "code": code,
                    "name": info.name,
                    "office": info.office_name,
                    "waiting": stats.get("waiting", 0),
                    "longest_wait": round(float(stats.get("longest_wait", 0.0)), 1),
                    "available": stats.get("available", 0),
                    "busy": stats.get("busy", 0),
                    "paused": stats.get("paused", 0),
                    "logged_in": stats.get("logged_in", 0),
                    "service_level": sl,
                    "target": info.service_level_target,
                    "alert": sl is not None and sl < info.service_level_target,
                }
            )
        codes = {q["code"] for q in queues}
        agents = []
        now = self.clock.now()
        for agent, view in snapshot.get("agents", {}).items():
            if not codes.intersection(view.get("queues", {})):
                continue
            agents.append(
                {
                    "agent": agent,
                    "name": self.names.get(agent, str(view.get("name") or agent)),
                    "state": view.get("state"),
                    "reason": view.get("reason") or "",
                    "in_state": round(now - float(view.get("since") or now)),
                    "calls": view.get("calls_taken", 0),
                    "queues": sorted(view.get("queues", {})),
                    **self._supervision_view(str(view.get("call") or ""), identity),
                }
            )
        return {"type": "board", "queues": queues, "agents": agents, "at": now}

    def _supervision_view(self, call_id: str, identity: Identity) -> dict[str, Any]:
        """The agent's live call and what the supervisor may do with it: the wallboard shows
        listen-in, whisper and barge only when the line carrying the call supports them."""
        call = self.calls.get(call_id) if call_id else None
        info = self.info.get(call.queue) if call is not None else None
        if call is None or call.state != "connected" or info is None or info.office not in identity.scope:
            return {"call": "", "modes": [], "supervising": ""}
        modes = [mode for mode in SUPERVISION_MODES if mode in call.adapter.capabilities]
        return {"call": call.id, "modes": modes, "supervising": call.supervisors.get(identity.user, "")}

    def service_level_today(self, queue: str) -> float | None:
        """Answered within the queue's time / offered since local midnight, from the counters the
        runtime keeps from the events (None before the first call)."""
        counts = self._today.get(queue)
        if not counts or counts[0] == 0:
            return None
        return round(counts[1] / counts[0], 3)

    async def _board_pusher(self) -> None:
        while True:
            await asyncio.sleep(WALLBOARD_EVERY)
            if not self._dirty or not self.boards:
                continue
            self._dirty = False
            for peer in list(self.boards):
                with contextlib.suppress(Exception):
                    await peer.send(self.board(peer.identity))

    async def _announcer(self) -> None:
        """Tell each waiting caller their position and expected wait every ``ANNOUNCE_EVERY`` s."""
        while True:
            await asyncio.sleep(1.0)
            now = self.clock.now()
            for call in list(self.calls.values()):
                if call.state != "queued" or now - call.last_announce < ANNOUNCE_EVERY:
                    continue
                info = self.info.get(call.queue)
                if info is None or not info.announce_position:
                    continue
                await self.announce(call)


def announcement(position: int | None, wait: float | None) -> dict[str, Any]:
    if position is None:
        return {"type": "position"}
    minutes = max(1, round((wait or 0) / 60))
    text = _("You are number %(position)d in the queue. Expected waiting time: about %(minutes)d min.") % {
        "position": position,
        "minutes": minutes,
    }
    return {"type": "position", "position": position, "expected_wait": round(wait or 0), "text": text}


def _flow_for(number: str) -> tuple[dict[str, Any], str, int] | None:
    from okienko.telephony.ivr.models import EntryNumber

    entry = EntryNumber.objects.filter(number=number, active=True).select_related("flow").first()
    version = entry.current_version() if entry is not None else None
    if entry is None or version is None:
        return None
    return dict(version.definition), entry.flow.code, version.number


def _link_recording(call: str, interaction: str) -> None:
    """The call's stored recording(s) belong to its contact, known only once it is recorded."""
    from okienko.interactions.models import Interaction
    from okienko.telephony.media_models import CallRecording

    contact = Interaction.objects.filter(uuid=interaction).first()
    if contact is not None:
        CallRecording.objects.filter(call=call, interaction__isnull=True).update(interaction=contact)


# What the runtime does on each ACD event (the agents' own state changes go to their desks).
_HANDLERS: dict[str, Callable[[Runtime, CallEvent, Call | None], Awaitable[None]]] = {
    ev.OFFER: Runtime.on_offer,
    ev.CONNECT: Runtime.on_connect,
    ev.RING_NO_ANSWER: Runtime.on_no_answer,
    ev.COMPLETE: Runtime.on_complete,
    ev.OVERFLOW: Runtime.on_overflow,
    **dict.fromkeys(
        (ev.AGENT_LOGIN, ev.AGENT_LOGOUT, ev.AGENT_PAUSE, ev.AGENT_READY, ev.AGENT_WRAPUP, ev.AGENT_QUEUES),
        Runtime.on_agent,
    ),
}
