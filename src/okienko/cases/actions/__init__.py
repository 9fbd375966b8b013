"""Every write to a case: one transaction, an audit entry, a timeline event and a domain event.

Mutating actions take ``expected_version`` (optimistic locking): the case row is locked, and when
its ``version`` is not the one the writer saw, ``StaleCase`` is raised and nothing is written.

The actions live in one module per subdomain; import them from here (``actions.open_case``):

- ``intake``: opening a case and correcting its details;
- ``workflow``: status transitions, asking the client, resolving, reopening;
- ``assignment``: units and people a case is assigned to;
- ``notes`` and ``files``: what is written and attached to a case;
- ``client_messages``: what the client sends on a case by themselves (an e-mail reply);
- ``relations``: splitting, merging and the parties of a case;
- ``base``: what they share (locking, timeline, event payload, case numbers, status side effects).
"""

from okienko.cases.actions.assignment import assign_case, bulk_assign
from okienko.cases.actions.base import (
    TRACKED,
    OutOfScope,
    StaleCase,
    _actor_repr,
    _apply_status,
    _event,
    _increment,
    _lock,
    _payload,
    _require_work,
    _save,
    _timeline,
    next_number,
)
from okienko.cases.actions.client_messages import add_client_message
from okienko.cases.actions.files import add_attachment
from okienko.cases.actions.filters import save_filter
from okienko.cases.actions.intake import EDITABLE, _link_interaction, open_case, update_case
from okienko.cases.actions.notes import _add_note, add_note, note_unit_for
from okienko.cases.actions.relations import add_party, merge_cases, open_duplicate_case, split_case
from okienko.cases.actions.workflow import ask_client, escalate_case, reopen_case, resolve_case, transition_case

__all__ = [
    "EDITABLE",
    "TRACKED",
    "OutOfScope",
    "StaleCase",
    "_actor_repr",
    "_add_note",
    "_apply_status",
    "_event",
    "_increment",
    "_link_interaction",
    "_lock",
    "_payload",
    "_require_work",
    "_save",
    "_timeline",
    "add_attachment",
    "add_client_message",
    "add_note",
    "add_party",
    "ask_client",
    "assign_case",
    "bulk_assign",
    "escalate_case",
    "merge_cases",
    "next_number",
    "note_unit_for",
    "open_case",
    "open_duplicate_case",
    "reopen_case",
    "resolve_case",
    "save_filter",
    "split_case",
    "transition_case",
    "update_case",
]
