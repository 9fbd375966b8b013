"""The explicit transition table: every allowed transition works, everything else is refused."""

from __future__ import annotations

import itertools

import pytest

from okienko.cases.workflow import (
    TRANSITIONS,
    ActorKind,
    Status,
    TransitionNotAllowed,
    allowed_targets,
    check_transition,
    is_allowed,
)

ALL_PAIRS = list(itertools.product(Status.values, Status.values))
ACTORS = list(ActorKind.values)


@pytest.mark.parametrize(("frm", "to"), sorted(TRANSITIONS))
def test_every_listed_transition_is_allowed_for_its_actors(frm: str, to: str) -> None:
    for actor in ACTORS:
        if actor in TRANSITIONS[(frm, to)]:
            check_transition(frm, to, [actor])
        else:
            with pytest.raises(TransitionNotAllowed, match="not allowed for your role"):
                check_transition(frm, to, [actor])


@pytest.mark.parametrize(("frm", "to"), [p for p in ALL_PAIRS if p not in TRANSITIONS])
def test_every_unlisted_transition_is_refused_for_everyone(frm: str, to: str) -> None:
    with pytest.raises(TransitionNotAllowed, match="the workflow has no such transition"):
        check_transition(frm, to, ACTORS)
    assert not is_allowed(frm, to, ACTORS)


def test_no_status_transitions_to_itself() -> None:
    assert all(frm != to for frm, to in TRANSITIONS)


def test_every_status_is_reachable_from_new() -> None:
    seen = {Status.NEW.value}
    frontier = [Status.NEW.value]
    while frontier:
        current = frontier.pop()
        for frm, to in TRANSITIONS:
            if frm == current and to not in seen:
                seen.add(to)
                frontier.append(to)
    assert seen == set(Status.values)


def test_client_may_only_reopen_or_answer() -> None:
    client_moves = sorted((f, t) for (f, t), who in TRANSITIONS.items() if ActorKind.CLIENT in who)
    assert client_moves == [
        ("closed", "reopened"),
        ("resolved", "reopened"),
        ("waiting_client", "in_progress"),
    ]


def test_consultant_cannot_resolve() -> None:
    assert "resolved" not in allowed_targets("in_progress", [ActorKind.CONSULTANT])


def test_allowed_targets_for_expert_in_progress() -> None:
    assert allowed_targets("in_progress", [ActorKind.EXPERT]) == [
        "waiting_client",
        "waiting_third_party",
        "resolved",
        "duplicate",
        "split",
    ]


def test_only_supervisor_cancels_work_in_progress() -> None:
    assert is_allowed("in_progress", "cancelled", [ActorKind.SUPERVISOR])
    assert not is_allowed("in_progress", "cancelled", [ActorKind.EXPERT])


def test_nothing_goes_back_to_registered() -> None:
    """Issue 12, item 7: a case leaves triage only forwards, for every actor and every status."""
    everyone = list(ActorKind.values)
    assert [f for f in Status.values if is_allowed(f, "registered", everyone)] == ["new"]
