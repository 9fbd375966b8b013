"""The domain error hierarchy and its one mapping per surface (API, Open311, desk)."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy

from okienko.api.problems import from_domain as problem_of
from okienko.cases.actions import OutOfScope, StaleCase
from okienko.cases.intake import CaseInputError
from okienko.cases.workflow import CaseFinished, TransitionNotAllowed
from okienko.clients.errors import ClientError, DuplicatesFound
from okienko.core import errors
from okienko.integrations.open311.errors import from_domain as open311_of
from okienko.interactions.actions import InteractionError
from okienko.knowledge import errors as knowledge_errors


def test_every_app_error_is_a_domain_error_with_its_status_and_slug() -> None:
    cases = [
        (CaseInputError({"description": "x"}), 400, "validation-error"),
        (ClientError("x", field="pesel"), 400, "validation-error"),
        (DuplicatesFound([], blocking=False), 409, "possible-duplicates"),
        (InteractionError("x"), 400, "validation-error"),
        (knowledge_errors.InvalidArticle("x"), 400, "validation-error"),
        (knowledge_errors.StaleVersion(3), 412, "precondition-failed"),
        (knowledge_errors.TransitionNotAllowed("x"), 409, "transition-not-allowed"),
        (TransitionNotAllowed("new", "closed", "no"), 409, "transition-not-allowed"),
        (CaseFinished("closed", "closed", "finished"), 409, "case-finished"),
        (OutOfScope("x"), 403, "forbidden"),
    ]
    for exc, status, slug in cases:
        assert isinstance(exc, errors.DomainError)
        assert (exc.status, exc.slug) == (status, slug), type(exc)


def test_one_transition_error_for_cases_and_knowledge() -> None:
    assert issubclass(knowledge_errors.TransitionNotAllowed, TransitionNotAllowed)
    assert TransitionNotAllowed is errors.TransitionNotAllowed


def test_forbidden_and_not_found_are_still_django_errors() -> None:
    assert isinstance(errors.Forbidden(), PermissionDenied)
    assert isinstance(errors.NotFound(), Http404)


def test_the_message_is_translated_when_shown() -> None:
    exc = errors.Conflict(gettext_lazy("This change of status is not allowed."))
    with translation.override("en"):
        assert errors.user_message(exc) == "This change of status is not allowed."
    with translation.override("pl"):
        assert errors.user_message(exc) == "Taka zmiana statusu jest niedozwolona."


def test_invalid_input_shows_each_field_message_on_the_desk() -> None:
    exc = CaseInputError({"description": "Opisz sprawę.", "priority": "Nieznany priorytet."})
    assert errors.user_message(exc) == "Opisz sprawę. Nieznany priorytet."
    assert str(exc) == "description: Opisz sprawę.; priority: Nieznany priorytet."


def test_api_problem_carries_status_slug_field_errors_and_the_version() -> None:
    problem = problem_of(ClientError("Zły PESEL.", field="pesel"))
    assert (problem.status_code, problem.slug, str(problem.detail)) == (400, "validation-error", "Zły PESEL.")
    assert problem.extra == {"errors": {"pesel": ["Zły PESEL."]}}
    stale = problem_of(knowledge_errors.StaleVersion(7))
    assert (stale.status_code, stale.slug) == (412, "precondition-failed")
    assert stale.extra == {"version": 7, "etag": '"v7"'}


def test_open311_error_names_each_field() -> None:
    error = open311_of(CaseInputError({"description": "Describe the matter."}))
    assert error.as_data() == [{"code": 400, "description": "description: Describe the matter."}]
    assert open311_of(errors.Forbidden("No.")).as_data() == [{"code": 403, "description": "No."}]


def test_stale_case_keeps_its_technical_description() -> None:
    class _Case:
        number, version = "LODZ/2026/000001", 4

    exc = StaleCase(cast(Any, _Case()), 3)
    assert (exc.current_version, exc.status) == (4, 412)
    assert str(exc) == "case LODZ/2026/000001 is at version 4, not 3"
