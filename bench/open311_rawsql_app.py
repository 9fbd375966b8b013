"""Baseline for the Open311 intake benchmark: a bare ASGI app doing the same writes as
``POST /open311/v2/requests.json`` (api key check, service lookup, case number counter, the case,
two timeline events, the audit entry with its hash chain, the outbox event and deliveries, the
Open311 submission and its audit entry) with hand-written SQL on one psycopg connection per worker.
With ``RAWSQL_MODE=receipt`` it does the queued intake's work instead (ADR 0040): the key check,
the service look-up and one receipt row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/okienko_bench \\
        .venv/bin/uvicorn --app-dir bench open311_rawsql_app:app --workers 3 --port 8092
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import time
import urllib.parse
import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/okienko_bench")
_conn: psycopg.AsyncConnection[Any] | None = None
_lock = asyncio.Lock()
_pool: AsyncConnectionPool | None = None
POOL_SIZE = int(os.environ.get("RAWSQL_POOL_SIZE", "4"))
# Key and service rows kept for 5 s, as the application keeps them (ADR 0040): the baseline does
# the same statements per request as the application, not more.
_memo: dict[tuple[Any, ...], tuple[float, Any]] = {}
MEMO_SECONDS = 5.0


async def _cached_row(cur: Any, sql: str, params: list[Any]) -> Any:
    key = (sql, *params)
    now = time.monotonic()
    hit = _memo.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    await cur.execute(sql, params)
    row = await cur.fetchone()
    _memo[key] = (now + MEMO_SECONDS, row)
    return row


async def connection() -> psycopg.AsyncConnection[Any]:
    global _conn
    if _conn is None or _conn.closed:
        _conn = await psycopg.AsyncConnection.connect(URL)
    return _conn


async def pool() -> AsyncConnectionPool:
    """A few connections per worker, as the application has (``OKIENKO_DB_POOL_SIZE``): requests
    of one worker do not wait for each other's round trips."""
    global _pool
    if _pool is None:
        _pool = AsyncConnectionPool(URL, min_size=POOL_SIZE, max_size=POOL_SIZE, open=False)
        await _pool.open()
    return _pool


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


async def _audit(cur: Any, action: str, org_id: int, object_type: str, object_id: int, data: dict[str, Any]) -> None:
    await cur.execute("SELECT last_id, last_hash FROM core_auditchainhead WHERE id = 1 FOR UPDATE")
    last_id, last_hash = await cur.fetchone()
    now = dt.datetime.now(dt.UTC)
    fields = {"id": last_id + 1, "at": now.isoformat(), "action": action, "data": data, "prev_hash": last_hash}
    digest = _digest(fields)
    await cur.execute(
        "INSERT INTO core_auditrecord (id, at, kind, action, actor_repr, organisation_id, object_type, object_id,"
        " object_repr, channel, request_id, changes, data, prev_hash, hash) VALUES"
        " (%s, %s, 'change', %s, 'bench', %s, %s, %s, '', 'api', '', '{}', %s, %s, %s)",
        [last_id + 1, now, action, org_id, object_type, str(object_id), json.dumps(data), last_hash, digest],
    )
    await cur.execute("UPDATE core_auditchainhead SET last_id = %s, last_hash = %s WHERE id = 1", [last_id + 1, digest])


MODE = os.environ.get("RAWSQL_MODE", "case")


async def _key_and_service(cur: Any, form: dict[str, str]) -> tuple[Any, Any]:
    """``(token row, service row)``, or ``(status, error body)`` when either is missing."""
    prefix = form.get("api_key", "").split("_")[1] if form.get("api_key", "").count("_") >= 2 else ""
    token = await _cached_row(
        cur, "SELECT id, secret_hash FROM api_apitoken WHERE prefix = %s AND revoked_at IS NULL", [prefix]
    )
    if token is None or token[1] != hashlib.sha256(form["api_key"].encode()).hexdigest():
        return 403, b'[{"code":403,"description":"Invalid api_key"}]'
    service = await _cached_row(
        cur,
        "SELECT s.id, s.organisation_id, s.responsible_unit_id FROM catalogue_service s"
        " JOIN accounts_organisation o ON o.id = s.organisation_id"
        " WHERE o.code = %s AND o.open311_public AND s.code = %s AND s.is_public AND s.active"
        " AND s.publication <> 'private'",
        [form.get("jurisdiction_id", ""), form.get("service_code", "")],
    )
    if service is None:
        return 400, b'[{"code":400,"description":"service_code not found"}]'
    return token, service


async def receipt(form: dict[str, str]) -> tuple[int, bytes]:
    """The queued intake's work (ADR 0040): key check, service look-up, one receipt row."""
    async with (await pool()).connection() as conn, conn.transaction(), conn.cursor() as cur:
        found = await _key_and_service(cur, form)
        if isinstance(found[1], bytes):  # refused: (status, body)
            return found
        token, service = found
        value = uuid.uuid4()
        payload = {k: v for k, v in form.items() if k != "api_key"}
        # state 'rawsql': never picked up by the intake worker; the benchmark deletes these rows.
        await cur.execute(
            "INSERT INTO integrations_open311intake (token, jurisdiction_id, service_id, api_token_id, received_at,"
            " request_id, payload, state, errors, attempts, claimed_by, last_error)"
            " VALUES (%s, %s, %s, %s, %s, '', %s, 'rawsql', '{}', 0, '', '')",
            [value, service[1], service[0], token[0], dt.datetime.now(dt.UTC), json.dumps(payload)],
        )
    return 201, json.dumps([{"token": str(value), "service_notice": "", "account_id": ""}]).encode()


async def submit(form: dict[str, str]) -> tuple[int, bytes]:
    conn = await connection()
    async with _lock, conn.transaction(), conn.cursor() as cur:
        found = await _key_and_service(cur, form)
        if isinstance(found[1], bytes):  # refused: (status, body)
            return found
        token, service = found
        service_id, org_id, unit_id = service
        now = dt.datetime.now(dt.UTC)
        await cur.execute(
            "INSERT INTO cases_casenumbercounter (organisation_id, year, last_value) VALUES (%s, %s, 0)"
            " ON CONFLICT DO NOTHING",
            [org_id, now.year],
        )
        await cur.execute(
            "UPDATE cases_casenumbercounter SET last_value = last_value + 1 WHERE organisation_id = %s AND year = %s"
            " RETURNING last_value",
            [org_id, now.year],
        )
        (seq,) = await cur.fetchone()
        number = f"RAWSQL/{now.year}/{seq:07d}"  # never collides with the loader's numbers
        await cur.execute(
            "INSERT INTO cases_case (uuid, number, description, status, priority, channel, reporter_name,"
            " reporter_email, reporter_phone, latitude, longitude, address, sla_basis, response_due, resolve_due,"
            " resolve_due_3x, escalation_level, created_at, updated_at, version, answers, external_token, media_url,"
            " assigned_unit_id, organisation_id, service_id, priority_reason) VALUES (%s, %s, %s, 'assigned', 'normal',"
            " 'web', '', '', '', %s, %s, %s, 'working_days', %s, %s, %s, 0, %s, %s, 1, '{}', %s, %s, %s, %s, %s, '')"
            " RETURNING id",
            [
                uuid.uuid4(), number, form.get("description", ""), form.get("lat") or None, form.get("long") or None,
                form.get("address_string", "")[:300], now + dt.timedelta(days=2), now + dt.timedelta(days=14),
                now + dt.timedelta(days=42), now, now, uuid.uuid4(), form.get("media_url", "")[:200], unit_id, org_id,
                service_id,
            ],
        )  # fmt: skip
        (case_id,) = await cur.fetchone()
        await _audit(cur, "case.opened", org_id, "cases.case", case_id, {"route": "responsible_unit"})
        for kind in ("opened", "assigned"):
            await cur.execute(
                "INSERT INTO cases_caseevent (at, kind, actor_repr, summary, data, is_public, case_id)"
                " VALUES (%s, %s, 'bench', %s, '{}', true, %s)",
                [now, kind, kind, case_id],
            )
        event_id = uuid.uuid4()
        await cur.execute(
            "INSERT INTO core_outboxevent (id, created_at, topic, aggregate_type, aggregate_id, organisation_id,"
            " payload, request_id) VALUES (%s, %s, 'case.created', 'cases.case', %s, %s, %s, '')",
            [event_id, now, str(case_id), org_id, json.dumps({"case_id": case_id, "number": number})],
        )
        for subscriber in ("integrations.webhooks.case",):
            await cur.execute(
                "INSERT INTO core_outboxdelivery (subscriber, status, attempts, available_at, last_error, claimed_by,"
                " event_id) VALUES (%s, 'pending', 0, %s, '', '', %s)",
                [subscriber, now, event_id],
            )
        await cur.execute(
            "INSERT INTO integrations_open311submission (case_id, api_token_id, address_id, device_id, account_id,"
            " created_at) VALUES (%s, %s, '', '', '', %s) RETURNING id",
            [case_id, token[0], now],
        )
        (submission_id,) = await cur.fetchone()
        await _audit(cur, "open311.request_submitted", org_id, "integrations.open311submission", submission_id, {})
    body = [{"service_request_id": number.replace("/", "-"), "service_notice": "", "account_id": ""}]
    return 201, json.dumps(body).encode()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    form = dict(urllib.parse.parse_qsl(b"".join(chunks).decode()))
    status, body = await (receipt(form) if MODE == "receipt" else submit(form))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
