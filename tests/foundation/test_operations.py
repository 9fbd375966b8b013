from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from okienko.accounts.models import Membership, Organisation, TerritorialUnit, User
from okienko.conf import env
from okienko.core.models import AuditRecord


@pytest.mark.django_db
def test_health_reports_every_component(client: Client) -> None:
    response = client.get("/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "tasks"}
    assert body["checks"]["database"]["vendor"] == connection.vendor


@pytest.mark.django_db
def test_health_is_503_when_a_component_fails(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from okienko.core import views

    def broken() -> dict[str, Any]:
        raise ConnectionError("cache server gone")

    monkeypatch.setattr(views, "_check_cache", broken)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {
        "status": "error",
        "error": "ConnectionError: cache server gone",
        "ms": response.json()["checks"]["cache"]["ms"],
    }


@pytest.mark.django_db
def test_responses_carry_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Request-ID"]


@pytest.mark.django_db
def test_unknown_page_gets_a_readable_404(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Strona lub obiekt, o który prosisz, nie istnieje." in response.content.decode()


def test_env_reader_rejects_malformed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKIENKO_DEBUG", "perhaps")
    with pytest.raises(env.ConfigError, match="OKIENKO_DEBUG must be a boolean"):
        env.env_bool("OKIENKO_DEBUG", False)
    monkeypatch.setenv("OKIENKO_EMAIL_PORT", "25x")
    with pytest.raises(env.ConfigError, match="must be an integer"):
        env.env_int("OKIENKO_EMAIL_PORT", 25)


def test_database_url_is_translated_for_postgres() -> None:
    result = env.database_settings("postgres://okienko:s%40cret@db.local:5433/okienko")
    assert (result["ENGINE"], result["NAME"], result["USER"], result["PASSWORD"], result["HOST"], result["PORT"]) == (
        "django.db.backends.postgresql",
        "okienko",
        "okienko",
        "s@cret",
        "db.local",
        "5433",
    )
    assert result["OPTIONS"] == {"options": "-c jit=off"}
    pooled = env.database_settings("postgres://okienko@db.local/okienko", pool_size=20, jit=True)
    assert pooled["OPTIONS"] == {"pool": {"min_size": 1, "max_size": 20, "timeout": 10}}
    assert pooled["CONN_MAX_AGE"] == 0
    with pytest.raises(env.ConfigError):
        env.database_settings("mysql://x/y")


def test_secret_key_is_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OKIENKO_SECRET_KEY", raising=False)
    first = env.secret_key(tmp_path)
    assert len(first) > 50
    assert env.secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_profile_is_secure_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKIENKO_PROFILE", "production")
    monkeypatch.delenv("OKIENKO_DEBUG", raising=False)
    settings = env.read_environment()
    assert settings.debug is False
    assert settings.secure_cookies is True
    assert settings.log_json is True


@pytest.mark.django_db
def test_demo_loads_the_fourteen_county_offices_idempotently() -> None:
    out = io.StringIO()
    call_command("demo", "--only", "accounts", stdout=out)
    call_command("demo", "--only", "accounts", stdout=out)
    pups = Organisation.objects.filter(kind=Organisation.Kind.COUNTY_OFFICE)
    assert pups.count() == 14
    assert Organisation.objects.get(code="pup-bialystok").territory.filter(code__in=["2002", "2061"]).count() == 2
    assert TerritorialUnit.objects.filter(kind=TerritorialUnit.Kind.POWIAT, code__startswith="20").count() == 14
    assert Organisation.objects.get(code="lodz-zdit").parent.code == "lodz"
    assert User.objects.get(username="konsultant.bialystok").check_password("okienko-demo-2026")
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {
        "consultant",
        "expert",
        "supervisor",
        "analyst",
        "knowledge_editor",
        "portal_editor",
        "administrator",
        "agency_worker",
        "contract_manager",
    }


@pytest.mark.django_db
def test_demo_once_skips_loaders_that_already_ran() -> None:
    call_command("demo", "--only", "accounts", stdout=io.StringIO())
    before = AuditRecord.objects.count()
    out = io.StringIO()
    call_command("demo", "--once", "--only", "accounts", stdout=out)
    assert out.getvalue() == ""
    assert AuditRecord.objects.count() == before


def test_json_log_lines_are_valid_json_with_request_id() -> None:
    import logging

    from okienko.core.logging import JsonFormatter, RequestContextFilter

    record = logging.makeLogRecord(
        {"msg": "zażółć %s", "args": ("gęślą",), "levelname": "INFO", "name": "t", "case": 7}
    )
    RequestContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "zażółć gęślą"
    assert line["case"] == 7
    assert line["request_id"]


def test_backup_copy_restores_the_stored_rows(tmp_path: Path) -> None:
    from okienko.core.backup import check_backup, copy_database

    live = tmp_path / "live.sqlite3"
    with sqlite3.connect(live) as db:
        db.execute("CREATE TABLE core_auditrecord (id integer)")
        db.execute("INSERT INTO core_auditrecord VALUES (1)")
    backup = tmp_path / "backups" / "b.sqlite3"
    copy_database(live, backup)
    check_backup(backup)
    with sqlite3.connect(live) as db:
        db.execute("DELETE FROM core_auditrecord")
    copy_database(backup, live)
    with sqlite3.connect(live) as db:
        assert db.execute("SELECT count(*) FROM core_auditrecord").fetchone() == (1,)


def test_backup_check_refuses_a_database_that_is_not_okienko(tmp_path: Path) -> None:
    from okienko.core.backup import BackupError, check_backup

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (id integer)")
    with pytest.raises(BackupError, match="not an Okienko database"):
        check_backup(other)


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    if connection.vendor != "sqlite":
        pytest.skip("restore_db covers the embedded SQLite database")
    with pytest.raises(CommandError, match="not a SQLite database"):
        call_command("restore_db", str(junk))


@pytest.mark.django_db
def test_each_request_is_logged_with_its_id_status_and_duration(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    with caplog.at_level(logging.INFO, logger="okienko.access"):
        response = client.get("/accounts/login/", headers={"X-Request-ID": "req-42"})
    (record,) = [r for r in caplog.records if r.name == "okienko.access"]
    assert response.headers["X-Request-ID"] == "req-42"
    assert (record.method, record.path, record.status, record.user_id) == ("GET", "/accounts/login/", 200, None)
    assert record.duration_ms >= 0


@pytest.mark.django_db
def test_postgresql_connections_run_without_the_jit_compiler() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
