"""Hostile uploads (issue 10, defects 2 and 11): every file of the corpus (``hostile_files``) is
refused or accepted as a harmless type by ``core.uploads.check`` and by the public report form,
and checking it never costs more than 20 MB of memory — measured with ``tracemalloc`` in this
process and, independently, as the growth of the peak resident size of a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from okienko.cases.models import Case, CaseAttachment
from okienko.core import uploads
from tests.portal.conftest import Portal, portal, valid_post  # noqa: F401 - the fixture
from tests.security.hostile_files import GIF, Hostile, corpus

CEILING = 20 * 1024 * 1024
PHOTO_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
T = TypeVar("T")

_CORPUS: list[Hostile] = []


def hostile_corpus() -> list[Hostile]:
    if not _CORPUS:
        _CORPUS.extend(corpus())
    return _CORPUS


def _names() -> list[str]:
    # Collected before the bombs are built; the names are fixed by ``corpus``.
    return [item.name for item in hostile_corpus()]


def _item(name: str) -> Hostile:
    return next(item for item in hostile_corpus() if item.name == name)


def peak_extra_memory(work: Callable[[], T]) -> tuple[T | BaseException, int]:
    """What ``work`` returned (or raised) and the most memory it held at once beyond what was
    allocated before it started."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        try:
            result: T | BaseException = work()
        except Exception as exc:  # noqa: BLE001 - the caller inspects it
            result = exc
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak - before


@pytest.mark.parametrize("name", _names())
def test_check_refuses_or_safely_accepts_each_hostile_file_within_the_memory_ceiling(name: str) -> None:
    item = _item(name)
    data = item.data  # built (a bomb takes memory to make) before measuring
    result, peak = peak_extra_memory(lambda: uploads.check(data, max_bytes=uploads.DEFAULT_MAX_BYTES))
    assert peak < CEILING, f"{name}: {peak / 1e6:.1f} MB"
    if item.accepted_as is None:
        assert isinstance(result, uploads.UploadRejected), f"{name} was accepted: {result}"
    else:
        assert isinstance(result, uploads.CheckedFile), f"{name} was refused: {result}"
        assert result.content_type == item.accepted_as
        shown = uploads.display_name(item.name, result.content_type)
        assert shown.endswith(uploads.EXTENSIONS[result.content_type])


def test_bombs_cost_a_fresh_process_less_than_20_mb(tmp_path: Path) -> None:
    """The resident size a fresh interpreter reaches while checking every bomb and oversized
    archive grows by less than 20 MB (the ceiling seen by the operating system, C allocations
    of the decompressors included)."""
    for index, item in enumerate(hostile_corpus()):
        (tmp_path / f"{index:03d}").write_bytes(item.data)
    script = textwrap.dedent(
        """
        import json, resource, sys
        from pathlib import Path
        import django
        from django.conf import settings
        settings.configure(USE_I18N=False)
        django.setup()
        from okienko.core import uploads
        files = [p.read_bytes() for p in sorted(Path(sys.argv[1]).iterdir())]
        def check(data):
            try:
                return uploads.check(data, max_bytes=uploads.DEFAULT_MAX_BYTES).content_type
            except uploads.UploadRejected as exc:
                return exc.reason
        check(files[-1])  # warm up: imports, codecs, zipfile structures
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        outcomes = [check(data) for data in files]
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"kib": after - before, "outcomes": outcomes}))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["kib"] * 1024 < CEILING, f"peak resident size grew by {result['kib'] / 1024:.1f} MB"
    for item, outcome in zip(hostile_corpus(), result["outcomes"], strict=True):
        assert (outcome == item.accepted_as) if item.accepted_as else outcome.startswith(("type:", "empty")), (
            item.name,
            outcome,
        )


def _report_url(site: Portal) -> str:
    return reverse("portal:report", args=[site.pothole.uuid])


@pytest.mark.django_db
@pytest.mark.parametrize("name", _names())
def test_the_report_form_refuses_or_safely_stores_each_hostile_photo(
    client: Client,
    portal: Portal,  # noqa: F811 - the fixture imported above
    settings: Any,
    name: str,
) -> None:
    settings.PORTAL_MIN_FILL_SECONDS = 0
    item = _item(name)
    photo = SimpleUploadedFile(item.name, item.data, content_type="image/gif")

    def send() -> Any:
        return client.post(_report_url(portal), {**valid_post(), "photo": photo})

    if name.startswith(("bomb-", "lying-", "nested")):  # tracing a whole request is slow: bombs only
        response, peak = peak_extra_memory(send)
        assert peak < CEILING, f"{name}: {peak / 1e6:.1f} MB"
    else:
        response = send()
    assert not isinstance(response, BaseException), response
    if item.accepted_as in PHOTO_TYPES:
        assert response.status_code == 302
        stored = CaseAttachment.objects.get()
        assert stored.content_type == item.accepted_as
        assert stored.original_name.endswith(uploads.EXTENSIONS[item.accepted_as])
    else:
        assert response.status_code == 200
        assert "photo" in response.context["form"].errors
        assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("private_cache")
def test_refused_uploads_use_up_the_report_limit_of_the_address(
    client: Client,
    portal: Portal,  # noqa: F811
    settings: Any,
) -> None:
    """A rejected file counts like a sent report, so a bomb cannot be retried without end."""
    settings.PORTAL_MIN_FILL_SECONDS = 0
    settings.PORTAL_RATE_LIMITS = {"report": 3}
    bomb = _item("bomb-mimetype-bzip2.odt").data

    def send() -> int:
        photo = SimpleUploadedFile("bomb.png", bomb, content_type="image/png")
        return int(client.post(_report_url(portal), {**valid_post(), "photo": photo}).status_code)

    assert [send() for _ in range(4)] == [200, 200, 200, 429]


@pytest.fixture
def private_cache(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bombs"}}


@pytest.mark.django_db
def test_a_photo_sent_as_html_is_stored_and_offered_as_a_gif(
    client: Client,
    portal: Portal,  # noqa: F811
    settings: Any,
) -> None:
    settings.PORTAL_MIN_FILL_SECONDS = 0
    photo = SimpleUploadedFile("poly.html", GIF, content_type="text/html")
    assert client.post(_report_url(portal), {**valid_post(), "photo": photo}).status_code == 302
    assert CaseAttachment.objects.get().original_name == "poly.gif"
