"""The registry pages of the desk: upload, the batch report and its CSV, the people list with
search and the person's page; scope by office; agency users never see the registry."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.contracting.registry import queue
from okienko.contracting.registry.models import ImportBatch, RegisteredPerson
from okienko.core.models import AuditRecord
from okienko.desk.registry_views import spreadsheet_safe
from tests.contracting.registry_helpers import EXAMPLES, csv_bytes, run


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def offices(region: Organisation) -> tuple[Organisation, Organisation]:
    Organisation.objects.create(code="agency", name="Agencja", kind=Organisation.Kind.AGENCY)
    return Organisation.objects.get(code="pup-a"), Organisation.objects.get(code="pup-b")


@pytest.fixture
def manager(offices: tuple[Organisation, Organisation], make_user: Callable[..., User]) -> User:
    return make_user("kontrakty.a", roles=[(offices[0], Role.CONTRACT_MANAGER)])


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _upload(client: Client, office: Organisation, data: bytes, name: str = "eksport.csv", mapper: str = "csv") -> Any:
    return client.post(
        reverse("desk:registry_imports"),
        {"office": office.code, "mapper": mapper, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


@pytest.mark.django_db
def test_upload_shows_the_report_and_the_rejected_rows(client: Client, manager: User, offices: Any) -> None:
    http = _login(client, manager)
    response = _upload(http, offices[0], (EXAMPLES / "syriusz-bledy.csv").read_bytes())
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:registry_import", args=[batch.pk])
    assert batch.created_by == manager
    assert batch.status == ImportBatch.State.QUEUED  # imported by the worker, not in the request
    assert queue.drain() == 1
    page = http.get(response["Location"]).content.decode()
    assert "Duplicate of row 10" in page or "Duplikat wiersza 10" in page
    assert "=HYPERLINK" in page  # shown as text, escaped by the template
    assert "<script" not in page.split("<main", 1)[-1].split("</main>")[0]
    csv_response = http.get(reverse("desk:registry_rejections_csv", args=[batch.pk]))
    assert csv_response["Content-Type"].startswith("text/csv")
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + batch.rejections.count()
    cells = [cell for row in rows[1:] for cell in row[1:]]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert AuditRecord.objects.filter(action="contracting_registry.rejections_downloaded").exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+48", "'+48"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("ok", "ok")],
    ids=["eq", "plus", "minus", "at", "tab", "cr", "plain"],
)
def test_spreadsheet_safe(value: str, expected: str) -> None:
    assert spreadsheet_safe(value) == expected


@pytest.mark.django_db
def test_a_refused_file_says_why(client: Client, manager: User, offices: Any) -> None:
    http = _login(client, manager)
    response = _upload(http, offices[0], b"id_syriusz;imie\n1;Jan\n")
    queue.drain()
    page = http.get(response["Location"]).content.decode()
    assert "pesel" in page
    assert ImportBatch.objects.get().status == "refused"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"office": "pup-b", "mapper": "csv"}, "office"),
        ({"office": "pup-a", "mapper": "xlsx"}, "format"),
        ({"office": "pup-a", "mapper": "csv", "nofile": "1"}, "file"),
    ],
    ids=["other-office", "unknown-mapper", "no-file"],
)
def test_bad_upload_forms_are_refused(
    client: Client, manager: User, offices: Any, fields: dict[str, str], message: str
) -> None:
    http = _login(client, manager)
    data: dict[str, Any] = {"office": fields["office"], "mapper": fields["mapper"]}
    if "nofile" not in fields:
        data["file"] = SimpleUploadedFile("a.csv", csv_bytes(2))
    response = http.post(reverse("desk:registry_imports"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:registry_imports")
    assert not RegisteredPerson.objects.exists()


@pytest.mark.django_db
def test_too_large_upload_is_refused(client: Client, manager: User, offices: Any, settings: Any) -> None:
    settings.CONTRACTING_REGISTRY_UPLOAD_MAX_BYTES = 100
    http = _login(client, manager)
    response = _upload(http, offices[0], csv_bytes(5))
    assert response["Location"] == reverse("desk:registry_imports")
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_people_list_search_and_detail_logged(client: Client, manager: User, offices: Any) -> None:
    run(offices[0], (EXAMPLES / "syriusz-example.csv").read_bytes())
    person = RegisteredPerson.objects.filter(pesel__isnull=False).order_by("pk").first()
    assert person is not None
    assert person.pesel is not None
    http = _login(client, manager)
    listing = http.get(reverse("desk:registry_people")).content.decode()
    assert "60" in listing
    for query in (person.pesel, person.registry_id, f"{person.first_name} {person.last_name}", person.last_name[:4]):
        found = http.get(reverse("desk:registry_people"), {"q": query}).content.decode()
        assert person.registry_id in found, query
    assert AuditRecord.objects.filter(action="contracting_registry.searched").count() == 4
    detail = http.get(reverse("desk:registry_person", args=[person.pk]))
    assert detail.status_code == 200
    assert person.pesel in detail.content.decode()
    logged = AuditRecord.objects.filter(action="personal_data.viewed", object_id=str(person.pk))
    assert logged.filter(kind=AuditRecord.Kind.ACCESS).exists()


@pytest.mark.django_db
def test_one_office_never_sees_the_others_people(client: Client, offices: Any, make_user: Callable[..., User]) -> None:
    run(offices[0], (EXAMPLES / "syriusz-example.csv").read_bytes())
    batch_b = run(offices[1], (EXAMPLES / "syriusz-example.xml").read_bytes(), "xml", "lomza.xml")
    lomza = make_user("kontrakty.b", roles=[(offices[1], Role.CONTRACT_MANAGER)])
    http = _login(client, lomza)
    bialystok_person = RegisteredPerson.objects.filter(office=offices[0]).first()
    assert bialystok_person is not None
    listing = http.get(reverse("desk:registry_people"), {"q": bialystok_person.registry_id}).content.decode()
    assert f"<code>{bialystok_person.registry_id}</code>" not in listing  # the search box echoes the query
    listing_all = http.get(reverse("desk:registry_people")).content.decode()
    assert "BI/" not in listing_all
    assert "LM/" in listing_all
    assert http.get(reverse("desk:registry_person", args=[bialystok_person.pk])).status_code == 404
    assert AuditRecord.objects.filter(
        action="contracting_registry.access_denied", object_id=str(bialystok_person.pk)
    ).exists()
    batch_a = ImportBatch.objects.get(office=offices[0])
    assert http.get(reverse("desk:registry_import", args=[batch_a.pk])).status_code == 404
    assert http.get(reverse("desk:registry_rejections_csv", args=[batch_a.pk])).status_code == 404
    assert http.get(reverse("desk:registry_import", args=[batch_b.pk])).status_code == 200
    assert _upload(http, offices[0], csv_bytes(2))["Location"] == reverse("desk:registry_imports")
    assert (
        not RegisteredPerson.objects.filter(office=offices[0], created_at__gt=batch_b.created_at)
        .exclude(updated_from_batch__office=offices[0])
        .exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.AGENCY_WORKER, Role.CONSULTANT, Role.SUPERVISOR], ids=["agency", "consultant", "supervisor"]
)
def test_other_roles_never_see_the_registry(
    client: Client, offices: Any, make_user: Callable[..., User], role: str
) -> None:
    run(offices[0], csv_bytes(3))
    person = RegisteredPerson.objects.first()
    batch = ImportBatch.objects.get()
    organisation = Organisation.objects.get(code="agency") if role == Role.AGENCY_WORKER else offices[0]
    http = _login(client, make_user("someone", roles=[(organisation, role)]))
    assert person is not None
    for name, args in [
        ("desk:registry_people", []),
        ("desk:registry_imports", []),
        ("desk:registry_import", [batch.pk]),
        ("desk:registry_rejections_csv", [batch.pk]),
    ]:
        assert http.get(reverse(name, args=args)).status_code == 403, name
    assert http.get(reverse("desk:registry_person", args=[person.pk])).status_code == 404
    assert _upload(http, offices[0], csv_bytes(2)).status_code == 403
    home = http.get(reverse("desk:home")).content.decode()
    assert reverse("desk:registry_people") not in home


@pytest.mark.django_db
def test_nav_entry_for_the_contract_manager(client: Client, manager: User) -> None:
    home = _login(client, manager).get(reverse("desk:home")).content.decode()
    assert reverse("desk:registry_people") in home


@pytest.mark.django_db
def test_import_registry_command_prints_the_report(offices: Any) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_registry", "pup-a", str(EXAMPLES / "syriusz-bledy.csv"), stdout=out)
    text = out.getvalue()
    assert "rows 14, created 3" in text
    assert "rejected 11" in text
    assert "row 11 id_syriusz" in text
    out = io.StringIO()
    call_command("import_registry", "pup-b", str(EXAMPLES / "syriusz-example.xml"), stdout=out)
    assert "created 60" in out.getvalue()


@pytest.mark.django_db
def test_demo_loader_is_idempotent(offices: Any) -> None:
    from okienko.contracting.registry import demo

    Organisation.objects.filter(code="pup-a").update(code="pup-bialystok")
    Organisation.objects.filter(code="pup-b").update(code="pup-lomza")
    out = io.StringIO()
    demo.load(stdout=out)
    demo.load(stdout=out)
    assert RegisteredPerson.objects.count() == 120
    assert ImportBatch.objects.count() == 2
