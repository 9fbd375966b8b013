"""Bounded fuzzing of the registry: hostile export files (random bytes, mutated CSV and XML) are
imported or refused with a reason — never an exception, never a half-stored row — and the search
and page parameters of the desk answer every hostile value without a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as WebClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.contracting.registry import importer, mappers
from okienko.contracting.registry.models import ImportBatch, RegisteredPerson
from tests.contracting.registry_helpers import EXAMPLES, csv_bytes
from tests.portal.test_fuzzing import NASTY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=80))
SETTINGS = settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)
CSV = csv_bytes(3)
XML = (EXAMPLES / "syriusz-example.xml").read_bytes()[:3000] + b"</osoba></eksport>"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def office(region: Organisation) -> Organisation:
    return Organisation.objects.get(code="pup-a")


@pytest.fixture
def manager(make_user: Any, office: Organisation) -> Any:
    return make_user("kontrakty", roles=[(office, Role.CONTRACT_MANAGER)])


def _mutate(data: bytes, cuts: list[tuple[int, bytes]]) -> bytes:
    out = bytearray(data)
    for at, insert in cuts:
        position = at % (len(out) + 1)
        out[position : position + len(insert)] = insert
    return bytes(out)


def _import_checked(office: Organisation, data: bytes, mapper: str) -> None:
    before = RegisteredPerson.objects.count()
    try:
        batch = importer.import_file(office=office, data=data, name="fuzz", mapper_name=mapper, actor=None)
    except importer.ImportRefused:
        assert not data
        return
    assert batch.status in (ImportBatch.State.DONE, ImportBatch.State.REFUSED)
    if batch.status == ImportBatch.State.REFUSED:
        assert batch.refusal
        assert RegisteredPerson.objects.count() == before
    else:
        assert batch.rows == batch.created + batch.updated + batch.unchanged + batch.rejected
        assert batch.rejections.filter(reason="").count() == 0
    assert not RegisteredPerson.objects.filter(first_name__regex=r"^[=+\-@\t\r]").exists()


@SETTINGS
@given(data=st.binary(max_size=2000), mapper=st.sampled_from(["csv", "xml"]))
def test_random_bytes_are_imported_or_refused(office: Organisation, data: bytes, mapper: str) -> None:
    _import_checked(office, data, mapper)


@SETTINGS
@given(cuts=st.lists(st.tuples(st.integers(0, 5000), st.binary(min_size=1, max_size=12)), min_size=1, max_size=6))
def test_mutated_csv(office: Organisation, cuts: list[tuple[int, bytes]]) -> None:
    _import_checked(office, _mutate(CSV, cuts), "csv")


@SETTINGS
@given(cuts=st.lists(st.tuples(st.integers(0, 3500), st.sampled_from(NASTY).map(str.encode)), min_size=1, max_size=4))
def test_mutated_xml(office: Organisation, cuts: list[tuple[int, bytes]]) -> None:
    _import_checked(office, _mutate(XML, cuts), "xml")


@SETTINGS
@given(cell=HOSTILE, column=st.sampled_from(mappers.COLUMNS))
def test_any_cell_value(office: Organisation, cell: str, column: str) -> None:
    from tests.contracting.registry_helpers import one_row

    if column not in ("edycja_kzis",):
        _import_checked(office, one_row(**{column: cell}), "csv")


@SETTINGS
@given(query=HOSTILE, office_code=HOSTILE, page=HOSTILE)
def test_search_never_fails(client: WebClient, manager: Any, query: str, office_code: str, page: str) -> None:
    client.raise_request_exception = False
    client.force_login(manager)
    answer = client.get("/desk/registry/", {"q": query, "office": office_code, "page": page})
    assert answer.status_code in (200, 400), answer.status_code


@SETTINGS
@given(office_code=HOSTILE, mapper=HOSTILE, name=HOSTILE, data=st.binary(max_size=500))
def test_upload_never_fails(
    client: WebClient, manager: Any, office_code: str, mapper: str, name: str, data: bytes
) -> None:
    client.raise_request_exception = False
    client.force_login(manager)
    upload = SimpleUploadedFile(name.replace("\x00", "")[:100] or "f", data)
    answer = client.post("/desk/registry/imports/", {"office": office_code, "mapper": mapper, "file": upload})
    assert answer.status_code in (302, 400), answer.status_code


@pytest.mark.parametrize(
    "path",
    [
        "/desk/registry/people/99999999999999999999/",
        "/desk/registry/imports/0/",
        "/desk/registry/imports/-1/rejections.csv",
        "/desk/registry/people/abc/",
    ],
)
def test_odd_addresses(client: WebClient, manager: Any, path: str) -> None:
    client.raise_request_exception = False
    client.force_login(manager)
    assert client.get(path).status_code == 404
