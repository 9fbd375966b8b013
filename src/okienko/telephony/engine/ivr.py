"""IVR flows as data, their validation and the interpreter that walks a caller through one.

A flow is plain JSON (stored and versioned by ``okienko.telephony.ivr``): ``{"start": node id,
"nodes": {id: node}}`` plus an optional ``default_office`` (the office code used by ``{office}``
placeholders while the caller's office is not known) and ``description``. Each node has a
``type``; :data:`FLOW_SCHEMA` lists their fields.

The interpreter (:class:`IvrSession`) does no I/O: each call returns the next :data:`Action` for
the host (the adapter plays, collects digits, enqueues…) and the host reports back what happened
(``on_played``, ``on_digits``, ``on_callback_recorded``). The outside world it needs — PIN check,
office hours, queue statistics — is behind :class:`Services`, so the same code runs in the live
process, the simulator and the tests.

Secrets: a PIN goes from ``on_digits`` straight to ``Services.authenticate`` and is dropped; it is
never kept on the session, never put into an event, and the ``Collect`` asking for it is marked
``secret`` so the host does not log or echo it either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # no stubs pinned

from okienko.telephony.engine.events import IVR_AUTH_FAILED, IVR_AUTHENTICATED, IVR_NODE, CallEvent, Sink

OFFICE = "{office}"  # placeholder: the caller's office (queue, voicemail box, calendar)
TERMINAL_TYPES = frozenset({"enqueue", "transfer", "voicemail", "hangup"})
# Nodes that wait for the caller's keys (their retries and on_fail apply).
INPUT_TYPES = frozenset({"menu", "collect", "authenticate", "choose_office"})
# Nodes that must say where to go next (``next``), and the condition's two branches.
NEEDS_NEXT = frozenset({"play", "collect", "authenticate", "choose_office", "callback"})
# How many nodes may run one after another without the caller hearing or pressing anything: a
# flow of conditions pointing at each other would otherwise spin for ever on a live call.
MAX_SILENT_STEPS = 50

# -- the schema ----------------------------------------------------------------------------------
_ID = {"type": "string", "pattern": r"^[A-Za-z0-9_.\-]{1,60}$"}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 2000}
_DIGIT_MAP = {"type": "object", "propertyNames": {"pattern": r"^[0-9*#]$"}}
_SECONDS = {"type": "number", "exclusiveMinimum": 0, "maximum": 120}
_RETRIES = {"type": "integer", "minimum": 0, "maximum": 9}
_COMMON = {"type": {"type": "string"}, "note": {"type": "string"}}


def _node(kind: str, properties: Mapping[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**_COMMON, **properties, "type": {"const": kind}},
        "required": ["type", *required],
        "additionalProperties": False,
    }


_NODES: dict[str, dict[str, Any]] = {
    "play": _node("play", {"text": _TEXT, "prompt": {"type": "string"}, "next": _ID}, ("text",)),
    "menu": _node(
        "menu",
        {
            "text": _TEXT,
            "options": {**_DIGIT_MAP, "additionalProperties": _ID},
            "timeout": _SECONDS,
            "retries": _RETRIES,
            "invalid_text": _TEXT,
            "on_fail": _ID,
        },
        ("text", "options"),
    ),
    "collect": _node(
        "collect",
        {
            "text": _TEXT,
            "var": {"type": "string", "pattern": r"^[a-z_][a-z0-9_]{0,39}$"},
            "min": {"type": "integer", "minimum": 1, "maximum": 40},
            "max": {"type": "integer", "minimum": 1, "maximum": 40},
            "terminator": {"enum": ["#", "*", ""]},
            "first_timeout": _SECONDS,
            "inter_digit_timeout": _SECONDS,
            "retries": _RETRIES,
            "invalid_text": _TEXT,
            "secret": {"type": "boolean"},
            "next": _ID,
            "on_fail": _ID,
        },
        ("text", "var"),
    ),
    "authenticate": _node(
        "authenticate",
        {
            "text_number": _TEXT,
            "text_pin": _TEXT,
            "invalid_text": _TEXT,
            "locked_text": _TEXT,
            "max_tries": {"type": "integer", "minimum": 1, "maximum": 9},
            "first_timeout": _SECONDS,
            "inter_digit_timeout": _SECONDS,
            "next": _ID,
            "on_fail": _ID,
        },
        ("text_number", "text_pin"),
    ),
    "condition": _node(
        "condition",
        {
            "test": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "properties": {
                    "office_open": {"type": "string", "minLength": 1},
                    "holiday": {"const": True},
                    "queue_waiting_over": {
                        "type": "array",
                        "prefixItems": [{"type": "string", "minLength": 1}, {"type": "integer", "minimum": 0}],
                        "minItems": 2,
                        "maxItems": 2,
                    },
                    "queue_agents_available": {"type": "string", "minLength": 1},
                    "authenticated": {"const": True},
                },
                "additionalProperties": False,
            },
            "then": _ID,
            "else": _ID,
        },
        ("test",),
    ),
    "choose_office": _node(
        "choose_office",
        {
            "text": _TEXT,
            "options": {**_DIGIT_MAP, "minProperties": 1, "additionalProperties": {"type": "string", "minLength": 1}},
            "timeout": _SECONDS,
            "retries": _RETRIES,
            "invalid_text": _TEXT,
            "next": _ID,
            "on_fail": _ID,
        },
        ("text", "options"),
    ),
    "enqueue": _node(
        "enqueue",
        {
            "queue": {"type": "string", "minLength": 1},
            "priority": {"type": "integer", "minimum": 0, "maximum": 100},
            "skills": {"type": "array", "items": {"type": "string", "minLength": 1}},
        },
        ("queue",),
    ),
    "transfer": _node("transfer", {"number": {"type": "string", "pattern": r"^\+?[0-9]{3,20}$"}}, ("number",)),
    "voicemail": _node("voicemail", {"box": {"type": "string", "minLength": 1}, "text": _TEXT}, ("box", "text")),
    "callback": _node("callback", {"text": _TEXT, "next": _ID}, ("text",)),
    "hangup": _node("hangup", {"text": _TEXT}),
}
NODE_TYPES = tuple(_NODES)

FLOW_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://okienko.example/schemas/ivr-flow.json",
    "title": "IVR flow",
    "type": "object",
    "properties": {
        "start": _ID,
        "default_office": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "nodes": {"type": "object", "propertyNames": _ID, "additionalProperties": {"$ref": "#/$defs/node"}},
    },
    "required": ["start", "nodes"],
    "additionalProperties": False,
    "$defs": {
        **_NODES,
        "node": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"enum": list(NODE_TYPES)}},
            # if/then per type: an error names the fields of the node's own type, not of all types.
            "allOf": [
                {"if": {"properties": {"type": {"const": kind}}}, "then": {"$ref": f"#/$defs/{kind}"}}
                for kind in NODE_TYPES
            ],
        },
    },
}
_VALIDATOR = Draft202012Validator(FLOW_SCHEMA)

# -- validation ----------------------------------------------------------------------------------
# English templates, keyed by problem code, so that a host can translate them (``params`` fill them).
MESSAGES: dict[str, str] = {
    "schema": "Not a valid flow: %(detail)s",
    "missing_start": "The start node %(node)s does not exist.",
    "unknown_target": "%(field)s points to %(target)s, which does not exist.",
    "unreachable": "No path leads here.",
    "dead_end": "Does not say where to go next (%(field)s).",
    "closed_loop": "These nodes form a loop with no way out: %(nodes)s.",
    "empty_menu": "The menu has no options.",
}


@dataclass(frozen=True, slots=True)
class FlowProblem:
    """One thing wrong with a flow: the node ("" for the whole flow), a code and an English text."""

    node: str
    code: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)


def _problem(node_id: str, code: str, **params: Any) -> FlowProblem:
    return FlowProblem(node_id, code, MESSAGES[code] % params if params else MESSAGES[code], params)


def edges(node: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(field, target)`` for every node this node may lead to (``options.1``, ``next``…)."""
    kind = node.get("type")
    if kind == "menu":
        options = node.get("options")
        if isinstance(options, Mapping):
            for digit, target in sorted(options.items()):
                yield f"options.{digit}", str(target)
    for name in ("next", "on_fail", "then", "else"):
        if name in node:
            yield name, str(node[name])


def validate_flow(flow: Mapping[str, Any]) -> list[FlowProblem]:
    """Everything wrong with ``flow`` (an empty list: it may be published)."""
    problems = [_schema_problem(error) for error in _VALIDATOR.iter_errors(flow)]
    raw_nodes = flow.get("nodes") if isinstance(flow, Mapping) else None
    if not isinstance(raw_nodes, Mapping):
        return problems
    nodes = {str(k): v for k, v in raw_nodes.items() if isinstance(v, Mapping)}
    start = str(flow.get("start", ""))
    if start not in nodes:
        problems.append(_problem("", "missing_start", node=start))
    for node_id, node in nodes.items():
        problems.extend(_node_problems(node_id, node, nodes))
    if start in nodes:
        reachable = _reachable(start, nodes)
        problems.extend(_problem(node_id, "unreachable") for node_id in nodes if node_id not in reachable)
    for loop in _closed_loops(nodes):
        problems.append(_problem(loop[0], "closed_loop", nodes=", ".join(loop)))
    return problems


def _schema_problem(error: Any) -> FlowProblem:
    path = list(error.absolute_path)
    node = str(path[1]) if len(path) >= 2 and path[0] == "nodes" else ""
    where = "/".join(str(part) for part in (path[2:] if node else path))
    detail = f"{where}: {error.message}" if where else str(error.message)
    return _problem(node, "schema", detail=detail)


def _node_problems(node_id: str, node: Mapping[str, Any], nodes: Mapping[str, Any]) -> Iterator[FlowProblem]:
    kind = node.get("type")
    for name, target in edges(node):
        if target not in nodes:
            yield _problem(node_id, "unknown_target", field=name, target=target)
    if kind in NEEDS_NEXT and "next" not in node:
        yield _problem(node_id, "dead_end", field="next")
    if kind == "condition":
        for name in ("then", "else"):
            if name not in node:
                yield _problem(node_id, "dead_end", field=name)
    if kind == "menu" and not node.get("options"):
        yield _problem(node_id, "empty_menu")


def _successors(node: Mapping[str, Any], nodes: Mapping[str, Any]) -> list[str]:
    return [target for _name, target in edges(node) if target in nodes]


def _reachable(start: str, nodes: Mapping[str, Mapping[str, Any]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target in _successors(nodes[todo.pop()], nodes):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _closed_loops(nodes: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    """Cycles the caller can never leave: strongly connected components (Tarjan) with a cycle
    and no edge out of them. A menu looping back to itself is fine as long as one of its
    options, its ``on_fail`` or a condition's branch leads out."""
    graph = {node_id: _successors(node, nodes) for node_id, node in nodes.items()}
    closed = []
    for component in _components(graph):
        members = set(component)
        cyclic = len(component) > 1 or component[0] in graph[component[0]]
        leaves = any(target not in members for node_id in component for target in graph[node_id])
        if cyclic and not leaves:
            closed.append(sorted(component))
    return sorted(closed)


def _components(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (a flow may be long)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node_id, child = work.pop()
            if child == 0:
                index[node_id] = low[node_id] = len(index)
                stack.append(node_id)
                on_stack.add(node_id)
            targets = graph[node_id]
            if child < len(targets):
                work.append((node_id, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node_id] = min(low[node_id], index[target])
                continue
            if low[node_id] == index[node_id]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node_id:
                        break
                found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node_id])
    return found


# -- the services the interpreter needs ----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AuthResult:
    """The answer to a client number + PIN check. ``locked``: too many failures, refused whatever
    the PIN; ``tries_left`` before that lock (informative, the node's ``max_tries`` rules the call)."""

    ok: bool
    client: str = ""
    office: str = ""
    locked: bool = False
    tries_left: int = 0


class Services(Protocol):
    def authenticate(self, number: str, pin: str) -> AuthResult: ...

    def office_open(self, calendar: str, at: float) -> bool: ...

    def is_holiday(self, at: float) -> bool: ...

    def queue_waiting(self, queue: str) -> int: ...

    def queue_available(self, queue: str) -> int: ...

    def queue_for_office(self, office: str, entry: str) -> str: ...


# -- actions -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Play:
    text: str
    prompt: str = ""


@dataclass(frozen=True, slots=True)
class Collect:
    """Play ``text`` and collect digits. The host reports the digits without the terminator, or
    ``None`` when nothing came within ``first_timeout`` (or the next within ``inter_digit_timeout``).
    ``secret``: a PIN — never logged, echoed or recorded by the host."""

    text: str
    min: int = 1
    max: int = 1
    terminator: str = "#"
    first_timeout: float = 5.0
    inter_digit_timeout: float = 3.0
    secret: bool = False


@dataclass(frozen=True, slots=True)
class Enqueue:
    queue: str
    priority: int = 0
    skills: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Transfer:
    number: str


@dataclass(frozen=True, slots=True)
class Voicemail:
    box: str
    text: str


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """Play ``text``, record a callback request for ``office``, then call ``on_callback_recorded``."""

    office: str
    text: str


@dataclass(frozen=True, slots=True)
class Hangup:
    text: str = ""


Action = Play | Collect | Enqueue | Transfer | Voicemail | CallbackRequest | Hangup


class IvrStateError(RuntimeError):
    """The host reported something the session was not waiting for (e.g. digits after a Play)."""


# -- the interpreter -----------------------------------------------------------------------------
Resume = Callable[[], Action]
OnDigits = Callable[[str | None], Action]


class IvrSession:
    """One caller's walk through one flow version. Not thread-safe: one call, one task."""

    def __init__(
        self,
        flow: Mapping[str, Any],
        services: Services,
        *,
        call: str,
        entry: str,
        caller: str,
        clock_now: Callable[[], float],
        sink: Sink | None = None,
    ) -> None:
        self.flow = flow
        self.nodes: Mapping[str, Mapping[str, Any]] = flow["nodes"]
        self.services = services
        self.call = call
        self.entry = entry
        self.caller = caller
        self.clock_now = clock_now
        self.sink = sink
        self.client = ""
        self.office = ""
        self.path: list[str] = []
        self.variables: dict[str, str] = {}
        self.finished = False
        self.current = ""
        self._waiting = ""  # "" (not started) | played | digits | callback | done
        self._resume: Resume | None = None
        self._on_digits: OnDigits | None = None
        self._failures = 0
        self._auth_number = ""

    # -- the host's API ---------------------------------------------------------------------------
    def start(self) -> Action:
        if self._waiting:
            raise IvrStateError("the session has already started")
        return self._goto(str(self.flow["start"]))

    def on_played(self) -> Action:
        return self._continue("played")

    def on_callback_recorded(self) -> Action:
        return self._continue("callback")

    def on_digits(self, digits: str | None) -> Action:
        if self._waiting != "digits" or self._on_digits is None:
            raise IvrStateError(f"not waiting for digits (waiting for {self._waiting or 'start'})")
        handler, self._on_digits = self._on_digits, None
        return handler(digits)

    # -- plumbing ---------------------------------------------------------------------------------
    def _continue(self, what: str) -> Action:
        if self._waiting != what or self._resume is None:
            raise IvrStateError(f"not waiting for {what} (waiting for {self._waiting or 'start'})")
        resume, self._resume = self._resume, None
        return resume()

    def _emit(self, kind: str, **data: Any) -> None:
        if self.sink is not None:
            self.sink(CallEvent(at=self.clock_now(), kind=kind, call=self.call, data=data))

    def _play(self, text: str, then: Resume, prompt: str = "") -> Action:
        self._waiting, self._resume = "played", then
        return Play(text, prompt)

    def _ask(self, collect: Collect, handler: OnDigits) -> Action:
        self._waiting, self._on_digits = "digits", handler
        return collect

    def _finish(self, action: Action) -> Action:
        self._waiting, self.finished = "done", True
        return action

    def _goto(self, node_id: str, steps: int = 0) -> Action:
        """Enter ``node_id``; nodes that need nothing from the caller (conditions, a known
        office) run on at once, up to :data:`MAX_SILENT_STEPS`."""
        node = self.nodes.get(node_id)
        if node is None or steps >= MAX_SILENT_STEPS:
            self._emit(IVR_NODE, node=node_id, type="error", reason="unknown node" if node is None else "loop")
            return self._finish(Hangup())
        self.current = node_id
        self.path.append(node_id)
        self._failures = 0
        kind = str(node["type"])
        self._emit(IVR_NODE, node=node_id, type=kind)
        if kind == "condition":
            return self._goto(str(node["then"] if self._test(node["test"]) else node["else"]), steps + 1)
        if kind == "choose_office" and self.client:  # an identified caller's office is known
            return self._goto(str(node["next"]), steps + 1)
        enter: Callable[[Mapping[str, Any]], Action] = getattr(self, f"_enter_{kind}")
        return enter(node)

    def _fail(self, node: Mapping[str, Any], retry: Resume) -> Action:
        """One more failed input on an input node: retry (after ``invalid_text``) or ``on_fail``."""
        self._failures += 1
        if self._failures > int(node.get("retries", 2)):
            return self._on_fail(node)
        if "invalid_text" in node:
            return self._play(str(node["invalid_text"]), retry)
        return retry()

    def _on_fail(self, node: Mapping[str, Any], text: str = "") -> Action:
        """``on_fail`` if the node has one, else hang up (after ``text``, if any)."""
        if "on_fail" in node:
            target = str(node["on_fail"])
            return self._play(text, lambda: self._goto(target)) if text else self._goto(target)
        return self._finish(Hangup(text))

    # -- placeholders -----------------------------------------------------------------------------
    def _office_or_default(self) -> str:
        return self.office or str(self.flow.get("default_office", ""))

    def _queue(self, queue: str) -> str:
        return self.services.queue_for_office(self._office_or_default(), self.entry) if queue == OFFICE else queue

    def _box(self, box: str) -> str:
        return self._office_or_default() if box == OFFICE else box

    def _test(self, test: Mapping[str, Any]) -> bool:
        now = self.clock_now()
        if "office_open" in test:
            calendar = str(test["office_open"])
            if calendar == OFFICE:
                calendar = self._office_or_default() or "default"
            return self.services.office_open(calendar, now)
        if "holiday" in test:
            return self.services.is_holiday(now)
        if "queue_waiting_over" in test:
            queue, limit = test["queue_waiting_over"]
            return self.services.queue_waiting(self._queue(str(queue))) > int(limit)
        if "queue_agents_available" in test:
            return self.services.queue_available(self._queue(str(test["queue_agents_available"]))) > 0
        if "authenticated" in test:
            return bool(self.client)
        raise ValueError(f"unknown condition {sorted(test)}")  # the schema allows no other

    # -- nodes ------------------------------------------------------------------------------------
    def _enter_play(self, node: Mapping[str, Any]) -> Action:
        target = str(node["next"])
        return self._play(str(node["text"]), lambda: self._goto(target), str(node.get("prompt", "")))

    def _enter_menu(self, node: Mapping[str, Any]) -> Action:
        timeout = float(node.get("timeout", 5))
        collect = Collect(str(node["text"]), 1, 1, "", timeout, timeout)
        options: Mapping[str, str] = node["options"]

        def ask() -> Action:
            return self._ask(collect, on_digits)

        def on_digits(digits: str | None) -> Action:
            if digits is not None and digits in options:
                return self._goto(str(options[digits]))
            return self._fail(node, ask)

        return ask()

    def _enter_collect(self, node: Mapping[str, Any]) -> Action:
        terminator = str(node.get("terminator", "#"))
        low, high = int(node.get("min", 1)), int(node.get("max", 20))
        collect = Collect(
            str(node["text"]),
            low,
            high,
            terminator,
            float(node.get("first_timeout", 5)),
            float(node.get("inter_digit_timeout", 3)),
            bool(node.get("secret", False)),
        )

        def ask() -> Action:
            return self._ask(collect, on_digits)

        def on_digits(digits: str | None) -> Action:
            if digits is not None and terminator and digits.endswith(terminator):
                digits = digits[: -len(terminator)]
            if digits is not None and digits.isdigit() and low <= len(digits) <= high:
                self.variables[str(node["var"])] = digits
                return self._goto(str(node["next"]))
            return self._fail(node, ask)

        return ask()

    def _enter_choose_office(self, node: Mapping[str, Any]) -> Action:
        timeout = float(node.get("timeout", 5))
        collect = Collect(str(node["text"]), 1, 1, "", timeout, timeout)
        options: Mapping[str, str] = node["options"]

        def ask() -> Action:
            return self._ask(collect, on_digits)

        def on_digits(digits: str | None) -> Action:
            if digits is not None and digits in options:
                self.office = str(options[digits])
                return self._goto(str(node["next"]))
            return self._fail(node, ask)

        return ask()

    def _enter_authenticate(self, node: Mapping[str, Any]) -> Action:
        first = float(node.get("first_timeout", 8))
        between = float(node.get("inter_digit_timeout", 4))
        ask_number = Collect(str(node["text_number"]), 1, 12, "#", first, between)
        ask_pin = Collect(str(node["text_pin"]), 4, 8, "#", first, between, secret=True)
        max_tries = int(node.get("max_tries", 3))
        attempts = 0

        def number_prompt() -> Action:
            self._auth_number = ""
            return self._ask(ask_number, on_number)

        def on_number(digits: str | None) -> Action:
            digits = (digits or "").rstrip("#")
            if not digits.isdigit():
                return failed(locked=False)
            self._auth_number = digits
            return self._ask(ask_pin, on_pin)

        def on_pin(digits: str | None) -> Action:
            pin = (digits or "").rstrip("#")
            number, self._auth_number = self._auth_number, ""
            if not pin.isdigit():
                return failed(locked=False)
            result = self.services.authenticate(number, pin)
            del pin  # not kept a moment longer than the check
            if result.ok:
                self.client, self.office = result.client, result.office or self.office
                self._emit(IVR_AUTHENTICATED, node=self.current, client=self.client, office=self.office)
                return self._goto(str(node["next"]))
            return failed(locked=result.locked)

        def failed(*, locked: bool) -> Action:
            nonlocal attempts
            attempts += 1
            self._emit(IVR_AUTH_FAILED, node=self.current, attempt=attempts, locked=locked)
            if locked:
                return self._on_fail(node, str(node.get("locked_text", "")))
            if attempts >= max_tries:
                return self._on_fail(node, str(node.get("invalid_text", "")))
            if "invalid_text" in node:
                return self._play(str(node["invalid_text"]), number_prompt)
            return number_prompt()

        return number_prompt()

    def _enter_enqueue(self, node: Mapping[str, Any]) -> Action:
        queue = self._queue(str(node["queue"]))
        skills = tuple(str(skill) for skill in node.get("skills", ()))
        return self._finish(Enqueue(queue, int(node.get("priority", 0)), skills))

    def _enter_transfer(self, node: Mapping[str, Any]) -> Action:
        return self._finish(Transfer(str(node["number"])))

    def _enter_voicemail(self, node: Mapping[str, Any]) -> Action:
        return self._finish(Voicemail(self._box(str(node["box"])), str(node["text"])))

    def _enter_callback(self, node: Mapping[str, Any]) -> Action:
        target = str(node["next"])
        self._waiting, self._resume = "callback", lambda: self._goto(target)
        return CallbackRequest(self._office_or_default(), str(node["text"]))

    def _enter_hangup(self, node: Mapping[str, Any]) -> Action:
        return self._finish(Hangup(str(node.get("text", ""))))
