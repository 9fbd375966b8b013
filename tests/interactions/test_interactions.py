import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client as HttpClient

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.catalogue.models import Service, ServiceCategory
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.interactions import actions
from okienko.interactions.models import Callback, Interaction
from tests.clients.helpers import offices, person

MakeUser = Callable[..., User]
Login = Callable[[User], HttpClient]
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def consultant(region: Organisation, make_user: MakeUser) -> User:
    return make_user("konsultant", roles=[(offices()[0], Role.CONSULTANT)])


@pytest.fixture
def service(region: Organisation) -> Service:
    category = ServiceCategory.objects.create(organisation=region, code="swiadczenia", name="Świadczenia")
    return Service.objects.create(
        organisation=region, code="zasilek", category=category, public_name="Zasiłek", kind=Service.Kind.INQUIRY
    )


def test_record_interaction_writes_history_audit_and_event(consultant: User, service: Service) -> None:
    client = person(offices()[0])
    with time_machine.travel(NOW, tick=False):
        interaction = actions.record_interaction(
            actor=consultant,
            channel="phone",
            organisation=offices()[0],
            client=client,
            service=service,
            question="Kiedy wypłata?",
        )
    assert (interaction.started_at, interaction.ended_at, interaction.staff, interaction.outcome) == (
        NOW,
        NOW,
        consultant,
        "answered",
    )
    assert list(client.interactions.all()) == [interaction]
    assert AuditRecord.objects.get(action="interactions.recorded").data == {
        "channel": "phone",
        "outcome": "answered",
        "client": client.number,
        "service": "zasilek",
        "case": None,
    }
    assert OutboxEvent.objects.get(topic="interaction.recorded").payload["client_uuid"] == str(client.uuid)


def test_record_interaction_rejects_unknown_channel(consultant: User) -> None:
    with pytest.raises(actions.InteractionError) as exc:
        actions.record_interaction(actor=consultant, channel="pigeon", organisation=offices()[0])
    assert exc.value.field == "channel"
    assert Interaction.objects.count() == 0


def test_record_interaction_refuses_another_countys_client(consultant: User) -> None:
    other = person(offices()[1])
    with pytest.raises(PermissionDenied):
        actions.record_interaction(actor=consultant, channel="phone", organisation=offices()[0], client=other)


def test_anonymous_contact_is_recorded_through_http(consultant: User, staff_client: Login) -> None:
    response = staff_client(consultant).post(
        "/desk/contacts/new/",
        {
            "channel": "chat",
            "direction": "in",
            "question": "Godziny otwarcia?",
            "outcome": "answered",
            "contact_name": "Pani Ala",
            "action": "answered",
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert (interaction.client, interaction.channel, interaction.contact_name, interaction.organisation.code) == (
        None,
        "chat",
        "Pani Ala",
        "pup-a",
    )


def test_resolve_at_first_contact_from_the_card(consultant: User, staff_client: Login, service: Service) -> None:
    client = person(offices()[0])
    response = staff_client(consultant).post(
        "/desk/contacts/new/",
        {
            "client": str(client.uuid),
            "channel": "phone",
            "direction": "in",
            "service": "zasilek",
            "question": "Kiedy wypłata?",
            "outcome": "other",
            "action": "answered",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/desk/clients/{client.uuid}/"
    interaction = Interaction.objects.get()
    assert (interaction.outcome, interaction.service, interaction.client) == ("answered", service, client)
    card = staff_client(consultant).get(f"/desk/clients/{client.uuid}/").content.decode()
    assert "Kiedy wypłata?" in card


def test_open_a_case_button_records_the_contact_and_goes_to_the_case_form(
    consultant: User, staff_client: Login
) -> None:
    client = person(offices()[0])
    response = staff_client(consultant).post(
        "/desk/contacts/new/",
        {"client": str(client.uuid), "channel": "phone", "direction": "in", "outcome": "answered", "action": "case"},
    )
    interaction = Interaction.objects.get()
    assert interaction.outcome == "case_opened"
    assert response["Location"] == f"/desk/cases/new/?client={client.uuid}&interaction={interaction.uuid}"


def test_unknown_service_code_is_a_form_error(consultant: User, staff_client: Login) -> None:
    response = staff_client(consultant).post(
        "/desk/contacts/new/",
        {"channel": "phone", "direction": "in", "outcome": "answered", "service": "nie-ma", "action": "save"},
    )
    assert response.status_code == 400
    assert Interaction.objects.count() == 0


def test_contact_form_is_forbidden_without_the_permission(
    region: Organisation, make_user: MakeUser, staff_client: Login
) -> None:
    user = make_user("a", roles=[(region, Role.ANALYST)])
    assert staff_client(user).get("/desk/contacts/new/").status_code == 403
    assert staff_client(user).get("/desk/contacts/callbacks/").status_code == 403


def test_callback_lifecycle(consultant: User, make_user: MakeUser, staff_client: Login) -> None:
    expert = make_user("ekspert", roles=[(Organisation.objects.get(code="pup-a-dept"), Role.EXPERT)])
    client = person(offices()[0], phones=["601 234 567"])
    with time_machine.travel(NOW, tick=False):
        interaction = actions.record_interaction(
            actor=consultant, channel="phone", organisation=offices()[0], client=client, outcome="callback_requested"
        )
        callback = actions.request_callback(
            actor=consultant,
            organisation=offices()[0],
            reason="Termin wizyty",
            due_at=NOW + dt.timedelta(hours=2),
            target_user=expert,
            interaction=interaction,
        )
    assert (callback.status, callback.client, callback.created_by) == ("created", client, consultant)
    mine = staff_client(expert).get("/desk/contacts/callbacks/").content.decode()
    assert "Termin wizyty" in mine
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        response = staff_client(expert).post(
            f"/desk/contacts/callbacks/{callback.uuid}/close/", {"status": "done", "result": "Umówiono na piątek"}
        )
    assert response.status_code == 302
    callback.refresh_from_db()
    assert (callback.status, callback.result, callback.closed_by, callback.closed_at) == (
        "done",
        "Umówiono na piątek",
        expert,
        NOW + dt.timedelta(hours=1),
    )
    assert [e.topic for e in OutboxEvent.objects.filter(topic__startswith="callback.").order_by("created_at")] == [
        "callback.created",
        "callback.closed",
    ]
    with pytest.raises(actions.InteractionError):
        actions.close_callback(actor=expert, callback=callback, status="failed")
    card = staff_client(consultant).get(f"/desk/clients/{client.uuid}/").content.decode()
    assert "Umówiono na piątek" in card


def test_callback_needs_a_target(consultant: User) -> None:
    with pytest.raises(actions.InteractionError) as exc:
        actions.request_callback(
            actor=consultant,
            organisation=offices()[0],
            reason="x",
            due_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        )
    assert exc.value.field == "target"


def test_callback_for_a_unit_shows_for_its_staff_only(consultant: User, make_user: MakeUser) -> None:
    other = make_user("inny", roles=[(offices()[1], Role.CONSULTANT)])
    callback = actions.request_callback(
        actor=consultant,
        organisation=offices()[0],
        reason="x",
        due_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        target_unit=offices()[0],
    )
    assert list(Callback.objects.open().for_target(consultant)) == [callback]
    assert list(Callback.objects.open().for_target(other)) == []
    with pytest.raises(PermissionDenied):
        actions.close_callback(actor=other, callback=callback, status="done")


def test_callback_form_through_http(consultant: User, staff_client: Login) -> None:
    client = person(offices()[0], phones=["601 234 567"])
    login = staff_client(consultant)
    form = login.get(f"/desk/contacts/callbacks/new/?client={client.uuid}")
    assert form.status_code == 200
    assert "601 234 567" in form.content.decode()
    due = (dt.datetime.now() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = login.post(
        "/desk/contacts/callbacks/new/",
        {
            "client": str(client.uuid),
            "reason": "Oddzwonić",
            "phone": "601 234 567",
            "due_at": due,
            "target_unit": offices()[0].pk,
        },
    )
    assert response.status_code == 302
    assert Callback.objects.get().client == client


def test_card_lists_open_cases_and_the_contact_links_its_case(
    consultant: User, staff_client: Login, service: Service
) -> None:
    from okienko.cases.actions import open_case

    client = person(offices()[0])
    service.kind = Service.Kind.REQUEST
    service.save()
    interaction = actions.record_interaction(
        actor=consultant, channel="phone", organisation=offices()[0], client=client
    )
    case = open_case(
        actor=consultant,
        organisation=offices()[0],
        service=service,
        description="Prośba o zaświadczenie",
        channel="phone",
        client=client,
        interaction=interaction,
    )
    interaction.refresh_from_db()
    assert (interaction.case, interaction.outcome) == (case, "case_opened")
    card = staff_client(consultant).get(f"/desk/clients/{client.uuid}/").content.decode()
    assert f'href="/desk/cases/{case.uuid}/"' in card
    assert case.number in card


def test_api_accounts_are_not_offered_as_callback_assignees(
    consultant: User, make_user: MakeUser, staff_client: Login
) -> None:
    from okienko.accounts.tokens import issue_api_token

    office = offices()[0]
    colleague = make_user("colleague", roles=[(office, Role.CONSULTANT)])
    service_user = issue_api_token(actor=None, organisation=office, name="CRM", scopes=["cases:read"]).token.user
    form = staff_client(consultant).get("/desk/contacts/callbacks/new/")
    offered = set(form.context["form"].fields["target_user"].queryset)
    assert colleague in offered
    assert service_user not in offered
