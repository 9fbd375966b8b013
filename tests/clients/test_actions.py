import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions
from okienko.clients.errors import ClientError, DuplicatesFound
from okienko.clients.models import Client, ClientConsent, ClientContact, ClientMerge, ClientRelation
from okienko.core.models import AuditRecord, OutboxEvent
from okienko.interactions import actions as interaction_actions
from okienko.interactions.models import Interaction
from tests.clients.helpers import offices, person, pesel

MakeUser = Callable[..., User]
Trio = tuple[Client, Client, Client]


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return offices()[0]


def test_register_client_assigns_the_next_number_and_normalises_search(office: Organisation) -> None:
    first = person(office, "Żółkiewska", "Łucja", phones=["+48 601-234-567"])
    second = person(office, "Nowak", "Jan")
    assert first.number == "K0000001"
    assert second.number == "K0000002"
    assert first.search_name == "zolkiewska lucja"
    assert list(first.contacts.values_list("normalized", flat=True)) == ["601234567"]


def test_register_client_derives_birth_date_from_pesel(office: Organisation) -> None:
    client = person(office, pesel=pesel(1990, 7, 2))
    assert client.birth_date == dt.date(1990, 7, 2)


@pytest.mark.parametrize("born", [dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(2100, 1, 1)])
def test_a_date_of_birth_in_the_future_or_before_1800_is_refused(office: Organisation, born: dt.date) -> None:
    with pytest.raises(ClientError) as refused:
        person(office, birth_date=born)
    assert refused.value.field == "birth_date"
    assert not Client.objects.exists()
    client = person(office)
    with pytest.raises(ClientError):
        actions.update_client(actor=None, client=client, birth_date=born)


def test_register_client_writes_audit_and_event(office: Organisation) -> None:
    client = person(office)
    entry = AuditRecord.objects.get(action="clients.registered")
    assert entry.object_id == str(client.pk)
    assert entry.changes["last_name"] == [None, "Kowalski"]
    event = OutboxEvent.objects.get(topic="client.registered")
    assert event.payload == {"client": client.pk, "uuid": str(client.uuid), "number": "K0000001"}


def test_register_client_rejects_bad_pesel_checksum(office: Organisation) -> None:
    with pytest.raises(ClientError) as exc:
        person(office, pesel="44051401358")
    assert exc.value.field == "pesel"
    assert Client.objects.count() == 0


def test_register_client_rejects_bad_nip_checksum(office: Organisation) -> None:
    with pytest.raises(ClientError) as exc:
        actions.register_client(
            actor=None, home_office=office, kind=Client.Kind.ORGANISATION, organisation_name="Firma", nip="1234563219"
        )
    assert exc.value.field == "nip"
    assert Client.objects.count() == 0


def test_register_client_refuses_a_used_client_number(office: Organisation) -> None:
    person(office, number="K0000500")
    with pytest.raises(ClientError) as exc:
        person(office, "Inny", "Adam", number="k0000500")
    assert exc.value.field == "number"
    assert Client.objects.count() == 1


def test_generated_numbers_skip_imported_ones(office: Organisation) -> None:
    person(office, number="K0000001")
    assert person(office, "Nowak").number == "K0000002"


def test_register_client_requires_a_name(office: Organisation) -> None:
    with pytest.raises(ClientError) as exc:
        actions.register_client(actor=None, home_office=office, last_name="  ")
    assert exc.value.field == "last_name"


def test_register_client_rejects_unknown_gmina(office: Organisation) -> None:
    with pytest.raises(ClientError) as exc:
        person(office, gmina_code="9999999")
    assert exc.value.field == "gmina"


def test_same_pesel_is_a_blocking_duplicate(office: Organisation) -> None:
    number = pesel()
    existing = person(office, pesel=number)
    with pytest.raises(DuplicatesFound) as exc:
        person(office, "Inny", pesel=number, accept_duplicates=True)
    assert exc.value.blocking is True
    assert [d.client for d in exc.value.duplicates] == [existing]
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    ("existing", "new", "reason"),
    [
        ({"phones": ["601 234 567"]}, {"phones": ["+48601234567"]}, "ten sam numer telefonu"),
        ({"emails": ["Jan@Example.PL"]}, {"emails": ["jan@example.pl"]}, "ten sam adres e-mail"),
        (
            {"birth_date": dt.date(1980, 1, 2)},
            {"birth_date": dt.date(1980, 1, 2), "last_name": "KOWALSKI"},
            "to samo imię, nazwisko i data urodzenia",
        ),
    ],
)
def test_possible_duplicates_are_shown_before_saving(
    office: Organisation, existing: dict[str, Any], new: dict[str, Any], reason: str
) -> None:
    old = person(office, **existing)
    with pytest.raises(DuplicatesFound) as exc:
        actions.register_client(actor=None, home_office=office, **{"first_name": "Jan", "last_name": "Kowalski", **new})
    assert exc.value.blocking is False
    assert [(d.client, d.reasons) for d in exc.value.duplicates] == [(old, [reason])]
    accepted = actions.register_client(
        actor=None, home_office=office, accept_duplicates=True, **{"first_name": "Jan", "last_name": "Kowalski", **new}
    )
    assert accepted.pk != old.pk


def test_same_nip_is_a_blocking_duplicate(office: Organisation) -> None:
    actions.register_client(
        actor=None, home_office=office, kind=Client.Kind.ORGANISATION, organisation_name="A", nip="1234563218"
    )
    with pytest.raises(DuplicatesFound) as exc:
        actions.register_client(
            actor=None,
            home_office=office,
            kind=Client.Kind.ORGANISATION,
            organisation_name="B",
            nip="PL 123-456-32-18",
            accept_duplicates=True,
        )
    assert exc.value.blocking is True


def test_consultant_cannot_register_client_in_another_county(region: Organisation, make_user: MakeUser) -> None:
    pup_a, pup_b, _city = offices()
    user = make_user("k", roles=[(pup_a, Role.CONSULTANT)])
    with pytest.raises(PermissionDenied):
        actions.register_client(actor=user, home_office=pup_b, last_name="Nowak")
    assert Client.objects.count() == 0


def test_set_pin_stores_only_a_hash_and_masks_the_audit(office: Organisation, make_user: MakeUser) -> None:
    client = person(office)
    user = make_user("k", roles=[(office, Role.CONSULTANT)])
    actions.set_pin(actor=user, client=client, pin="4821")
    actions.set_pin(actor=user, client=client, pin="9135")
    client.refresh_from_db()
    assert "9135" not in client.pin_hash
    assert check_password("9135", client.pin_hash)
    assert actions.check_pin(client, "9135") is True
    assert actions.check_pin(client, "4821") is False
    entries = list(AuditRecord.objects.filter(action__startswith="clients.pin").order_by("id"))
    assert [e.action for e in entries] == ["clients.pin_set", "clients.pin_reset"]
    assert [e.changes for e in entries] == [{"pin_hash": ["***", "***"]}, {"pin_hash": ["***", "***"]}]
    for entry in AuditRecord.objects.all():
        assert "4821" not in str(entry.changes) + str(entry.data)
        assert "9135" not in str(entry.changes) + str(entry.data)
    assert all("9135" not in str(e.payload) for e in OutboxEvent.objects.all())


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", ""])
def test_set_pin_rejects_malformed_pins(office: Organisation, pin: str) -> None:
    client = person(office)
    with pytest.raises(ClientError):
        actions.set_pin(actor=None, client=client, pin=pin)
    client.refresh_from_db()
    assert client.pin_hash == ""


def test_update_client_audits_old_and_new_values(office: Organisation) -> None:
    client = person(office, street="ul. Lipowa 1")
    actions.update_client(actor=None, client=client, street="ul. Lipowa 2", last_name="Kowalska")
    entry = AuditRecord.objects.get(action="clients.updated")
    assert entry.changes == {"last_name": ["Kowalski", "Kowalska"], "street": ["ul. Lipowa 1", "ul. Lipowa 2"]}
    client.refresh_from_db()
    assert client.search_name == "kowalska jan"


def test_update_client_rejects_bad_pesel_and_keeps_data(office: Organisation) -> None:
    client = person(office)
    with pytest.raises(ClientError):
        actions.update_client(actor=None, client=client, pesel="12345678901")
    client.refresh_from_db()
    assert client.pesel == ""


def test_record_consent_keeps_date_and_source(office: Organisation) -> None:
    client = person(office)
    when = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    actions.record_consent(actor=None, client=client, topic="sms", granted=True, source="phone", given_at=when)
    actions.record_consent(actor=None, client=client, topic="sms", granted=False, source="portal", given_at=when)
    consent = ClientConsent.objects.get(client=client)
    assert (consent.granted, consent.source, consent.given_at) == (False, "portal", when)
    changes = list(AuditRecord.objects.filter(action="clients.consent_recorded").values_list("changes", flat=True))
    assert changes == [{"sms": [None, True]}, {"sms": [True, False]}]


def test_relate_clients_records_a_representative(office: Organisation) -> None:
    employer = actions.register_client(
        actor=None, home_office=office, kind=Client.Kind.ORGANISATION, organisation_name="Piekarnia Kłos"
    )
    worker = person(office)
    actions.relate_clients(
        actor=None, person=worker, kind=ClientRelation.Kind.REPRESENTS, other=employer, role="kadrowa"
    )
    assert list(employer.relations_in.values_list("person__number", "role")) == [(worker.number, "kadrowa")]
    with pytest.raises(ClientError):
        actions.relate_clients(actor=None, person=employer, kind=ClientRelation.Kind.PROXY, other=worker)


def test_merge_moves_contacts_interactions_and_records_who_merged(office: Organisation, make_user: MakeUser) -> None:
    user = make_user("k", roles=[(office, Role.CONSULTANT)])
    survivor = person(office, phones=["601234567"])
    merged = person(
        office, "Kowalski", "Jan", phones=["601234567", "602000111"], emails=["jan@example.pl"], pesel=pesel()
    )
    interaction = interaction_actions.record_interaction(
        actor=user, channel="phone", organisation=office, client=merged
    )
    actions.record_consent(actor=None, client=merged, topic="sms", granted=True, source="phone")
    record = actions.merge_clients(actor=user, survivor=survivor, merged=merged, reason="ta sama osoba")
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert merged.merged_into == survivor
    assert survivor.pesel == merged.pesel
    assert sorted(survivor.contacts.values_list("normalized", flat=True)) == [
        "601234567",
        "602000111",
        "jan@example.pl",
    ]
    assert ClientContact.objects.filter(client=merged).count() == 0
    assert Interaction.objects.get(pk=interaction.pk).client == survivor
    assert survivor.consents.get().topic == "sms"
    assert record.merged_by == user
    assert record.moved == {
        "contacts": 2,
        "consents": 1,
        "relations": 0,
        "interactions": 1,
        "callbacks": 0,
        "cases": 0,
        "filled": ["birth_date", "pesel"],
        "reason": "ta sama osoba",
    }
    assert ClientMerge.objects.count() == 1
    assert set(AuditRecord.objects.filter(action__startswith="clients.merged").values_list("object_id", flat=True)) == {
        str(survivor.pk),
        str(merged.pk),
    }


def test_merge_calls_registered_hooks(office: Organisation) -> None:
    calls: list[tuple[int, int]] = []

    def hook(merged: Client, survivor: Client) -> int:
        calls.append((merged.pk, survivor.pk))
        return 3

    actions.register_merge_hook("test_cases", hook)
    try:
        a, b = person(office), person(office, "Nowak")
        record = actions.merge_clients(actor=None, survivor=a, merged=b)
    finally:
        actions._merge_hooks.pop("test_cases")
    assert calls == [(b.pk, a.pk)]
    assert record.moved["test_cases"] == 3


def test_merge_refuses_merged_or_same_client(office: Organisation) -> None:
    a, b, c = person(office), person(office, "B"), person(office, "C")
    with pytest.raises(ClientError):
        actions.merge_clients(actor=None, survivor=a, merged=a)
    actions.merge_clients(actor=None, survivor=a, merged=b)
    with pytest.raises(ClientError):
        actions.merge_clients(actor=None, survivor=c, merged=b)


def test_merge_requires_edit_rights_on_both_offices(region: Organisation, make_user: MakeUser) -> None:
    pup_a, pup_b, _ = offices()
    user = make_user("k", roles=[(pup_a, Role.CONSULTANT)])
    a, b = person(pup_a), person(pup_b, "Nowak")
    with pytest.raises(PermissionDenied):
        actions.merge_clients(actor=user, survivor=a, merged=b)
    b.refresh_from_db()
    assert b.merged_into is None
