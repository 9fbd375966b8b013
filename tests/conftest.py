from __future__ import annotations

import importlib
import mailbox
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from okienko.accounts.models import Membership, Organisation, User
from tests import factories

_APPEND_ONLY = importlib.import_module("okienko.core.migrations.0002_audit_append_only")
_ACCESS_LOG_APPEND_ONLY = importlib.import_module("okienko.contracting.migrations.0002_access_log_append_only")


class _OneRequestAtATime:
    """The live server's WSGI application, serving one request at a time.

    With the embedded SQLite database in memory, every thread of Django's threaded test server
    shares the one connection of the test; two requests at once (a page and the poll it starts, a
    form sent while the session is saved) then fail with "database table is locked", and a work
    queue woken in the request loses its wake-up. The lock is held from the call of the
    application until the server closes the response (after its body is sent), and waits at most
    ``TIMEOUT`` seconds so that a request which calls the server itself cannot hang a test."""

    TIMEOUT = 60.0

    def __init__(self, application: Any) -> None:
        import threading

        self.application = application
        self.lock = threading.Lock()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        held = self.lock.acquire(timeout=self.TIMEOUT)
        try:
            result = self.application(environ, start_response)
        except BaseException:
            if held:
                self.lock.release()
            raise
        return _Released(result, self.lock if held else None)


class _Released:
    """A response body that releases the lock when the server closes it."""

    def __init__(self, result: Any, lock: Any) -> None:
        self.result, self.lock = result, lock

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            if self.lock is not None:
                self.lock, lock = None, self.lock
                lock.release()


def _serialise_the_live_server() -> None:
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test import testcases

    class OneRequestAtATimeServer(ThreadedWSGIServer):
        def set_app(self, application: Any) -> None:
            super().set_app(_OneRequestAtATime(application))

    testcases.LiveServerThread.server_class = OneRequestAtATimeServer


def pytest_configure(config: pytest.Config) -> None:
    """The live server serves one request at a time (see ``_OneRequestAtATime``).

    Parallel workers on one Redis must not see each other's keys: each worker gets its own
    cache database (``cache.clear()`` empties a whole database, and lock-out counters would
    collide) and its own channel-layer prefix (pub/sub channels ignore the database number)."""
    from django.conf import settings

    _serialise_the_live_server()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    cache: dict[str, Any] = settings.CACHES.get("default", {})
    if not worker or "redis" not in str(cache.get("BACKEND", "")):
        return
    index = int(re.sub(r"\D", "", worker) or 0)
    cache["LOCATION"] = re.sub(r"(/\d+)?$", f"/{index % 15 + 1}", str(cache["LOCATION"]), count=1)
    layer: dict[str, Any] = settings.CHANNEL_LAYERS.get("default", {})
    layer_config: dict[str, Any] = layer.setdefault("CONFIG", {})
    layer_config["prefix"] = f"asgi-{worker}"


@pytest.fixture(autouse=True)
def _isolated_cache(request: pytest.FixtureRequest) -> None:
    """Each database test starts with an empty cache (rate limits, lockouts), whether it asks for
    the database by the marker or through a fixture (on Redis the cache outlives the test's
    transaction; the database cache of the embedded run is rolled back with it)."""
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None and not uses_db:
        return
    from django.core.cache import cache

    from okienko.core import memo

    transactional = _wants_transaction(request) or "transactional_db" in request.fixturenames
    request.getfixturevalue("transactional_db" if transactional else "db")
    cache.clear()
    memo.clear_all()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language, whatever an earlier request activated."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _wants_transaction(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames


@pytest.fixture(autouse=True)
def _audit_triggers_allow_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """SQLite empties tables with DELETE between transactional tests; the audit log and
    Kontraktor's access log forbid DELETE, so lift their triggers just for that flush and put them
    back for the next test."""
    if request.node.get_closest_marker("django_db") is None or not _wants_transaction(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        for sql in [*_APPEND_ONLY.SQLITE, *_ACCESS_LOG_APPEND_ONLY.SQLITE]:
            cursor.execute(sql)
    yield
    with connection.cursor() as cursor:
        for sql in [*_APPEND_ONLY.SQLITE_REVERSE, *_ACCESS_LOG_APPEND_ONLY.SQLITE_REVERSE]:
            cursor.execute(sql)


@pytest.fixture
def region(db: None) -> Organisation:
    return factories.organisation_tree()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(
        username: str = "staff",
        *,
        roles: list[tuple[Organisation, str]] | None = None,
        password: str = "pass-1234-word",
    ) -> User:
        user = User.objects.create_user(username=username, password=password, first_name="Test", last_name=username)
        for org, role in roles or []:
            Membership.objects.create(user=user, organisation=org, role=role)
        return user

    return make


@pytest.fixture
def staff_client(client: Client) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Iterator[None]:
    """As Django's test client does: a WSGI app called in-process (schemathesis) must not close the
    test's database connection at the end of each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def free_port() -> int:
    """A loopback TCP port nothing listens on (for the test's own servers)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def smtp_settings(settings: Any) -> Any:
    """Send through Django's SMTP backend to a loopback port (nothing listens there yet)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.SITE_URL = "https://okienko.example.pl"
    settings.OKIENKO_MAIL_DOMAIN = "okienko.example.pl"
    return settings


@pytest.fixture
def mail_sink(smtp_settings: Any, tmp_path: Path) -> Iterator[mailbox.Maildir]:
    """The product's own local mail sink (aiosmtpd, ``core.mailsink``) on that port, into a Maildir."""
    from okienko.core import mailsink

    controller = mailsink.start("127.0.0.1", smtp_settings.EMAIL_PORT, tmp_path / "mail")
    try:
        yield mailbox.Maildir(str(tmp_path / "mail"), create=False)
    finally:
        controller.stop()
