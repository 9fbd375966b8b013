"""The shared-data access log is append-only and hash-chained: it verifies, and a changed, removed
or re-ordered entry is found."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction

from okienko.contracting import accesslog
from okienko.contracting.models import AccessLog, AccessLogHead
from okienko.core.actors import SCHEDULER
from okienko.core.audit import GENESIS, chain_digest

pytestmark = pytest.mark.django_db


def _write(n: int) -> list[AccessLog]:
    return accesslog.append(
        [accesslog.Entry(action="read", participant_ref=f"P-{i:016d}", fields=["first_name"]) for i in range(n)],
        actor=SCHEDULER,
        institution=None,
    )


@contextmanager
def triggers_lifted() -> Iterator[None]:
    """Let the test tamper as an attacker with database access would (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS contracting_accesslog_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS contracting_accesslog_no_delete")
        else:
            cursor.execute("ALTER TABLE contracting_accesslog DISABLE TRIGGER USER")
    yield


def test_the_chain_verifies() -> None:
    rows = _write(5)
    assert [r.id for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    report = accesslog.verify()
    assert (report.ok, report.checked) == (True, 5)


def test_the_hash_is_the_audit_chains_rule() -> None:
    (row,) = _write(1)
    assert row.hash == chain_digest(accesslog._hashed_fields(row))


def test_the_database_refuses_updates_and_deletes() -> None:
    _write(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.update(reason="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.all().delete()


def test_a_changed_entry_is_found() -> None:
    _write(3)
    with triggers_lifted():
        AccessLog.objects.filter(id=2).update(fields=["first_name", "pesel"])
    report = accesslog.verify()
    assert (report.ok, report.broken_at, report.reason) == (False, 2, "content does not match its hash")


def test_a_removed_entry_is_found() -> None:
    _write(3)
    with triggers_lifted():
        AccessLog.objects.filter(id=2).delete()
    report = accesslog.verify()
    assert (report.ok, report.broken_at) == (False, 2)


def test_a_removed_last_entry_is_found() -> None:
    _write(3)
    with triggers_lifted():
        AccessLog.objects.filter(id=3).delete()
    report = accesslog.verify()
    assert (report.ok, report.reason) == (False, "entries after the last one were removed")


def test_a_rehashed_entry_breaks_the_next_link() -> None:
    """Recomputing the changed entry's own hash is not enough: the next entry names the old one."""
    _write(3)
    row = AccessLog.objects.get(id=2)
    row.reason = "forged"
    forged = chain_digest(accesslog._hashed_fields(row))
    with triggers_lifted():
        AccessLog.objects.filter(id=2).update(reason="forged", hash=forged)
    report = accesslog.verify()
    assert (report.ok, report.broken_at, report.reason) == (False, 3, "previous hash does not match")


def test_the_head_follows_the_chain() -> None:
    rows = _write(2)
    head = AccessLogHead.objects.get()
    assert (head.last_id, head.last_hash) == (2, rows[-1].hash)
