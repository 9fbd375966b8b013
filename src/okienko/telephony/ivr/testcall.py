"""Test calls of an IVR flow in the editor: a simulated caller walks a draft (saved or not).

The editor keeps no session on the server: the browser holds the list of what the caller did so
far (``"1"``, ``"12345#"``, ``"timeout"``, ``"played"``…) and each step asks :func:`replay` to
run the flow again from the start with those inputs. The interpreter is deterministic given its
services, so replaying gives the same path every time, and nothing about a test call is stored.

The outside world is :class:`SimulatedServices`, whose answers the tester sets (office open,
holiday, queue figures) and which accepts exactly one made-up client number and PIN: a test call
never touches a real client's PIN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from okienko.telephony.engine.ivr import (
    Action,
    AuthResult,
    CallbackRequest,
    Collect,
    Enqueue,
    Hangup,
    IvrSession,
    IvrStateError,
    Play,
    Transfer,
    Voicemail,
)

MAX_INPUTS = 200  # a test call longer than this is a mistake, not a test
MAX_STEPS = 1000  # actions run in one replay (plays continue by themselves)
TIMEOUT = "timeout"
PLAYED = "played"
CALLBACK_RECORDED = "callback"
TEST_CLIENT = "TEST-CLIENT"


@dataclass(frozen=True, slots=True)
class SimulatedServices:
    """The interpreter's ``Services`` with the answers the tester chose."""

    office_is_open: bool = True
    holiday: bool = False
    waiting: int = 0
    available: int = 1
    client_number: str = "1234"
    client_pin: str = "1111"
    client_office: str = ""

    def authenticate(self, number: str, pin: str) -> AuthResult:
        if self.client_number and number == self.client_number and pin == self.client_pin:
            return AuthResult(ok=True, client=TEST_CLIENT, office=self.client_office)
        return AuthResult(ok=False)

    def office_open(self, calendar: str, at: float) -> bool:
        return self.office_is_open

    def is_holiday(self, at: float) -> bool:
        return self.holiday

    def queue_waiting(self, queue: str) -> int:
        return self.waiting

    def queue_available(self, queue: str) -> int:
        return self.available

    def queue_for_office(self, office: str, entry: str) -> str:
        return f"tel-{office}" if office else "tel-?"


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the test call's transcript: what the caller heard or did."""

    kind: str  # play | ask | press | timeout | callback | end | error
    node: str
    text: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "node": self.node, "text": self.text}


@dataclass(slots=True)
class Replay:
    """Where a test call got to: the path, what was said and done, and either the input awaited
    (``pending``) or how the call ended (``result``); ``error`` when the inputs or the flow did not
    allow going on (e.g. a node without the fields it needs)."""

    path: list[str] = field(default_factory=list)
    transcript: list[Step] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    error: str = ""
    error_code: str = ""
    consumed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "transcript": [step.as_dict() for step in self.transcript],
            "pending": self.pending,
            "result": self.result,
            "error": self.error,
            "error_code": self.error_code,
            "consumed": self.consumed,
        }


def replay(
    flow: Mapping[str, Any],
    inputs: Sequence[str],
    services: SimulatedServices,
    *,
    entry: str = "test",
    auto_continue: bool = True,
) -> Replay:
    """Run ``flow`` from its start with the caller's ``inputs``.

    Each input answers the action waiting: digits (``"1"``, ``"1234#"``) or ``"timeout"`` for a
    ``Collect``; ``"played"`` for a ``Play`` and ``"callback"`` for a ``CallbackRequest``. With
    ``auto_continue`` (the editor's way) a ``Play`` and a ``CallbackRequest`` go on by themselves,
    so the inputs are only the caller's keys and time-outs.
    """
    out = Replay()
    session = IvrSession(flow, services, call="test-call", entry=entry, caller="test", clock_now=lambda: 0.0)
    if len(inputs) > MAX_INPUTS:
        return _error(out, session, "too_long", f"At most {MAX_INPUTS} inputs.")
    try:
        action = session.start()
        queue = list(inputs)
        for _step in range(MAX_STEPS):
            _heard(out, session, action)
            if session.finished:
                out.result = _result(action)
                out.transcript.append(Step("end", session.current, _result_text(out.result)))
                break
            if isinstance(action, Collect):
                out.pending = _pending(session, action)
                if not queue:
                    break
                given = queue.pop(0)
                out.consumed += 1
                out.pending = None
                if given == TIMEOUT:
                    out.transcript.append(Step("timeout", session.current))
                    action = session.on_digits(None)
                elif _digits(given):
                    shown = "•" * len(given) if action.secret else given
                    out.transcript.append(Step("press", session.current, shown))
                    action = session.on_digits(given)
                else:
                    return _error(out, session, "unexpected_input", "Digits or a time-out are awaited.")
                continue
            awaited = CALLBACK_RECORDED if isinstance(action, CallbackRequest) else PLAYED
            if not auto_continue:
                if not queue:
                    out.pending = {"kind": awaited, "node": session.current}
                    break
                if queue[0] != awaited:
                    return _error(out, session, "unexpected_input", f"{awaited!r} is awaited.")
                queue.pop(0)
                out.consumed += 1
            action = session.on_callback_recorded() if isinstance(action, CallbackRequest) else session.on_played()
        else:
            return _error(out, session, "too_long", "The flow does not stop.")
    except IvrStateError as exc:
        return _error(out, session, "unexpected_input", str(exc))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return _error(out, session, "broken_node", f"The node cannot run: {exc!r}")
    out.path = list(session.path)
    return out


def _digits(given: str) -> bool:
    return 0 < len(given) <= 40 and all(ch in "0123456789*#" for ch in given)


def _error(out: Replay, session: IvrSession, code: str, message: str) -> Replay:
    out.path = list(session.path)
    out.pending = None
    out.error, out.error_code = message, code
    out.transcript.append(Step("error", session.current, message))
    return out


def _heard(out: Replay, session: IvrSession, action: Action) -> None:
    text = getattr(action, "text", "")
    if isinstance(action, Collect | Play | CallbackRequest) and text:
        kind = "ask" if isinstance(action, Collect) else "play"
        out.transcript.append(Step(kind, session.current, str(text)))


def _pending(session: IvrSession, action: Collect) -> dict[str, Any]:
    return {
        "kind": "digits",
        "node": session.current,
        "text": action.text,
        "min": action.min,
        "max": action.max,
        "terminator": action.terminator,
        "timeout": action.first_timeout,
        "secret": action.secret,
    }


def _result(action: Action) -> dict[str, Any]:
    if isinstance(action, Enqueue):
        return {"kind": "enqueue", "queue": action.queue, "priority": action.priority, "skills": list(action.skills)}
    if isinstance(action, Transfer):
        return {"kind": "transfer", "number": action.number}
    if isinstance(action, Voicemail):
        return {"kind": "voicemail", "box": action.box, "text": action.text}
    if isinstance(action, Hangup):
        return {"kind": "hangup", "text": action.text}
    return {"kind": "unknown"}


def _result_text(result: Mapping[str, Any]) -> str:
    kind = result.get("kind")
    if kind == "enqueue":
        return f"enqueue {result['queue']}"
    if kind == "transfer":
        return f"transfer {result['number']}"
    if kind == "voicemail":
        return f"voicemail {result['box']}"
    return str(kind)


def services_from(data: Mapping[str, Any]) -> SimulatedServices:
    """The tester's answers from the panel's JSON (missing or wrong values take the defaults;
    numbers are clamped to 0–1000)."""

    def flag(name: str, default: bool) -> bool:
        value = data.get(name, default)
        return value if isinstance(value, bool) else default

    def count(name: str, default: int) -> int:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | str):
            return default
        try:
            return max(0, min(1000, int(value)))
        except ValueError:
            return default

    def text(name: str, default: str) -> str:
        value = data.get(name, default)
        return value.strip()[:40] if isinstance(value, str) else default

    return SimulatedServices(
        office_is_open=flag("office_open", True),
        holiday=flag("holiday", False),
        waiting=count("waiting", 0),
        available=count("available", 1),
        client_number=text("client_number", "1234"),
        client_pin=text("client_pin", "1111"),
        client_office=text("client_office", ""),
    )
