"""The desk's IVR editor (issue 16): test calls replayed from the browser's inputs (pure), the
difference between two definitions (pure), and the editor's pages and JSON endpoints — scope by
organisation, saves refused over someone else's, validation, publication, versions and rollback,
entry numbers, every write audited, and hostile input answered with a 400 problem, never a 500."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as WebClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.core.models import AuditRecord
from okienko.telephony.ivr import actions, testcall
from okienko.telephony.ivr.diff import diff_definitions, revision
from okienko.telephony.ivr.models import EntryNumber, Flow, FlowVersion
from okienko.telephony.ivr.testcall import SimulatedServices, replay

FLOW: dict[str, Any] = {
    "start": "hello",
    "default_office": "pup-a",
    "nodes": {
        "hello": {"type": "play", "text": "Dzień dobry.", "next": "open"},
        "open": {"type": "condition", "test": {"office_open": "{office}"}, "then": "menu", "else": "mail"},
        "menu": {
            "type": "menu",
            "text": "Sprawy klientów – 1, identyfikacja – 2.",
            "options": {"1": "queue", "2": "who"},
            "retries": 1,
            "invalid_text": "Nie rozpoznano.",
            "on_fail": "bye",
        },
        "who": {"type": "authenticate", "text_number": "Numer?", "text_pin": "PIN?", "next": "vip", "on_fail": "bye"},
        "vip": {"type": "enqueue", "queue": "{office}", "priority": 5},
        "queue": {"type": "enqueue", "queue": "tel-pup-a", "skills": ["ogolne"]},
        "mail": {"type": "voicemail", "box": "{office}", "text": "Zostaw wiadomość."},
        "bye": {"type": "hangup", "text": "Do widzenia."},
    },
}


# -- test calls (pure) ---------------------------------------------------------------------------
def test_a_test_call_waits_for_the_menu_key_after_the_greeting() -> None:
    out = replay(FLOW, [], SimulatedServices())
    assert out.path == ["hello", "open", "menu"]
    assert out.pending is not None
    assert (out.pending["node"], out.pending["max"]) == ("menu", 1)
    assert [s.kind for s in out.transcript] == ["play", "ask"]
    assert out.result is None
    assert out.error == ""


def test_pressing_one_enqueues_with_the_skills() -> None:
    out = replay(FLOW, ["1"], SimulatedServices())
    assert out.result == {"kind": "enqueue", "queue": "tel-pup-a", "priority": 0, "skills": ["ogolne"]}
    assert out.path == ["hello", "open", "menu", "queue"]
    assert out.transcript[-1].kind == "end"


def test_a_closed_office_goes_to_voicemail_of_the_default_office() -> None:
    out = replay(FLOW, [], SimulatedServices(office_is_open=False))
    assert out.result == {"kind": "voicemail", "box": "pup-a", "text": "Zostaw wiadomość."}


def test_time_outs_retry_then_fail_over() -> None:
    out = replay(FLOW, ["timeout", "timeout"], SimulatedServices())
    assert out.result == {"kind": "hangup", "text": "Do widzenia."}
    assert [s.kind for s in out.transcript].count("timeout") == 2
    assert out.path[-1] == "bye"


def test_only_the_test_client_and_pin_are_accepted_and_the_pin_is_not_shown() -> None:
    services = SimulatedServices(client_number="777", client_pin="2468", client_office="pup-b")
    good = replay(FLOW, ["2", "777#", "2468#"], services)
    assert good.result == {"kind": "enqueue", "queue": "tel-pup-b", "priority": 5, "skills": []}
    assert "2468" not in json.dumps(good.as_dict())
    bad = replay(FLOW, ["2", "777#", "1111#"], services)
    assert bad.result is None
    assert bad.pending is not None
    assert bad.pending["node"] == "who"


def test_wrong_inputs_and_broken_nodes_are_reported_not_raised() -> None:
    assert replay(FLOW, ["abc"], SimulatedServices()).error_code == "unexpected_input"
    broken = copy.deepcopy(FLOW)
    del broken["nodes"]["hello"]["text"]
    assert replay(broken, [], SimulatedServices()).error_code == "broken_node"
    assert replay(FLOW, ["timeout"] * 300, SimulatedServices()).error_code == "too_long"


def test_without_auto_continue_plays_wait_for_played() -> None:
    out = replay(FLOW, [], SimulatedServices(), auto_continue=False)
    assert out.pending == {"kind": "played", "node": "hello"}
    assert replay(FLOW, ["played", "1"], SimulatedServices(), auto_continue=False).result is not None
    assert replay(FLOW, ["1"], SimulatedServices(), auto_continue=False).error_code == "unexpected_input"


def test_the_panels_answers_are_parsed_with_defaults() -> None:
    parsed = testcall.services_from({"office_open": "yes", "waiting": "7", "available": -3, "client_number": 5})
    assert parsed == SimulatedServices(office_is_open=True, waiting=7, available=0, client_number="1234")


# -- differences (pure) --------------------------------------------------------------------------
def test_the_diff_lists_added_removed_and_changed_fields() -> None:
    after = copy.deepcopy(FLOW)
    after["start"] = "menu"
    after["nodes"]["menu"]["options"]["3"] = "mail"
    after["nodes"]["menu"]["options"].pop("2")
    del after["nodes"]["bye"]
    after["nodes"]["new"] = {"type": "hangup"}
    diff = diff_definitions(FLOW, after)
    assert diff["flow"] == [{"field": "start", "before": "hello", "after": "menu"}]
    by_node = {n["node"]: n for n in diff["nodes"]}
    assert by_node["bye"]["status"] == "removed"
    assert by_node["new"] == {
        "node": "new",
        "status": "added",
        "fields": [{"field": "type", "before": None, "after": "hangup"}],
    }
    assert by_node["menu"]["fields"] == [
        {"field": "options.2", "before": "who", "after": None},
        {"field": "options.3", "before": None, "after": "mail"},
    ]
    assert diff_definitions(FLOW, copy.deepcopy(FLOW))["same"] is True
    assert revision({"a": 1, "b": 2}) == revision({"b": 2, "a": 1})


# -- the pages -----------------------------------------------------------------------------------
pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def org_a(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def flow_a(org_a: Organisation) -> Flow:
    flow = Flow.objects.create(organisation=org_a, code="flow-a", name="Linia A")
    actions.publish(actor=None, version=actions.create_draft(actor=None, flow=flow, definition=FLOW))
    return flow


@pytest.fixture
def flow_b(region: Organisation) -> Flow:
    flow = Flow.objects.create(organisation=Organisation.objects.get(code="pup-b"), code="flow-b", name="Linia B")
    actions.create_draft(actor=None, flow=flow, definition=FLOW)
    return flow


@pytest.fixture
def boss_a(make_user: Callable[..., User], org_a: Organisation) -> User:
    return make_user("kierownik.a", roles=[(org_a, Role.SUPERVISOR)])


@pytest.fixture
def web(client: WebClient, boss_a: User) -> WebClient:
    client.force_login(boss_a)
    return client


def post_json(web: WebClient, url: str, body: Any) -> Any:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return web.post(url, data=data, content_type="application/json")


def draft_of(flow: Flow) -> FlowVersion:
    version = flow.versions.order_by("-number").first()
    assert version is not None
    return version


def test_the_list_shows_only_the_organisations_flows_and_the_nav_links_it(
    web: WebClient, flow_a: Flow, flow_b: Flow
) -> None:
    page = web.get("/desk/phone/ivr/").content.decode()
    assert "Linia A" in page
    assert "Linia B" not in page
    assert 'href="/desk/phone/ivr/"' in web.get("/desk/").content.decode()


def test_a_consultant_is_refused_and_another_office_is_not_found(
    client: WebClient, make_user: Callable[..., User], org_a: Organisation, web: WebClient, flow_b: Flow
) -> None:
    assert web.get("/desk/phone/ivr/flows/flow-b/").status_code == 404
    assert post_json(web, "/desk/phone/ivr/flows/flow-b/save", {"definition": FLOW, "revision": "x"}).status_code == 404
    hidden = post_json(web, "/desk/phone/ivr/flows/flow-b/test-call", {"definition": FLOW})
    assert hidden.status_code == 404
    assert hidden["Content-Type"] == "application/problem+json"
    assert web.post("/desk/phone/ivr/flows/flow-b/draft").status_code == 404
    consultant = make_user("konsultant", roles=[(org_a, Role.CONSULTANT)])
    other = WebClient()
    other.force_login(consultant)
    assert other.get("/desk/phone/ivr/").status_code == 403
    refused = post_json(other, "/desk/phone/ivr/flows/flow-b/validate", {"definition": FLOW})
    assert refused.status_code == 403
    assert refused.json()["status"] == 403
    assert 'href="/desk/phone/ivr/"' not in other.get("/desk/").content.decode()


def test_an_administrator_edits_too(
    client: WebClient, make_user: Callable[..., User], org_a: Organisation, flow_a: Flow
) -> None:
    client.force_login(make_user("admin.a", roles=[(org_a, Role.ADMINISTRATOR)]))
    assert client.get("/desk/phone/ivr/flows/flow-a/").status_code == 200
    # Once in the navigation and once among the start page's tiles, though both roles grant it.
    assert client.get("/desk/").content.decode().count('href="/desk/phone/ivr/"') == 2


def test_creating_a_flow_makes_a_valid_first_draft_audited(web: WebClient, org_a: Organisation) -> None:
    answer = web.post("/desk/phone/ivr/", {"organisation": "pup-a", "code": "nowa", "name": "Nowa linia"})
    assert answer.status_code == 302
    assert answer["Location"] == "/desk/phone/ivr/flows/nowa/"
    flow = Flow.objects.get(code="nowa")
    assert flow.organisation == org_a
    assert draft_of(flow).problems() == []
    assert AuditRecord.objects.filter(action="telephony_ivr.flow_created", organisation_id=org_a.pk).exists()
    refused = web.post("/desk/phone/ivr/", {"organisation": "pup-b", "code": "obca", "name": "X"})
    assert refused.status_code == 200
    assert not Flow.objects.filter(code="obca").exists()


def test_the_editor_of_a_published_flow_offers_a_new_draft(web: WebClient, flow_a: Flow) -> None:
    page = web.get("/desk/phone/ivr/flows/flow-a/").content.decode()
    assert "/desk/phone/ivr/flows/flow-a/draft" in page
    assert 'id="ivr-state"' in page
    assert web.post("/desk/phone/ivr/flows/flow-a/draft").status_code == 302
    draft = draft_of(flow_a)
    assert (draft.number, draft.status, draft.note) == (2, FlowVersion.Status.DRAFT, "from v1")
    web.post("/desk/phone/ivr/flows/flow-a/draft")
    assert flow_a.versions.count() == 2  # a second click opens the same draft
    # The note is kept in its fixed form and shown in the reader's language.
    versions = web.get("/desk/phone/ivr/flows/flow-a/versions/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "<td>z wersji 1</td>" in versions
    assert "from v1" not in versions


def test_a_save_over_someone_elses_is_refused_with_the_difference(web: WebClient, flow_a: Flow, boss_a: User) -> None:
    web.post("/desk/phone/ivr/flows/flow-a/draft")
    opened = revision(FLOW)
    theirs = copy.deepcopy(FLOW)
    theirs["nodes"]["hello"]["text"] = "Ich powitanie."
    first = post_json(web, "/desk/phone/ivr/flows/flow-a/save", {"definition": theirs, "revision": opened})
    assert first.status_code == 200
    assert first.json()["revision"] == revision(theirs)
    mine = copy.deepcopy(FLOW)
    mine["nodes"]["bye"]["text"] = "Moje pożegnanie."
    second = post_json(web, "/desk/phone/ivr/flows/flow-a/save", {"definition": mine, "revision": opened})
    assert second.status_code == 409
    body = second.json()
    assert body["theirs"] == theirs
    assert body["revision"] == revision(theirs)
    changed = {n["node"]: n["fields"] for n in body["diff"]["nodes"]}
    assert changed["hello"] == [{"field": "text", "before": "Ich powitanie.", "after": "Dzień dobry."}]
    assert draft_of(flow_a).definition == theirs  # nothing overwritten
    again = post_json(web, "/desk/phone/ivr/flows/flow-a/save", {"definition": mine, "revision": body["revision"]})
    assert again.status_code == 200
    assert draft_of(flow_a).definition == mine
    assert AuditRecord.objects.filter(action="telephony_ivr.draft_changed", actor=boss_a).count() == 2


def test_validation_names_the_nodes_in_the_users_language(web: WebClient, flow_a: Flow) -> None:
    broken = copy.deepcopy(FLOW)
    broken["nodes"]["extra"] = {"type": "play", "text": "x"}
    answer = post_json(web, "/desk/phone/ivr/flows/flow-a/validate", {"definition": broken})
    assert answer.status_code == 200
    problems = answer.json()["problems"]
    assert {(p["node"], p["code"]) for p in problems} == {("extra", "dead_end"), ("extra", "unreachable")}
    assert all(p["message"].startswith("Węzeł extra") for p in problems)
    assert post_json(web, "/desk/phone/ivr/flows/flow-a/validate", {"definition": FLOW}).json()["valid"] is True


def test_publish_refuses_an_invalid_draft_with_reasons_and_publishes_a_valid_one(
    web: WebClient, flow_a: Flow, boss_a: User
) -> None:
    web.post("/desk/phone/ivr/flows/flow-a/draft")
    broken = copy.deepcopy(FLOW)
    broken["nodes"]["hello"]["next"] = "nowhere"
    post_json(web, "/desk/phone/ivr/flows/flow-a/save", {"definition": broken, "revision": revision(FLOW)})
    refused = post_json(web, "/desk/phone/ivr/flows/flow-a/publish", {"revision": revision(broken)})
    assert refused.status_code == 422
    assert any("nowhere" in reason for reason in refused.json()["reasons"])
    stale = post_json(web, "/desk/phone/ivr/flows/flow-a/publish", {"revision": revision(FLOW)})
    assert stale.status_code == 409
    post_json(web, "/desk/phone/ivr/flows/flow-a/save", {"definition": FLOW, "revision": revision(broken)})
    done = post_json(web, "/desk/phone/ivr/flows/flow-a/publish", {"revision": revision(FLOW)})
    assert done.status_code == 200
    assert done.json()["number"] == 2
    assert flow_a.current_version() == draft_of(flow_a)
    assert draft_of(flow_a).published_by == boss_a


def test_the_test_call_runs_the_posted_definition(web: WebClient, flow_a: Flow) -> None:
    body = {
        "definition": FLOW,
        "inputs": ["2", "55#", "9999#"],
        "services": {"client_number": "55", "client_pin": "9999"},
    }
    answer = post_json(web, "/desk/phone/ivr/flows/flow-a/test-call", body)
    assert answer.status_code == 200
    assert answer.json()["result"]["kind"] == "enqueue"
    assert answer.json()["path"] == ["hello", "open", "menu", "who", "vip"]


def test_versions_compare_and_roll_back_audited(web: WebClient, flow_a: Flow, boss_a: User) -> None:
    web.post("/desk/phone/ivr/flows/flow-a/draft")
    changed = copy.deepcopy(FLOW)
    changed["nodes"]["bye"]["text"] = "Żegnamy."
    post_json(web, "/desk/phone/ivr/flows/flow-a/save", {"definition": changed, "revision": revision(FLOW)})
    post_json(web, "/desk/phone/ivr/flows/flow-a/publish", {"revision": revision(changed)})
    page = web.get("/desk/phone/ivr/flows/flow-a/versions/", {"a": "1", "b": "2"}).content.decode()
    assert "Żegnamy." in page
    assert "Do widzenia." in page
    assert "kierownik.a" in page
    assert web.get("/desk/phone/ivr/flows/flow-a/versions/", {"a": "x", "b": "99"}).status_code == 200
    assert web.post("/desk/phone/ivr/flows/flow-a/versions/1/rollback").status_code == 302
    draft = draft_of(flow_a)
    assert (draft.number, draft.note, draft.definition) == (3, "rollback to v1", FLOW)
    assert AuditRecord.objects.filter(
        action="telephony_ivr.draft_created", actor=boss_a, object_id=str(draft.pk)
    ).exists()
    assert web.post("/desk/phone/ivr/flows/flow-a/versions/9/rollback").status_code == 302
    assert flow_a.versions.count() == 3


def test_entry_numbers_only_lead_to_published_flows_and_changes_are_audited(
    web: WebClient, flow_a: Flow, org_a: Organisation, boss_a: User
) -> None:
    unpublished = actions.create_flow(actor=None, organisation=org_a, code="szkic", name="Szkic")
    assert web.post("/desk/phone/ivr/numbers/", {"number": "9511", "name": "Test", "flow": "szkic"}).status_code == 400
    assert web.post("/desk/phone/ivr/numbers/", {"number": "95x", "name": "Test", "flow": "flow-a"}).status_code == 400
    created = web.post("/desk/phone/ivr/numbers/", {"number": "9511", "name": "Test", "flow": "flow-a"})
    assert created.status_code == 302
    entry = EntryNumber.objects.get(number="9511")
    assert (entry.flow, entry.organisation, entry.active) == (flow_a, org_a, True)
    web.post(f"/desk/phone/ivr/numbers/{entry.pk}/", {"flow": "szkic", "active": "on"})
    entry.refresh_from_db()
    assert entry.flow == flow_a  # a flow never published cannot be chosen
    web.post(f"/desk/phone/ivr/numbers/{entry.pk}/", {"flow": "flow-a"})
    entry.refresh_from_db()
    assert entry.active is False
    record = AuditRecord.objects.get(action="telephony_ivr.entry_number_changed")
    assert record.changes == {"active": [True, False]}
    assert record.actor == boss_a
    assert AuditRecord.objects.filter(action="telephony_ivr.entry_number_created", actor=boss_a).exists()
    assert "Szkic" not in web.get("/desk/phone/ivr/numbers/").content.decode().split('id="n-flow"')[1]
    assert unpublished.pk


def test_another_offices_entry_number_is_not_found(web: WebClient, flow_b: Flow, region: Organisation) -> None:
    FlowVersion.objects.filter(flow=flow_b).update(status=FlowVersion.Status.PUBLISHED)
    entry = EntryNumber.objects.create(number="9599", name="B", organisation=flow_b.organisation, flow=flow_b)
    assert web.post(f"/desk/phone/ivr/numbers/{entry.pk}/", {"flow": "flow-b"}).status_code == 404
    assert "9599" not in web.get("/desk/phone/ivr/numbers/").content.decode()


# -- hostile input -------------------------------------------------------------------------------
ENDPOINTS = ("save", "validate", "publish", "test-call")
GARBAGE: list[Any] = [
    b"",
    b"not json",
    b"\xff\xfe",
    "[1, 2]",
    "null",
    "[" * 5000 + "]" * 5000,
    {"definition": "text"},
    {"definition": {"start": 5, "nodes": {}}},
    {"definition": {"start": "a", "nodes": []}},
    {"definition": {"start": "a", "nodes": {"a": "play"}}},
    {"definition": {"start": "a", "nodes": {"a": {"type": 7}}}},
    {
        "definition": {
            "start": "a",
            "nodes": {"a": {"type": "play", "x": {"y": {"z": {"w": {"v": {"u": {"t": {"s": {"r": {}}}}}}}}}}},
        }
    },
    {"definition": FLOW, "inputs": "1"},
    {"definition": FLOW, "inputs": [1, 2]},
    {"definition": FLOW, "inputs": ["1"] * 500},
    {"definition": FLOW, "services": []},
    {"definition": FLOW, "revision": 12},
    {"revision": None},
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_garbage_is_a_400_problem(web: WebClient, flow_a: Flow, endpoint: str) -> None:
    web.post("/desk/phone/ivr/flows/flow-a/draft")
    for body in GARBAGE:
        answer = post_json(web, f"/desk/phone/ivr/flows/flow-a/{endpoint}", body)
        # Validation and test calls ignore members they do not use (a stray "revision").
        allowed = (400, 409) if endpoint in ("save", "publish") else (200, 400)
        assert answer.status_code in allowed, (endpoint, body, answer.status_code)
        if answer.status_code == 400:
            assert answer["Content-Type"] == "application/problem+json"
            assert answer.json()["detail"]
    huge = {"definition": {"start": "a", "nodes": {"a": {"type": "play", "text": "x" * 600_000}}}, "revision": ""}
    assert post_json(web, f"/desk/phone/ivr/flows/flow-a/{endpoint}", huge).status_code == 400
    assert draft_of(flow_a).definition == FLOW


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)
NODE = st.fixed_dictionaries(
    {"type": st.sampled_from(["play", "menu", "collect", "condition", "enqueue", "hangup", "authenticate", "x"])},
    optional={
        "text": JSONISH,
        "next": st.sampled_from(["a", "b", "zz"]) | JSONISH,
        "options": st.dictionaries(st.sampled_from(["1", "2", "#", "x"]), JSONISH, max_size=3),
        "test": JSONISH,
        "then": st.sampled_from(["a", "b"]),
        "else": JSONISH,
        "min": JSONISH,
        "max": JSONISH,
        "queue": JSONISH,
        "retries": JSONISH,
    },
)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
@given(
    nodes=st.dictionaries(st.sampled_from(["a", "b", "c"]), NODE, max_size=3),
    inputs=st.lists(st.sampled_from(["1", "2", "timeout", "played", "12#", "", "x"]), max_size=6),
    services=JSONISH,
)
@pytest.mark.slow
def test_any_definition_validates_and_test_calls_without_a_500(
    client: WebClient, make_user: Callable[..., User], region: Organisation, nodes: Any, inputs: Any, services: Any
) -> None:
    client.raise_request_exception = False
    org = Organisation.objects.get(code="pup-a")
    user = User.objects.filter(username="fuzz").first() or make_user("fuzz", roles=[(org, Role.SUPERVISOR)])
    Flow.objects.get_or_create(code="fuzz", defaults={"organisation": org, "name": "Fuzz"})
    client.force_login(user)
    definition = {"start": "a", "nodes": nodes}
    for endpoint, extra in (("validate", {}), ("test-call", {"inputs": inputs, "services": services})):
        answer = post_json(client, f"/desk/phone/ivr/flows/fuzz/{endpoint}", {"definition": definition, **extra})
        assert answer.status_code in (200, 400), (endpoint, answer.status_code, definition)


def test_the_lists_do_not_query_per_flow(
    web: WebClient, org_a: Organisation, flow_a: Flow, django_assert_max_num_queries: Any
) -> None:
    """The flow list and the numbers page cost the same with 1 or 11 flows."""
    web.get("/desk/phone/ivr/")  # session and memberships warmed up
    with django_assert_max_num_queries(40) as few:
        web.get("/desk/phone/ivr/")
    for i in range(10):
        flow = actions.create_flow(actor=None, organisation=org_a, code=f"extra-{i}", name=f"Extra {i}")
        actions.publish(actor=None, version=flow.versions.get())
        EntryNumber.objects.create(number=f"96{i:02d}", name="x", organisation=org_a, flow=flow)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = web.get("/desk/phone/ivr/")
    assert page.content.decode().count("/desk/phone/ivr/flows/extra-") == 10
    web.get("/desk/phone/ivr/numbers/")
    with django_assert_max_num_queries(40) as numbers:
        web.get("/desk/phone/ivr/numbers/")
    assert len(numbers.captured_queries) < 20
