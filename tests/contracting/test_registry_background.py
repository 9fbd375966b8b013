"""Registry imports in the background (issue 17): the desk stores the export and queues it, the
work queue's worker imports it (run here synchronously through ``queue.drain``), the batch page
follows the states and the progress, failures end with a readable reason, the retention job deletes
stored exports and the personal data their reports quote; other offices never see a batch."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.contracting.registry import importer, queue, retention, tasks
from okienko.contracting.registry.models import ImportBatch, ImportRejection, RegisteredPerson
from okienko.core import clock, workqueue
from okienko.core.limits import BodySizeLimit
from okienko.core.models import AuditRecord
from tests.contracting.registry_helpers import EXAMPLES, csv_bytes


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def offices(region: Organisation) -> tuple[Organisation, Organisation]:
    return Organisation.objects.get(code="pup-a"), Organisation.objects.get(code="pup-b")


@pytest.fixture
def http(client: Client, offices: Any, make_user: Callable[..., User]) -> Client:
    client.force_login(make_user("kontrakty.a", roles=[(offices[0], Role.CONTRACT_MANAGER)]))
    return client


def _upload(http: Client, office: Organisation, data: bytes, name: str = "eksport.csv", **extra: Any) -> Any:
    return http.post(
        reverse("desk:registry_imports"),
        {"office": office.code, "mapper": "csv", "file": SimpleUploadedFile(name, data, content_type="text/csv")},
        **extra,
    )


def _main(page: str) -> str:
    return page.split("<main", 1)[-1].split("</main>")[0]


@pytest.mark.django_db
def test_upload_queues_and_the_worker_imports(http: Client, offices: Any) -> None:
    response = _upload(http, offices[0], csv_bytes(30))
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("desk:registry_import", args=[batch.pk])
    assert batch.status == ImportBatch.State.QUEUED
    assert batch.phase == "queued"
    assert not RegisteredPerson.objects.exists()  # nothing imported inside the request
    assert batch.file.name
    assert default_storage.exists(batch.file.name)
    assert batch.size == len(csv_bytes(30))
    assert batch.original_name == "eksport.csv"
    assert AuditRecord.objects.filter(action="contracting_registry.import_queued", object_id=str(batch.pk)).exists()
    queued_page = _main(http.get(response["Location"]).content.decode())
    assert 'hx-trigger="every 3s"' in queued_page
    assert "<script" not in queued_page
    assert "<meta http-equiv" not in queued_page

    assert queue.drain() == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.State.DONE
    assert (batch.rows, batch.created, batch.total_rows, batch.attempts) == (30, 30, 30, 1)
    assert batch.started_at
    assert batch.finished_at
    assert not batch.claimed_by
    done_page = _main(http.get(response["Location"]).content.decode())
    assert "hx-trigger" not in done_page
    assert queue.drain() == 0  # nothing left

    # The same export again: updates, never duplicates.
    _upload(http, offices[0], csv_bytes(30))
    assert queue.drain() == 1
    again = ImportBatch.objects.order_by("-pk").first()
    assert again is not None
    assert (again.status, again.created, again.unchanged) == ("done", 0, 30)
    assert RegisteredPerson.objects.filter(office=offices[0]).count() == 30


@pytest.mark.django_db
def test_the_task_drains_the_queue(http: Client, offices: Any) -> None:
    _upload(http, offices[0], csv_bytes(3))
    assert tasks.import_registry_batches() == 1
    assert ImportBatch.objects.get().status == ImportBatch.State.DONE
    assert workqueue.get("registry_imports").metrics().depth == 0


@pytest.mark.django_db
def test_progress_grows_chunk_by_chunk(http: Client, offices: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(importer, "CHUNK", 10)
    _upload(http, offices[0], csv_bytes(35))
    batch = ImportBatch.objects.get()
    seen: list[tuple[str, int, int | None]] = []
    renew = queue._renew

    def watching(item: ImportBatch) -> None:
        stored = ImportBatch.objects.get(pk=item.pk)
        seen.append((stored.phase, stored.rows, stored.total_rows))
        fragment = http.get(
            reverse("desk:registry_import", args=[item.pk]), {"part": "progress"}, HTTP_HX_REQUEST="true"
        )
        assert fragment.status_code == 200
        assert "<html" not in fragment.content.decode()
        assert f"{stored.rows} " in fragment.content.decode()
        renew(item)

    monkeypatch.setattr(queue, "_renew", watching)
    queue.drain()
    assert [phase for phase, _rows, _total in seen] == ["running"] * 4
    assert [rows for _phase, rows, _total in seen] == [0, 10, 20, 30]
    assert {total for _phase, _rows, total in seen} == {35}
    batch.refresh_from_db()
    assert batch.status == "done"
    assert batch.percent == 100
    finished = http.get(reverse("desk:registry_import", args=[batch.pk]), {"part": "progress"}, HTTP_HX_REQUEST="true")
    assert finished.status_code == 204
    assert finished["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_rejected_rows_report_when_done(http: Client, offices: Any) -> None:
    _upload(http, offices[0], (EXAMPLES / "syriusz-bledy.csv").read_bytes())
    batch = ImportBatch.objects.get()
    assert "Duplicate of row 10" not in http.get(reverse("desk:registry_import", args=[batch.pk])).content.decode()
    queue.drain()
    page = http.get(reverse("desk:registry_import", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Duplicate of row 10" in page or "Duplikat wiersza 10" in page
    assert ImportBatch.objects.get().rejected == 11


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("id_syriusz;imie\n1;Jan\n".encode("utf-16"), "encoding"),
        (b"id_syriusz;imie\n1;Jan\n", "missing_columns"),
    ],
    ids=["bad-encoding", "missing-columns"],
)
def test_a_file_that_cannot_be_read_ends_refused_with_the_reason(
    http: Client, offices: Any, data: bytes, reason: str
) -> None:
    _upload(http, offices[0], data)
    queue.drain()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.State.REFUSED
    assert batch.finished
    assert batch.refusal
    assert batch.finished_at
    page = http.get(reverse("desk:registry_import", args=[batch.pk]))
    assert page.status_code == 200
    assert batch.refusal in page.content.decode()
    assert not RegisteredPerson.objects.exists()
    refused = AuditRecord.objects.get(action="contracting_registry.import_refused")
    assert refused.data["reason"] == reason


@pytest.mark.django_db
def test_a_refusal_is_worded_in_the_uploaders_language(http: Client, offices: Any) -> None:
    _upload(http, offices[0], b"id_syriusz;imie\n1;Jan\n", HTTP_ACCEPT_LANGUAGE="en")
    queue.drain()
    assert ImportBatch.objects.get().refusal.startswith("Columns missing from the header")


@pytest.mark.django_db
def test_an_unexpected_error_ends_failed_with_a_readable_reason(http: Client, offices: Any, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importer, "_apply", broken)
    _upload(http, offices[0], csv_bytes(3), HTTP_ACCEPT_LANGUAGE="en")
    assert queue.drain() == 1
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.State.FAILED
    assert batch.finished
    assert batch.failure == "The import stopped because of an unexpected error."
    assert "disk on fire" in batch.last_error
    assert batch.finished_at
    page = http.get(reverse("desk:registry_import", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "disk on fire" not in page.content.decode()  # the technical error stays in the admin
    assert AuditRecord.objects.filter(action="contracting_registry.import_failed").exists()
    assert workqueue.get("registry_imports").metrics().dead == 1
    # Replayed once the cause is gone, it starts over and completes.
    monkeypatch.undo()
    assert workqueue.get("registry_imports").replay() == 1
    queue.drain()
    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.failure) == ("done", 3, "")


@pytest.mark.django_db
def test_a_deleted_file_fails_readably(http: Client, offices: Any) -> None:
    _upload(http, offices[0], csv_bytes(2), HTTP_ACCEPT_LANGUAGE="en")
    batch = ImportBatch.objects.get()
    default_storage.delete(batch.file.name)
    queue.drain()
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.failure == "The file is no longer stored; upload it again."


@pytest.mark.django_db
def test_a_lost_claim_stops_the_worker(http: Client, offices: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(importer, "CHUNK", 5)
    _upload(http, offices[0], csv_bytes(20))
    batch = queue.IMPORTS.claim(limit=1)[0]
    ImportBatch.objects.filter(pk=batch.pk).update(claimed_by="someone-else")
    queue.run(batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.State.QUEUED  # left to whoever holds it
    assert not RegisteredPerson.objects.exists()  # the chunk whose claim was lost rolled back


@pytest.mark.django_db
def test_another_office_gets_404(http: Client, offices: Any, make_user: Callable[..., User]) -> None:
    _upload(http, offices[0], csv_bytes(2))
    batch = ImportBatch.objects.get()
    other = Client()
    other.force_login(make_user("kontrakty.b", roles=[(offices[1], Role.CONTRACT_MANAGER)]))
    url = reverse("desk:registry_import", args=[batch.pk])
    assert other.get(url).status_code == 404
    assert other.get(url, {"part": "progress"}, HTTP_HX_REQUEST="true").status_code == 404
    assert other.get(reverse("desk:registry_rejections_csv", args=[batch.pk])).status_code == 404
    assert batch.original_name not in other.get(reverse("desk:registry_imports")).content.decode()


def _finished_batch(office: Organisation, days_ago: int) -> ImportBatch:
    batch = importer.import_file(
        office=office, data=(EXAMPLES / "syriusz-bledy.csv").read_bytes(), name="b.csv", mapper_name="csv", actor=None
    )
    ImportBatch.objects.filter(pk=batch.pk).update(finished_at=clock.now() - dt.timedelta(days=days_ago))
    batch.refresh_from_db()
    return batch


@pytest.mark.django_db
def test_retention_deletes_old_files_and_quoted_values(offices: Any, settings: Any) -> None:
    assert django_settings.OKIENKO_REGISTRY_IMPORT_RETENTION_DAYS == 30
    old = _finished_batch(offices[0], 31)
    recent = _finished_batch(offices[1], 5)
    name = old.file.name
    assert default_storage.exists(name)
    assert old.rejections.exclude(value="").exists()
    assert tasks.purge_import_files() == 1
    old.refresh_from_db()
    assert old.file_deleted_at is not None
    assert not old.file.name
    assert not default_storage.exists(name)
    assert not old.rejections.exclude(value="").exists()
    assert not old.rejections.exclude(registry_id="").exists()
    assert old.rejections.count() == 11
    assert old.rejected == 11
    assert all(r.field and r.reason and r.row for r in ImportRejection.objects.filter(batch=old))
    entry = AuditRecord.objects.get(action="contracting_registry.import_file_deleted")
    assert entry.object_id == str(old.pk)
    assert entry.data["rejections_cleared"] > 0
    recent.refresh_from_db()
    assert recent.file_deleted_at is None
    assert default_storage.exists(recent.file.name)
    assert recent.rejections.exclude(value="").exists()
    assert retention.purge_expired() == 0  # idempotent
    settings.OKIENKO_REGISTRY_IMPORT_RETENTION_DAYS = 3
    assert retention.purge_expired() == 1


@pytest.mark.django_db
def test_retention_never_touches_a_queued_import(http: Client, offices: Any, settings: Any) -> None:
    settings.OKIENKO_REGISTRY_IMPORT_RETENTION_DAYS = 0
    _upload(http, offices[0], csv_bytes(2))
    assert retention.purge_expired(clock.now() + dt.timedelta(days=400)) == 0
    assert ImportBatch.objects.get().file_deleted_at is None


@pytest.mark.django_db
def test_the_purged_batch_page_says_so(http: Client, offices: Any) -> None:
    old = _finished_batch(offices[0], 40)
    retention.purge_expired()
    page = http.get(reverse("desk:registry_import", args=[old.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "personal data" in text or "dane osobowe" in text


def test_the_upload_cap_fits_a_100k_row_export_and_spools_to_disk() -> None:
    # bench/registry_import.py: 100,000 synthetic rows are about 33.5 MB.
    cap = django_settings.CONTRACTING_REGISTRY_UPLOAD_MAX_BYTES
    assert cap >= 40 * 1024 * 1024
    assert cap > django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE  # a large upload goes to a temporary file
    path = reverse("desk:registry_imports")
    assert django_settings.REQUEST_MAX_BYTES_BY_PATH[path] > cap
    assert cap > django_settings.REQUEST_MAX_BYTES  # every other path keeps the small limit


def _status(limit: BodySizeLimit, path: str, length: int) -> int:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "headers": [(b"content-length", str(length).encode())]}
    # In a thread of its own: a browser test in the same worker may leave an event loop running in this
    # one, where neither asyncio.run nor async_to_sync may start another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, limit(scope, receive, send)).result(timeout=10)
    return int(sent[0]["status"])


def test_the_body_limit_is_larger_only_for_the_registry_upload() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    limit = BodySizeLimit(app, 100, {"/desk/registry/imports/": 1000})
    assert _status(limit, "/desk/registry/imports/", 500) == 200
    assert _status(limit, "/desk/registry/imports/", 1001) == 413
    assert _status(limit, "/desk/cases/", 500) == 413
