"""Bounded fuzzing of Kontraktor's desk forms: hostile values in every field of the office's and
the agency's forms, in the query strings and in the addresses answer with a page or a message,
never a 5xx, and never store data outside the approved scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okienko.accounts.models import User
from okienko.contracting import actions
from okienko.contracting.models import DataSharingRequest, Participant
from tests.contracting.domain import World, world_fixture  # noqa: F401
from tests.portal.test_fuzzing import NASTY

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(max_size=60))
DATES = st.one_of(HOSTILE, st.dates().map(lambda d: d.isoformat()))
SETTINGS = settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="pl")
    client.force_login(user)
    return client


def _ok(response: Any) -> None:
    assert response.status_code < 500, response.status_code


def _referred(world: World) -> Participant:
    existing = world.contract.participants.filter(status="referred").first()
    if existing is not None:
        return existing
    (p,) = world.participants(1)
    world.share([p])
    p.refresh_from_db()
    actions.refer(actor=world.office, participant=p)
    p.refresh_from_db()
    return p


def _url(name: str, *args: Any) -> str:
    return reverse(f"desk:contracting_{name}", args=args)


@SETTINGS
@given(
    purpose=st.one_of(st.sampled_from(["activation", "identity-check", "monitoring"]), HOSTILE),
    fields=st.lists(st.one_of(st.sampled_from(["first_name", "pesel", "events"]), HOSTILE), max_size=4),
    participant=HOSTILE,
    valid_from=DATES,
    valid_until=DATES,
    submit=HOSTILE,
)
def test_request_form(
    world: World, purpose: str, fields: list[str], participant: str, valid_from: str, valid_until: str, submit: str
) -> None:
    p = _referred(world)
    for user in (world.office, world.agency):
        response = _client(user).post(
            _url("new_request", world.contract.uuid),
            {
                "purpose": purpose,
                "field": fields,
                "participant": [participant, p.ref],
                "valid_from": valid_from,
                "valid_until": valid_until,
                "submit": submit,
                "legal_basis": participant,
            },
        )
        _ok(response)
    for request in DataSharingRequest.objects.all():
        assert set(request.requested_fields) <= request.purpose.allowed_codes()


@SETTINGS
@given(
    kind=st.one_of(st.sampled_from(["meeting", "training", "placement", "contact"]), HOSTILE),
    when=st.one_of(HOSTILE, st.datetimes().map(lambda d: d.isoformat()[:16])),
    note=HOSTILE,
    planned=HOSTILE,
    attended=HOSTILE,
)
def test_event_form(world: World, kind: str, when: str, note: str, planned: str, attended: str) -> None:
    p = _referred(world)
    response = _client(world.agency).post(
        _url("event", world.contract.uuid, p.ref),
        {"type": kind, "occurred_at": when, "note": note, "hours_planned": planned, "hours_attended": attended},
    )
    _ok(response)


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "0001-01-01T01:30"])
def test_event_form_at_the_start_of_the_calendar(world: World, when: str) -> None:
    p = _referred(world)
    response = _client(world.agency).post(
        _url("event", world.contract.uuid, p.ref), {"type": "meeting", "occurred_at": when, "note": "x"}
    )
    _ok(response)


@SETTINGS
@given(
    nip=HOSTILE,
    position=HOSTILE,
    code=st.one_of(st.sampled_from(["432103", "999999"]), HOSTILE),
    kind=HOSTILE,
    time=st.one_of(st.sampled_from(["1", "0", "1/0", "3/4", "2", "-1", "1e9", "NaN", "inf"]), HOSTILE),
    start=DATES,
    end=DATES,
    verified=HOSTILE,
)
def test_placement_form(
    world: World, nip: str, position: str, code: str, kind: str, time: str, start: str, end: str, verified: str
) -> None:
    p = _referred(world)
    response = _client(world.agency).post(
        _url("placement", world.contract.uuid, p.ref),
        {
            "employer_nip": nip,
            "position": position,
            "occupation_code": code,
            "contract_type": kind,
            "working_time": time,
            "start_date": start,
            "end_date": end,
            "verified_by": verified,
        },
    )
    _ok(response)


@SETTINGS
@given(action=HOSTILE, note=HOSTILE, to=HOSTILE, other=HOSTILE, start=DATES, end=DATES)
def test_actions_and_notes(world: World, action: str, note: str, to: str, other: str, start: str, end: str) -> None:
    p = _referred(world)
    request = DataSharingRequest.objects.filter(contract=world.contract).first()
    assert request is not None
    for user in (world.office, world.agency):
        http = _client(user)
        c = world.contract.uuid
        _ok(http.post(_url("contract_status", c), {"to": to, "note": note}))
        _ok(http.post(_url("participant_status", c, p.ref), {"to": to, "note": note, "exit_reason": other}))
        _ok(http.post(_url("request_action", c, request.uuid), {"action": action, "note": note, "field": [other]}))
        _ok(http.post(_url("line", c, 1), {"action": action, "note": note}))
        _ok(http.post(_url("open_settlement", c), {"period_start": start, "period_end": end}))
        _ok(http.post(_url("messages", c), {"body": note, "participant": other}))
        _ok(http.post(_url("nominate", c), {"person": [other, "1"]}))
        _ok(http.post(_url("check", c, p.ref, 1), {"employed": other}))


@SETTINGS
@given(page=HOSTILE, status=HOSTILE, query=HOSTILE, show=HOSTILE, participant=HOSTILE, purpose=HOSTILE)
def test_query_strings(
    world: World, page: str, status: str, query: str, show: str, participant: str, purpose: str
) -> None:
    p = _referred(world)
    c = world.contract.uuid
    for user in (world.office, world.agency):
        http = _client(user)
        _ok(http.get(_url("contracts"), {"page": page, "status": status}))
        _ok(http.get(_url("contract", c), {"page": page}))
        _ok(http.get(_url("participant", c, p.ref), {"show": show}))
        _ok(http.get(_url("access_log", c, p.ref), {"page": page}))
        _ok(http.get(_url("settlement", c), {"status": status}))
        _ok(http.get(_url("report_pdf", c), {"status": status}))
        _ok(http.get(_url("messages", c), {"participant": participant}))
        _ok(http.get(_url("new_request", c), {"purpose": purpose}))
        _ok(http.get(_url("nominate", c), {"q": query, "page": page}))


@pytest.mark.parametrize(
    "path",
    [
        "contracts/00000000-0000-0000-0000-000000000000/",
        "contracts/not-a-uuid/",
        "contracts/{c}/participants/P-NOPE/",
        "contracts/{c}/participants/%2e%2e/",
        "contracts/{c}/participants/" + "A" * 300 + "/",
        "contracts/{c}/requests/00000000-0000-0000-0000-000000000000/",
        "contracts/{c}/settlements/00000000-0000-0000-0000-000000000000/report.csv",
        "contracts/{c}/settlements/00000000-0000-0000-0000-000000000000/report.pdf",
        "contracts/00000000-0000-0000-0000-000000000000/report.pdf",
        "contracts/{c}/settlement/lines/99999999999999999999/",
        "contracts/{c}/participants/P-NOPE/checks/1/",
        "contracts/{c}/certificates/00000000-0000-0000-0000-000000000000.pdf",
        "contracts/{c}/certificates/00000000-0000-0000-0000-000000000000.exe",
        "contracts/{c}/closing/",
    ],
    ids=[
        "zero-uuid",
        "bad-uuid",
        "no-ref",
        "dots",
        "long-ref",
        "no-request",
        "no-settlement",
        "no-settlement-pdf",
        "no-contract-pdf",
        "huge-line",
        "check",
        "no-certificate",
        "certificate-format",
        "closing-too-early",
    ],
)
def test_odd_addresses(world: World, path: str) -> None:
    for user in (world.office, world.agency, world.agency_b):
        http = _client(user)
        address = "/desk/" + path.format(c=world.contract.uuid)
        _ok(http.get(address))
        _ok(http.post(address, {}))


# --- the exchange between installations (issue 18) ---------------------------------------------


@SETTINGS
@given(
    direction=HOSTILE,
    status=HOSTILE,
    reason=st.one_of(st.sampled_from(["conflict", "malformed"]), HOSTILE),
    page=HOSTILE,
    institution=HOSTILE,
    action=st.one_of(st.sampled_from(["confirm", "suspend", "export", "import"]), HOSTILE),
    text=HOSTILE,
    upload=st.binary(max_size=300),
)
def test_exchange_pages(
    world: World,
    direction: str,
    status: str,
    reason: str,
    page: str,
    institution: str,
    action: str,
    text: str,
    upload: bytes,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    for user in (world.office, world.agency, world.consultant):
        http = _client(user)
        query = {"direction": direction, "status": status, "reason": reason, "page": page, "institution": institution}
        _ok(http.get(reverse("desk:exchange_messages"), query))
        _ok(http.get(reverse("desk:exchange_institution"), {"institution": institution}))
        _ok(http.post(reverse("desk:exchange_files"), {"action": action, "partner": text, "institution": institution}))
        _ok(
            http.post(
                reverse("desk:exchange_files"), {"action": "import", "file": SimpleUploadedFile("x.jsonl", upload)}
            )
        )
        _ok(http.post(reverse("desk:exchange_partners"), {"card": SimpleUploadedFile("card.json", upload)}))
        _ok(http.post(reverse("desk:exchange_rotate"), {"confirm": text, "institution": institution}))
        _ok(http.post("/exchange/v1/messages", data=upload, content_type="application/jose+json"))
        _ok(http.post("/exchange/v1/pull", data=upload, content_type="application/jose+json"))


@pytest.mark.parametrize(
    "path",
    [
        "exchange/partners/0/",
        "exchange/partners/99999999999999999999/",
        "exchange/messages/0/",
        "exchange/messages/99999999999999999999/",
        "exchange/card.json",
    ],
)
def test_odd_exchange_addresses(world: World, path: str) -> None:
    for user in (world.office, world.agency, world.consultant):
        http = _client(user)
        _ok(http.get("/desk/" + path))
        _ok(http.post("/desk/" + path, {"action": "confirm", "fingerprint": "x"}))
