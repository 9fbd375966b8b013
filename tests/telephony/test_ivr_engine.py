"""The IVR interpreter and flow validation, with a fake ``Services`` (no Django)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest

from okienko.telephony.engine.events import IVR_AUTH_FAILED, IVR_AUTHENTICATED, IVR_NODE, CallEvent, MemoryLog
from okienko.telephony.engine.ivr import (
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
    validate_flow,
)

PIN = "739155"
WRONG = "111199"


@dataclass
class FakeServices:
    """Client 4242 with PIN ``PIN`` at office pup-a; locks after ``lock_after`` failures."""

    open: bool = True
    holiday: bool = False
    waiting: dict[str, int] = field(default_factory=dict)
    available: dict[str, int] = field(default_factory=dict)
    lock_after: int = 99
    failures: int = 0
    checked: list[str] = field(default_factory=list)
    calendars: list[str] = field(default_factory=list)

    def authenticate(self, number: str, pin: str) -> AuthResult:
        self.checked.append(number)
        if self.failures >= self.lock_after:
            return AuthResult(ok=False, locked=True)
        if number == "4242" and pin == PIN:
            self.failures = 0
            return AuthResult(ok=True, client="K0004242", office="pup-a")
        self.failures += 1
        locked = self.failures >= self.lock_after
        return AuthResult(ok=False, locked=locked, tries_left=max(0, self.lock_after - self.failures))

    def office_open(self, calendar: str, at: float) -> bool:
        self.calendars.append(calendar)
        return self.open

    def is_holiday(self, at: float) -> bool:
        return self.holiday

    def queue_waiting(self, queue: str) -> int:
        return self.waiting.get(queue, 0)

    def queue_available(self, queue: str) -> int:
        return self.available.get(queue, 0)

    def queue_for_office(self, office: str, entry: str) -> str:
        return f"{office}-{entry}"


FLOW: dict[str, Any] = {
    "start": "welcome",
    "default_office": "wup",
    "nodes": {
        "welcome": {"type": "play", "text": "Dzień dobry.", "prompt": "welcome", "next": "holiday"},
        "holiday": {"type": "condition", "test": {"holiday": True}, "then": "closed", "else": "hours"},
        "hours": {"type": "condition", "test": {"office_open": "default"}, "then": "menu", "else": "closed"},
        "menu": {
            "type": "menu",
            "text": "Jeśli masz numer klienta, naciśnij 1. Aby wybrać urząd, naciśnij 2.",
            "options": {"1": "auth", "2": "office", "3": "callback", "9": "menu"},
            "timeout": 5,
            "retries": 2,
            "invalid_text": "Nie ma takiej opcji.",
            "on_fail": "general",
        },
        "auth": {
            "type": "authenticate",
            "text_number": "Wpisz numer klienta i zatwierdź krzyżykiem.",
            "text_pin": "Wpisz PIN i zatwierdź krzyżykiem.",
            "invalid_text": "Numer klienta lub PIN jest nieprawidłowy.",
            "locked_text": "Dostęp został czasowo zablokowany.",
            "max_tries": 3,
            "next": "queue",
            "on_fail": "general",
        },
        "office": {
            "type": "choose_office",
            "text": "Białystok – 1, Łomża – 2.",
            "options": {"1": "pup-a", "2": "pup-b"},
            "next": "queue",
            "on_fail": "general",
        },
        "queue": {"type": "enqueue", "queue": "{office}", "priority": 5, "skills": ["bezrobotni"]},
        "general": {"type": "enqueue", "queue": "wup-info"},
        "callback": {"type": "callback", "text": "Oddzwonimy.", "next": "bye"},
        "bye": {"type": "hangup", "text": "Do widzenia."},
        "closed": {"type": "voicemail", "box": "{office}", "text": "Urząd jest nieczynny. Zostaw wiadomość."},
    },
}


def session(services: FakeServices | None = None, flow: dict[str, Any] | None = None) -> tuple[IvrSession, MemoryLog]:
    log = MemoryLog()
    ivr = IvrSession(
        flow or FLOW,
        services or FakeServices(),
        call="c1",
        entry="9510",
        caller="+48600100200",
        clock_now=lambda: 1000.0,
        sink=log.append,
    )
    return ivr, log


def to_menu(ivr: IvrSession) -> Collect:
    assert ivr.start() == Play("Dzień dobry.", "welcome")
    action = ivr.on_played()
    assert isinstance(action, Collect)
    return action


def kinds(log: MemoryLog, kind: str) -> list[dict[str, Any]]:
    return [event.data for event in log if event.kind == kind]


# -- validation ----------------------------------------------------------------------------------
def codes(flow: dict[str, Any]) -> set[tuple[str, str]]:
    return {(problem.node, problem.code) for problem in validate_flow(flow)}


def test_the_sample_flow_is_valid() -> None:
    assert validate_flow(FLOW) == []


def test_schema_errors_name_the_node() -> None:
    flow = copy.deepcopy(FLOW)
    flow["nodes"]["welcome"]["colour"] = "red"
    flow["nodes"]["queue"]["priority"] = "high"
    flow["nodes"]["bye"] = {"type": "dance"}
    problems = validate_flow(flow)
    assert {(p.node, p.code) for p in problems} == {("welcome", "schema"), ("queue", "schema"), ("bye", "schema")}
    assert any("priority" in p.message for p in problems)


def test_missing_start_and_unknown_targets() -> None:
    flow = copy.deepcopy(FLOW)
    flow["start"] = "nowhere"
    flow["nodes"]["menu"]["options"]["4"] = "ghost"
    found = codes(flow)
    assert ("", "missing_start") in found
    assert ("menu", "unknown_target") in found
    problem = next(p for p in validate_flow(flow) if p.code == "unknown_target")
    assert problem.params == {"field": "options.4", "target": "ghost"}
    assert "options.4" in problem.message


def test_unreachable_nodes() -> None:
    flow = copy.deepcopy(FLOW)
    flow["nodes"]["orphan"] = {"type": "hangup"}
    assert codes(flow) == {("orphan", "unreachable")}


def test_dead_ends() -> None:
    flow = copy.deepcopy(FLOW)
    del flow["nodes"]["callback"]["next"]
    del flow["nodes"]["hours"]["else"]
    assert codes(flow) == {("callback", "dead_end"), ("hours", "dead_end"), ("bye", "unreachable")}


def test_loops_without_exit() -> None:
    flow = copy.deepcopy(FLOW)
    flow["nodes"]["callback"]["next"] = "again"
    flow["nodes"]["again"] = {"type": "play", "text": "Jeszcze raz.", "next": "callback"}
    del flow["nodes"]["bye"]
    problems = [p for p in validate_flow(flow) if p.code == "closed_loop"]
    assert [p.params["nodes"] for p in problems] == ["again, callback"]


def test_a_menu_repeating_itself_is_not_a_closed_loop() -> None:
    # Option 9 goes back to the menu itself; other options lead out.
    assert "closed_loop" not in {p.code for p in validate_flow(FLOW)}


def test_menu_without_options() -> None:
    flow = copy.deepcopy(FLOW)
    flow["nodes"]["menu"]["options"] = {}
    found = codes(flow)
    assert ("menu", "empty_menu") in found
    assert ("auth", "unreachable") in found


def test_not_even_an_object_is_reported_not_raised() -> None:
    assert {p.code for p in validate_flow({"nodes": []})} == {"schema"}


# -- the interpreter -----------------------------------------------------------------------------
def test_full_path_menu_authenticate_after_two_wrong_pins_enqueues_to_the_clients_office() -> None:
    services = FakeServices()
    ivr, log = session(services)
    menu = to_menu(ivr)
    assert menu.max == 1
    assert not menu.secret
    number = ivr.on_digits("1")
    assert isinstance(number, Collect)
    assert not number.secret
    for attempt in (1, 2):
        pin = ivr.on_digits("4242")
        assert isinstance(pin, Collect)
        assert pin.secret
        assert pin.min == 4
        assert ivr.on_digits(WRONG) == Play("Numer klienta lub PIN jest nieprawidłowy.")
        assert isinstance(ivr.on_played(), Collect)
        assert kinds(log, IVR_AUTH_FAILED)[-1] == {"node": "auth", "attempt": attempt, "locked": False}
    ivr.on_digits("4242")
    action = ivr.on_digits(PIN + "#")
    assert action == Enqueue("pup-a-9510", 5, ("bezrobotni",))
    assert ivr.finished
    assert (ivr.client, ivr.office) == ("K0004242", "pup-a")
    assert ivr.path == ["welcome", "holiday", "hours", "menu", "auth", "queue"]
    assert kinds(log, IVR_AUTHENTICATED) == [{"node": "auth", "client": "K0004242", "office": "pup-a"}]
    assert [e["node"] for e in kinds(log, IVR_NODE)] == ivr.path


def test_lockout_after_max_tries_goes_to_on_fail() -> None:
    ivr, log = session(FakeServices())
    to_menu(ivr)
    ivr.on_digits("1")
    for _ in range(2):
        ivr.on_digits("4242")
        ivr.on_digits(WRONG)
        ivr.on_played()
    ivr.on_digits("4242")
    # The third failure: the invalid text is said once more, then on_fail (the general queue).
    assert ivr.on_digits(WRONG) == Play("Numer klienta lub PIN jest nieprawidłowy.")
    assert ivr.on_played() == Enqueue("wup-info")
    assert ivr.client == ""
    assert [e["attempt"] for e in kinds(log, IVR_AUTH_FAILED)] == [1, 2, 3]


def test_a_locked_client_is_told_so_and_leaves_at_once() -> None:
    services = FakeServices(lock_after=1)
    ivr, log = session(services)
    to_menu(ivr)
    ivr.on_digits("1")
    ivr.on_digits("4242")
    assert ivr.on_digits(WRONG) == Play("Dostęp został czasowo zablokowany.")
    assert ivr.on_played() == Enqueue("wup-info")
    assert kinds(log, IVR_AUTH_FAILED) == [{"node": "auth", "attempt": 1, "locked": True}]


def test_no_pin_digits_in_any_event() -> None:
    ivr, log = session(FakeServices())
    to_menu(ivr)
    ivr.on_digits("1")
    ivr.on_digits("4242")
    ivr.on_digits(WRONG)
    ivr.on_played()
    ivr.on_digits("4242")
    ivr.on_digits(PIN)
    serialised = "\n".join(event.to_json() for event in log)
    assert PIN not in serialised
    assert WRONG not in serialised
    assert all(CallEvent.from_json(event.to_json()) == event for event in log)
    assert PIN not in repr(vars(ivr))


def test_menu_timeouts_and_invalid_keys_retry_then_on_fail() -> None:
    ivr, _log = session()
    menu = to_menu(ivr)
    assert ivr.on_digits(None) == Play("Nie ma takiej opcji.")
    assert ivr.on_played() == menu
    assert ivr.on_digits("7") == Play("Nie ma takiej opcji.")
    assert ivr.on_played() == menu
    # retries = 2: the third failure leaves through on_fail without another retry.
    assert ivr.on_digits(None) == Enqueue("wup-info")
    assert ivr.path[-2:] == ["menu", "general"]


def test_menu_option_back_to_itself_resets_the_retries() -> None:
    ivr, _log = session()
    to_menu(ivr)
    ivr.on_digits(None)
    ivr.on_played()
    assert isinstance(ivr.on_digits("9"), Collect)
    assert ivr.path.count("menu") == 2


def test_collect_checks_length_and_stores_the_variable() -> None:
    flow = {
        "start": "ask",
        "nodes": {
            "ask": {
                "type": "collect",
                "text": "Podaj numer sprawy.",
                "var": "case",
                "min": 3,
                "max": 6,
                "retries": 1,
                "next": "go",
                "on_fail": "bye",
            },
            "go": {"type": "transfer", "number": "856000000"},
            "bye": {"type": "hangup"},
        },
    }
    assert validate_flow(flow) == []
    ivr, _log = session(flow=flow)
    ask = ivr.start()
    assert ask == Collect("Podaj numer sprawy.", 3, 6, "#", 5.0, 3.0, False)
    assert ivr.on_digits("12") == ask  # too short, no invalid text: asked again
    assert ivr.on_digits("1234#") == Transfer("856000000")
    assert ivr.variables == {"case": "1234"}
    ivr2, _log = session(flow=flow)
    ivr2.start()
    ivr2.on_digits(None)
    assert ivr2.on_digits(None) == Hangup("")


@pytest.mark.parametrize(
    ("holiday", "open_", "expected"),
    [(True, True, "closed"), (False, False, "closed"), (False, True, "menu")],
)
def test_holiday_and_office_hours_conditions(holiday: bool, open_: bool, expected: str) -> None:
    services = FakeServices(open=open_, holiday=holiday)
    ivr, _log = session(services)
    ivr.start()
    action = ivr.on_played()
    assert ivr.current == expected
    if expected == "closed":
        # Nobody known yet: the flow's default office takes the voicemail.
        assert action == Voicemail("wup", "Urząd jest nieczynny. Zostaw wiadomość.")


def test_office_calendar_placeholder_and_queue_conditions() -> None:
    flow = {
        "start": "office",
        "nodes": {
            "office": {"type": "choose_office", "text": "Wybierz urząd.", "options": {"1": "pup-b"}, "next": "open"},
            "open": {"type": "condition", "test": {"office_open": "{office}"}, "then": "busy", "else": "vm"},
            "busy": {
                "type": "condition",
                "test": {"queue_waiting_over": ["{office}", 10]},
                "then": "cb",
                "else": "agents",
            },
            "agents": {"type": "condition", "test": {"queue_agents_available": "{office}"}, "then": "q", "else": "cb"},
            "cb": {"type": "callback", "text": "Oddzwonimy.", "next": "bye"},
            "q": {"type": "enqueue", "queue": "{office}"},
            "vm": {"type": "voicemail", "box": "{office}", "text": "Zostaw wiadomość."},
            "bye": {"type": "hangup", "text": "Do widzenia."},
        },
    }
    assert validate_flow(flow) == []
    services = FakeServices(waiting={"pup-b-9510": 11})
    ivr, _log = session(services, flow)
    ivr.start()
    assert ivr.on_digits("1") == CallbackRequest("pup-b", "Oddzwonimy.")
    assert services.calendars == ["pup-b"]
    assert ivr.on_callback_recorded() == Hangup("Do widzenia.")
    services = FakeServices(available={"pup-b-9510": 2})
    ivr, _log = session(services, flow)
    ivr.start()
    assert ivr.on_digits("1") == Enqueue("pup-b-9510")


def test_choose_office_is_skipped_for_an_authenticated_caller() -> None:
    flow = copy.deepcopy(FLOW)
    flow["nodes"]["auth"]["next"] = "office"
    ivr, _log = session(FakeServices(), flow)
    to_menu(ivr)
    ivr.on_digits("1")
    ivr.on_digits("4242")
    assert ivr.on_digits(PIN) == Enqueue("pup-a-9510", 5, ("bezrobotni",))
    assert ivr.path[-2:] == ["office", "queue"]


def test_callback_then_hangup() -> None:
    ivr, _log = session()
    to_menu(ivr)
    assert ivr.on_digits("3") == CallbackRequest("wup", "Oddzwonimy.")
    assert ivr.on_callback_recorded() == Hangup("Do widzenia.")
    assert ivr.finished


def test_reports_out_of_turn_are_refused() -> None:
    ivr, _log = session()
    with pytest.raises(IvrStateError):
        ivr.on_digits("1")
    ivr.start()
    with pytest.raises(IvrStateError):
        ivr.on_digits("1")
    with pytest.raises(IvrStateError):
        ivr.start()


def test_conditions_chasing_each_other_hang_up_instead_of_spinning() -> None:
    flow = {
        "start": "a",
        "nodes": {
            "a": {"type": "condition", "test": {"authenticated": True}, "then": "out", "else": "b"},
            "b": {"type": "condition", "test": {"holiday": True}, "then": "out", "else": "a"},
            "out": {"type": "hangup"},
        },
    }
    assert validate_flow(flow) == []  # a way out exists, the data just never takes it
    ivr, log = session(FakeServices(), flow)
    assert ivr.start() == Hangup("")
    assert log.events[-1].data["type"] == "error"


def test_choose_office_asks_again_when_the_caller_only_chose_before() -> None:
    flow = copy.deepcopy(FLOW)
    flow["nodes"]["office"]["options"]["9"] = "pup-b"
    flow["nodes"]["again"] = {
        "type": "choose_office",
        "text": "Wybierz urząd.",
        "options": {"1": "pup-a"},
        "next": "queue",
    }
    flow["nodes"]["office"]["next"] = "again"
    ivr, _log = session(FakeServices(), flow)
    to_menu(ivr)
    ivr.on_digits("2")
    assert isinstance(ivr.on_digits("9"), Collect)  # not authenticated: asked, not skipped
    assert ivr.on_digits("1") == Enqueue("pup-a-9510", 5, ("bezrobotni",))
