from __future__ import annotations

import importlib

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from okienko.accounts.models import Organisation
from okienko.core import audit, context
from okienko.core.models import AuditRecord

append_only = importlib.import_module("okienko.core.migrations.0002_audit_append_only")


def _tamper(sql: str, params: list[object]) -> None:
    """Change the audit table behind the application's back, as a rogue DBA would."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for drop in append_only.SQLITE_REVERSE:
                cursor.execute(drop)
            cursor.execute(sql, params)
            for create in append_only.SQLITE:
                cursor.execute(create)
        else:
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_append_only")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditrecord ENABLE TRIGGER core_auditrecord_append_only")


@pytest.mark.django_db
def test_record_links_each_entry_to_the_previous_hash(region: Organisation) -> None:
    first = audit.record("test.one", actor=None, obj=region)
    second = audit.record("test.two", actor=None, obj=region)
    assert second.prev_hash == first.hash
    assert second.id == first.id + 1
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_record_keeps_channel_ip_and_request_id_of_the_context(region: Organisation) -> None:
    with context.using(context.RequestContext(request_id="abc123", channel="phone", ip="127.0.0.9")):
        entry = audit.record("test.ctx", actor=None, obj=region)
    assert (entry.channel, entry.ip, entry.request_id) == ("phone", "127.0.0.9", "abc123")
    assert entry.object_type == "accounts.organisation"
    assert entry.object_id == str(region.pk)


def test_diff_reports_only_changed_fields_and_masks_secrets() -> None:
    changed = audit.diff({"name": "A", "pin": "1234", "same": 1}, {"name": "B", "pin": "9999", "same": 1})
    assert changed == {"name": ["A", "B"], "pin": ["***", "***"]}


@pytest.mark.django_db(transaction=True)
def test_verify_detects_a_tampered_row(region: Organisation) -> None:
    for i in range(5):
        audit.record(f"test.{i}", actor=None, obj=region, data={"i": i})
    target = AuditRecord.objects.order_by("id")[2]
    _tamper("UPDATE core_auditrecord SET data = %s WHERE id = %s", ['{"i": 99}', target.id])
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_at == target.id
    assert report.reason == "content does not match its hash"
    with pytest.raises(CommandError, match=f"broken at entry {target.id}"):
        call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_verify_detects_a_deleted_row(region: Organisation) -> None:
    for i in range(4):
        audit.record(f"test.{i}", actor=None, obj=region)
    target = AuditRecord.objects.order_by("id")[1]
    _tamper("DELETE FROM core_auditrecord WHERE id = %s", [target.id])
    report = audit.verify_chain()
    assert (report.ok, report.broken_at, report.reason) == (False, target.id, "missing entry")


@pytest.mark.django_db(transaction=True)
def test_verify_detects_truncation_of_the_newest_rows(region: Organisation) -> None:
    for i in range(3):
        audit.record(f"test.{i}", actor=None, obj=region)
    last = AuditRecord.objects.order_by("-id").first()
    assert last is not None
    _tamper("DELETE FROM core_auditrecord WHERE id = %s", [last.id])
    report = audit.verify_chain()
    assert report.reason == "entries after the last one were removed"


@pytest.mark.django_db(transaction=True)
def test_database_refuses_updates_and_deletes_of_audit_rows(region: Organisation) -> None:
    entry = audit.record("test.locked", actor=None, obj=region)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=entry.pk).delete()
    assert AuditRecord.objects.get(pk=entry.pk).action == "test.locked"


@pytest.mark.django_db
def test_verify_audit_command_reports_an_intact_chain(region: Organisation, capsys: pytest.CaptureFixture[str]) -> None:
    audit.record("test.ok", actor=None, obj=region)
    call_command("verify_audit")
    assert "audit chain intact: 1 entries" in capsys.readouterr().out
