import pytest

from okienko.accounts.models import Organisation
from okienko.clients import actions
from okienko.clients.models import Client
from okienko.clients.search import fold, lookup_clients, normalize_phone, parse_number
from tests.clients.helpers import offices, person, pesel


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return offices()[0]


def _numbers(query: str) -> list[str]:
    return [c.number for c in lookup_clients(Client.objects.all(), query)]


def test_fold_removes_diacritics_and_case() -> None:
    assert fold("  ŁUKASZ  Żółć-Gęślą ") == "lukasz zolc-gesla"


@pytest.mark.parametrize(
    "value", ["601234567", "601 234 567", "601-234-567", "+48 601 234 567", "0048601234567", "(+48) 601234567"]
)
def test_phone_formats_normalise_to_nine_digits(value: str) -> None:
    assert normalize_phone(value) == "601234567"


@pytest.mark.parametrize("value", ["K0000012", "k12", "K-12", "k 0012"])
def test_client_number_formats_are_recognised(value: str) -> None:
    assert parse_number(value) == "K0000012"


def test_lookup_by_number(office: Organisation) -> None:
    person(office)
    target = person(office, "Nowak")
    assert _numbers("k2") == [target.number]


@pytest.mark.parametrize(
    "query", ["Wiśniewska", "wisniewska", "WIŚNIEWSKA", "wiśn", "wisniewska an", "Wiśniewska Anna"]
)
def test_lookup_by_name_ignores_diacritics_and_case(office: Organisation, query: str) -> None:
    target = person(office, "Wiśniewska", "Anna")
    person(office, "Wiśniewski", "Jan")
    person(office, "Nowak", "Anna")
    assert _numbers(query)[0] == target.number


def test_lookup_by_prefix_returns_every_match_in_name_order(office: Organisation) -> None:
    b = person(office, "Kowalska", "Beata")
    a = person(office, "Kowalski", "Adam")
    person(office, "Nowak", "Kowal")
    assert _numbers("kowal") == [b.number, a.number]


@pytest.mark.parametrize("query", ["Kowalsky", "Kowlaski", "kowalki", "Kovalski"])
def test_lookup_tolerates_typos_in_the_surname(office: Organisation, query: str) -> None:
    target = person(office, "Kowalski", "Jan")
    person(office, "Nowak", "Ewa")
    assert _numbers(query) == [target.number]


@pytest.mark.parametrize("query", ["601234567", "601 234 567", "+48 601-234-567", "601 23"])
def test_lookup_by_phone_in_any_format(office: Organisation, query: str) -> None:
    target = person(office, phones=["+48 601 234 567"])
    person(office, "Nowak", phones=["602 000 000"])
    assert _numbers(query) == [target.number]


def test_lookup_by_pesel(office: Organisation) -> None:
    number = pesel()
    target = person(office, pesel=number)
    person(office, "Nowak", pesel=pesel())
    assert _numbers(number) == [target.number]


def test_lookup_by_nip_in_any_notation(office: Organisation) -> None:
    target = actions.register_client(
        actor=None, home_office=office, kind=Client.Kind.ORGANISATION, organisation_name="Piekarnia", nip="1234563218"
    )
    assert _numbers("123-456-32-18") == [target.number]


def test_lookup_by_organisation_name(office: Organisation) -> None:
    target = actions.register_client(
        actor=None, home_office=office, kind=Client.Kind.ORGANISATION, organisation_name="Piekarnia „Kłos” sp. z o.o."
    )
    assert _numbers("piekarnia klos") == [target.number]


def test_lookup_by_email_ignores_case(office: Organisation) -> None:
    target = person(office, emails=["Jan.Kowalski@Example.PL"])
    assert _numbers("jan.kowalski@example") == [target.number]


def test_lookup_skips_merged_clients(office: Organisation) -> None:
    a, b = person(office, "Kowalski"), person(office, "Kowalski", "Piotr")
    actions.merge_clients(actor=None, survivor=a, merged=b)
    assert _numbers("kowalski") == [a.number]


def test_lookup_ignores_too_short_queries(office: Organisation) -> None:
    person(office)
    assert _numbers("k") == []


def test_employer_is_found_by_the_distinctive_word_of_its_name(office: Organisation) -> None:
    shop = actions.register_client(
        actor=None, home_office=office, kind=Client.Kind.ORGANISATION, organisation_name="Sklep Spożywczy „Ciesielski”"
    )
    bakery = actions.register_client(
        actor=None, home_office=office, kind=Client.Kind.ORGANISATION, organisation_name="Piekarnia „Kłos” sp. z o.o."
    )
    assert _numbers("Ciesielski") == [shop.number]
    assert _numbers("ciesiel") == [shop.number]
    assert _numbers("klos") == [bakery.number]
    assert _numbers("spozywczy ciesielski") == [shop.number]
    person(office, "Ciesielska")  # people are still found by surname first
    assert _numbers("nowak") == []
