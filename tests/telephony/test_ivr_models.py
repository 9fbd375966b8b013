"""Stored IVR flows: publication, immutability, entry numbers, the Django services (PIN check
with lockout, office hours) and the demo flows."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client as HttpClient

from okienko.accounts.models import OfficeHours, Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.clients.models import Client
from okienko.core import clock
from okienko.core.models import AuditRecord
from okienko.telephony.engine.events import MemoryLog
from okienko.telephony.engine.ivr import AuthResult, Enqueue, IvrSession, validate_flow
from okienko.telephony.ivr import actions, alerts, demo, services
from okienko.telephony.ivr.models import EntryNumber, Flow, FlowVersion
from tests.clients.helpers import offices, person

PIN = "582917"
WARSAW = dt.timezone(dt.timedelta(hours=1))  # December: CET

pytestmark = pytest.mark.django_db

VALID: dict[str, Any] = {
    "start": "hello",
    "nodes": {
        "hello": {"type": "play", "text": "Dzień dobry.", "next": "queue"},
        "queue": {"type": "enqueue", "queue": "{office}"},
    },
}


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return offices()[0]


@pytest.fixture
def flow(region: Organisation) -> Flow:
    return Flow.objects.create(organisation=region, code="test-flow", name="Test")


@pytest.fixture
def client_with_pin(office: Organisation) -> Client:
    client = person(office)
    client_actions.set_pin(actor=None, client=client, pin=PIN)
    client.refresh_from_db()
    return client


def typed(client: Client) -> str:
    """What the caller keys in: the digits of the client number."""
    return client.number.lstrip("K").lstrip("0")


def all_audit_text() -> str:
    return json.dumps(list(AuditRecord.objects.values("action", "changes", "data", "object_repr")), default=str)


# -- versions ------------------------------------------------------------------------------------
def test_publish_refuses_an_invalid_flow_with_reasons(flow: Flow) -> None:
    broken = copy.deepcopy(VALID)
    broken["nodes"]["hello"]["next"] = "nowhere"
    draft = actions.create_draft(actor=None, flow=flow, definition=broken)
    with pytest.raises(actions.FlowInvalid) as raised:
        actions.publish(actor=None, version=draft)
    assert any("nowhere" in message and "hello" in message for message in raised.value.messages)
    draft.refresh_from_db()
    assert draft.status == FlowVersion.Status.DRAFT
    # Saving the status directly is refused the same way.
    draft.status = FlowVersion.Status.PUBLISHED
    with pytest.raises(ValidationError):
        draft.save()


def test_a_published_version_cannot_be_changed_or_deleted(flow: Flow) -> None:
    version = actions.publish(actor=None, version=actions.create_draft(actor=None, flow=flow, definition=VALID))
    version.definition = {**VALID, "start": "queue"}
    with pytest.raises(ValidationError):
        version.save()
    with pytest.raises(ValidationError):
        actions.update_draft(actor=None, version=FlowVersion.objects.get(pk=version.pk), definition=VALID, note="x")
    with pytest.raises(ValidationError):
        FlowVersion.objects.get(pk=version.pk).delete()
    stored = FlowVersion.objects.get(pk=version.pk)
    assert stored.definition == VALID
    assert stored.published_at is not None


def test_entry_number_runs_the_latest_published_version(flow: Flow, region: Organisation) -> None:
    entry = EntryNumber.objects.create(number="9510", name="Infolinia", organisation=region, flow=flow)
    assert entry.current_version() is None
    first = actions.publish(actor=None, version=actions.create_draft(actor=None, flow=flow, definition=VALID))
    later = copy.deepcopy(VALID)
    later["nodes"]["hello"]["text"] = "Dzień dobry, tu infolinia."
    second_draft = actions.create_draft(actor=None, flow=flow, definition=later)
    assert entry.current_version() == first  # a draft is not heard
    second = actions.publish(actor=None, version=second_draft)
    assert (first.number, second.number) == (1, 2)
    assert entry.current_version() == second
    first.refresh_from_db()
    assert first.status == FlowVersion.Status.RETIRED
    actions_logged = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"telephony_ivr.draft_created", "telephony_ivr.version_published", "telephony_ivr.version_retired"} <= (
        actions_logged
    )


# -- the Django services -------------------------------------------------------------------------
def test_authenticate_with_the_right_pin(client_with_pin: Client) -> None:
    result = services.DjangoServices().authenticate(typed(client_with_pin), PIN)
    assert result.ok
    assert result.client == str(client_with_pin.pk)
    assert result.office == "pup-a"
    assert AuditRecord.objects.filter(action="telephony.client_identified", object_id=str(client_with_pin.pk)).exists()


def test_authenticate_with_a_wrong_pin(client_with_pin: Client) -> None:
    result = services.DjangoServices().authenticate(typed(client_with_pin), "000000")
    assert not result.ok
    assert not result.locked
    assert result.tries_left == 4
    entry = AuditRecord.objects.get(action="telephony.pin_failed")
    assert entry.kind == AuditRecord.Kind.SECURITY
    assert entry.data["failures"] == 1


def test_lockout_after_n_failures(client_with_pin: Client, settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings.TELEPHONY_PIN_MAX_FAILURES = 3
    phone = services.DjangoServices()
    number = typed(client_with_pin)
    results = [phone.authenticate(number, f"00000{i}") for i in range(3)]
    assert [r.locked for r in results] == [False, False, True]
    # Locked: even the right PIN is refused now.
    assert phone.authenticate(number, PIN) == AuthResult(ok=False, locked=True)
    lock = AuditRecord.objects.get(action="telephony.pin_locked")
    assert lock.object_id == str(client_with_pin.pk)
    assert lock.organisation_id == client_with_pin.home_office_id
    assert "locked" in caplog.text
    services.unlock(client_with_pin.number)
    assert phone.authenticate(number, PIN).ok


def test_unknown_numbers_lock_the_same_way(region: Organisation, settings: Any) -> None:
    settings.TELEPHONY_PIN_MAX_FAILURES = 2
    phone = services.DjangoServices()
    assert [phone.authenticate("999999", "1234").locked for _ in range(2)] == [False, True]


def test_no_pin_in_audit_events_or_log(client_with_pin: Client, caplog: pytest.LogCaptureFixture) -> None:
    wrong = "730461"
    log = MemoryLog()
    session = IvrSession(
        json.loads(json.dumps(AUTH_FLOW)),
        services.DjangoServices(),
        call="c1",
        entry="9510",
        caller="600100200",
        clock_now=lambda: 0.0,
        sink=log.append,
    )
    session.start()
    session.on_digits(typed(client_with_pin))
    session.on_digits(wrong)
    session.on_digits(typed(client_with_pin))
    assert session.on_digits(PIN + "#") == Enqueue("tel-pup-a")
    assert session.client == str(client_with_pin.pk)
    text = all_audit_text() + "\n".join(e.to_json() for e in log) + caplog.text
    assert PIN not in text
    assert wrong not in text


AUTH_FLOW: dict[str, Any] = {
    "start": "auth",
    "nodes": {
        "auth": {
            "type": "authenticate",
            "text_number": "Numer klienta.",
            "text_pin": "PIN.",
            "next": "queue",
            "on_fail": "bye",
        },
        "queue": {"type": "enqueue", "queue": "{office}"},
        "bye": {"type": "hangup"},
    },
}


def test_office_hours_and_holidays(region: Organisation) -> None:
    OfficeHours.objects.create(organisation=region, weekday=0, opens=dt.time(7, 30), closes=dt.time(15, 30))
    phone = services.DjangoServices()
    monday_morning = dt.datetime(2026, 12, 7, 7, 45, tzinfo=WARSAW).timestamp()
    monday_evening = dt.datetime(2026, 12, 7, 16, 0, tzinfo=WARSAW).timestamp()
    assert phone.office_open("wup", monday_morning)
    assert phone.office_open("pup-a", monday_morning)  # the parent's hours
    assert not phone.office_open("wup", monday_evening)
    assert not phone.office_open("default", monday_morning)  # 8:00–16:00
    christmas = dt.datetime(2026, 12, 25, 10, 0, tzinfo=WARSAW).timestamp()
    assert phone.is_holiday(christmas)
    assert not phone.is_holiday(monday_morning)


def test_queue_statistics_and_naming_come_from_the_host() -> None:
    phone = services.DjangoServices(
        queue_waiting=lambda queue: {"tel-x": 4}.get(queue, 0),
        queue_available=lambda queue: 2,
        queue_naming=lambda office, entry: f"{office}-{entry}",
    )
    assert phone.queue_waiting("tel-x") == 4
    assert phone.queue_available("tel-y") == 2
    assert phone.queue_for_office("pup-a", "9510") == "pup-a-9510"
    assert services.DjangoServices().queue_for_office("pup-a", "9510") == "tel-pup-a"


# -- the demo ------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", [code for code, *_rest in demo.FLOWS])
def test_demo_flows_validate_clean(code: str) -> None:
    assert validate_flow(demo.definition(code)) == []


def test_demo_loads_idempotently() -> None:
    wup = Organisation.objects.create(code="wup-bialystok", name="WUP", kind=Organisation.Kind.REGION_OFFICE)
    Organisation.objects.create(code="lodz-ckzm", name="CKM", kind=Organisation.Kind.CONTACT_CENTRE)
    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    assert FlowVersion.objects.count() == 3
    entry = EntryNumber.objects.get(number="9510")
    assert entry.organisation == wup
    version = entry.current_version()
    assert version is not None
    assert version.definition == demo.definition("wup-9510")
    assert set(EntryNumber.objects.values_list("number", flat=True)) == {"9510", "9524", "19115"}


# -- the admin -----------------------------------------------------------------------------------
@pytest.fixture
def admin_client(client: HttpClient) -> HttpClient:
    client.force_login(User.objects.create_superuser("root", "root@example.pl", "pass-1234-word"))
    return client


def test_admin_publish_action_says_why_and_pages_show(admin_client: HttpClient, flow: Flow) -> None:
    broken = copy.deepcopy(VALID)
    broken["nodes"]["hello"]["next"] = "nowhere"
    bad = actions.create_draft(actor=None, flow=flow, definition=broken)
    good = actions.create_draft(actor=None, flow=flow, definition=VALID)
    url = "/admin/telephony_ivr/flowversion/"
    page = admin_client.post(
        url, {"action": "publish", "_selected_action": [bad.pk, good.pk]}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert "nowhere" in text
    assert "1 version published" in text or "1 wersj" in text
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.status, bad.status) == (FlowVersion.Status.PUBLISHED, FlowVersion.Status.DRAFT)
    for path in (
        url,
        f"{url}{good.pk}/change/",
        f"{url}{bad.pk}/change/",
        f"/admin/telephony_ivr/flow/{flow.pk}/change/",
    ):
        assert admin_client.get(path).status_code == 200
    # A published version's page has no editable definition; posting one changes nothing.
    admin_client.post(f"{url}{good.pk}/change/", {"flow": flow.pk, "note": "x", "definition": "{}"})
    good.refresh_from_db()
    assert good.definition == VALID
    assert good.note == ""


def test_a_lock_is_an_alert_for_the_offices_supervisors(
    client_with_pin: Client, settings: Any, make_user: Callable[..., User]
) -> None:
    settings.TELEPHONY_PIN_MAX_FAILURES = 2
    pup_a, pup_b, _city = offices()
    supervisor = make_user("kierownik", roles=[(pup_a, Role.SUPERVISOR)])
    other = make_user("inny", roles=[(pup_b, Role.SUPERVISOR)])
    assert alerts.pin_locks(supervisor) == []
    phone = services.DjangoServices()
    for _ in range(2):
        phone.authenticate(typed(client_with_pin), "000000")
    shown = alerts.pin_locks(supervisor)
    assert len(shown) == 1
    assert client_with_pin.number in shown[0].text
    assert alerts.pin_locks(other) == []
    services.unlock(client_with_pin.number)
    assert alerts.pin_locks(supervisor) == []


def test_the_demo_command_loads_the_flows_on_the_demo_organisations() -> None:
    call_command("demo", only=["accounts", "telephony_ivr"], stdout=io.StringIO())
    entries = {entry.number: entry for entry in EntryNumber.objects.select_related("organisation", "flow")}
    assert {number: entry.organisation.code for number, entry in entries.items()} == {
        "9510": "wup-bialystok",
        "9524": "wup-bialystok",
        "19115": "lodz-ckzm",
    }
    offices_named = {
        office
        for flow_code, *_rest in demo.FLOWS
        for node in demo.definition(flow_code)["nodes"].values()
        if node["type"] == "choose_office"
        for office in node["options"].values()
    }
    assert offices_named <= set(Organisation.objects.values_list("code", flat=True))
    assert all(entry.current_version() is not None for entry in entries.values())


@pytest.mark.django_db
def test_a_flow_naming_a_prompt_nobody_made_is_not_published_until_it_exists(region: Organisation) -> None:
    from okienko.telephony.media_models import Prompt

    flow = Flow.objects.create(organisation=region, code="prompted", name="Prompted")
    definition: dict[str, Any] = {
        "start": "hello",
        "nodes": {
            "hello": {"type": "play", "text": "Dzień dobry.", "prompt": "powitanie-nowe", "next": "bye"},
            "bye": {"type": "hangup"},
        },
    }
    draft = actions.create_draft(actor=None, flow=flow, definition=definition)
    with pytest.raises(ValidationError) as refused:
        actions.publish(actor=None, version=draft)
    assert "powitanie-nowe" in " ".join(refused.value.messages)
    Prompt.objects.create(
        organisation=region, code="powitanie-nowe", name="Powitanie", text="Dzień dobry.", updated_at=clock.now()
    )
    actions.publish(actor=None, version=FlowVersion.objects.get(pk=draft.pk))
    office_qualified: dict[str, Any] = {**definition, "nodes": {**definition["nodes"]}}
    office_qualified["nodes"]["hello"] = {**definition["nodes"]["hello"], "prompt": f"{region.code}/powitanie-nowe"}
    assert FlowVersion(flow=flow, definition=office_qualified).problems() == []
    elsewhere: dict[str, Any] = {**office_qualified, "nodes": {**office_qualified["nodes"]}}
    elsewhere["nodes"]["hello"] = {**definition["nodes"]["hello"], "prompt": "pup-a/powitanie-nowe"}
    assert [p.code for p in FlowVersion(flow=flow, definition=elsewhere).problems()] == ["missing_prompt"]
