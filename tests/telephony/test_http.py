"""The desk's phone pages: who may open them, the screen pop scoped to the consultant's offices
(access logged), the wrap-up on the consultant's own contact, the call reports from the log
(with CSV), the staffing calculator and the softphone (public only on the demo)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as WebClient
from django.utils import timezone

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.clients import actions as client_actions
from okienko.core.choices import Channel
from okienko.core.models import AuditRecord
from okienko.interactions import actions as interaction_actions
from okienko.interactions.models import Interaction
from okienko.telephony import directory
from okienko.telephony.engine.events import CallEvent
from okienko.telephony.models import CallEventRecord, PhoneQueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def queues(region: Organisation) -> dict[str, PhoneQueue]:
    found = {}
    for code in ("pup-a", "pup-b"):
        office = Organisation.objects.get(code=code)
        found[code] = PhoneQueue.objects.create(organisation=office, code=f"tel-{code}", name=f"Linia {code}")
    return found


@pytest.fixture
def consultant(make_user: Any, region: Organisation) -> User:
    user: User = make_user("konsultant.a", roles=[(Organisation.objects.get(code="pup-a"), Role.CONSULTANT)])
    return user


def test_a_consultant_answers_their_office_first_and_the_others_after_a_tier(
    consultant: User, queues: dict[str, PhoneQueue]
) -> None:
    assert directory.agent_queues(consultant) == {"tel-pup-a": 0, "tel-pup-b": 1}


def test_pages_by_role(client: WebClient, make_user: Any, consultant: User, queues: Any, region: Organisation) -> None:
    supervisor = make_user("kierownik", roles=[(region, Role.SUPERVISOR)])
    client.force_login(consultant)
    assert client.get("/desk/phone/").status_code == 200
    assert client.get("/desk/phone/wallboard/").status_code == 403
    client.force_login(supervisor)
    page = client.get("/desk/phone/wallboard/")
    assert page.status_code == 200
    assert "Linia pup-a" in page.content.decode()
    assert client.get("/desk/phone/staffing/").status_code == 200


def test_the_screen_pop_shows_a_client_of_the_office_and_logs_it(
    client: WebClient, consultant: User, region: Organisation
) -> None:
    own = client_actions.register_client(
        actor=None, home_office=Organisation.objects.get(code="pup-a"), first_name="Anna", last_name="Zielna"
    )
    other = client_actions.register_client(
        actor=None, home_office=Organisation.objects.get(code="city"), first_name="Obca", last_name="Osoba"
    )
    client.force_login(consultant)
    pop = client.get("/desk/phone/pop", {"client": own.pk})
    assert pop.status_code == 200
    assert "Zielna" in pop.content.decode()
    assert AuditRecord.objects.filter(action="personal_data.viewed", object_id=str(own.pk)).exists()
    refused = client.get("/desk/phone/pop", {"client": other.pk})
    assert refused.status_code == 404
    assert "Osoba" not in refused.content.decode()
    assert client.get("/desk/phone/pop", {"client": "x'"}).status_code == 404


def test_the_wrap_up_goes_on_the_consultants_own_contact_only(
    client: WebClient, consultant: User, make_user: Any
) -> None:
    office = Organisation.objects.get(code="pup-a")
    contact = interaction_actions.record_interaction(actor=None, channel=Channel.PHONE, organisation=office)
    Interaction.objects.filter(pk=contact.pk).update(staff=consultant)
    someone = make_user("ktos", roles=[(office, Role.CONSULTANT)])
    client.force_login(someone)
    client.post("/desk/phone/wrap-up", {"interaction": str(contact.uuid), "outcome": "case_opened"})
    contact.refresh_from_db()
    assert contact.outcome != "case_opened"
    client.force_login(consultant)
    answer = client.post(
        "/desk/phone/wrap-up", {"interaction": str(contact.uuid), "outcome": "answered", "notes": "Wyjaśniono."}
    )
    assert answer.status_code == 302
    contact.refresh_from_db()
    assert contact.outcome == "answered"
    assert "Wyjaśniono." in contact.notes
    assert AuditRecord.objects.filter(action="telephony.wrap_up", object_id=str(contact.pk)).exists()


def _log(*events: CallEvent) -> None:
    directory.persist(events)


def test_reports_count_the_calls_of_the_viewers_offices(
    client: WebClient, make_user: Any, queues: Any, region: Organisation
) -> None:
    analyst = make_user("analityk", roles=[(Organisation.objects.get(code="pup-a"), Role.ANALYST)])
    now = timezone.now().replace(minute=10, second=0, microsecond=0).timestamp()
    _log(
        CallEvent(now, "queue.enter", call="c1", queue="tel-pup-a", data={"priority": 0, "position": 1}),
        CallEvent(now + 5, "offer", call="c1", queue="tel-pup-a", agent="7"),
        CallEvent(now + 8, "connect", call="c1", queue="tel-pup-a", agent="7", data={"waited": 8, "ring": 3}),
        CallEvent(
            now + 100,
            "complete",
            call="c1",
            queue="tel-pup-a",
            agent="7",
            data={"by": "agent", "talk": 92, "waited": 8},
        ),
        CallEvent(now + 1, "queue.enter", call="c2", queue="tel-pup-a", data={"priority": 0, "position": 2}),
        CallEvent(now + 61, "abandon", call="c2", queue="tel-pup-a", data={"waited": 60, "position": 1}),
        CallEvent(now + 2, "queue.enter", call="c3", queue="tel-pup-b", data={"priority": 0, "position": 1}),
    )
    client.force_login(analyst)
    page = client.get("/desk/phone/reports/", {"interval": "3600", "by": "queue"})
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r["key"] for r in rows] == ["tel-pup-a"]
    assert (rows[0]["offered"], rows[0]["answered"], rows[0]["abandoned"]) == (2, 1, 1)
    csv = client.get("/desk/phone/reports/", {"interval": "3600", "by": "queue", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "tel-pup-b" not in csv.content.decode()
    odd = client.get("/desk/phone/reports/", {"from": "2026-13-45", "to": "1999-01-01", "interval": "7", "by": "x"})
    assert odd.status_code == 200
    assert CallEventRecord.objects.count() == 7


def test_the_log_is_append_only(region: Organisation) -> None:
    record = CallEventRecord.objects.create(at=dt.datetime.now(dt.UTC), seconds=1.0, kind="offer")
    record.kind = "connect"
    with pytest.raises(ValueError, match="append-only"):
        record.save()


def test_staffing_calculator(client: WebClient, make_user: Any, region: Organisation) -> None:
    client.force_login(make_user("kierownik", roles=[(region, Role.SUPERVISOR)]))
    page = client.get(
        "/desk/phone/staffing/",
        {"calls_per_hour": "120", "aht": "180", "target_sl": "0.8", "target_seconds": "20", "shrinkage": "0.3"},
    )
    assert page.status_code == 200
    result = page.context["result"]
    assert result.agents >= 7
    assert result.scheduled >= result.agents
    bad = client.get("/desk/phone/staffing/", {"calls_per_hour": "-1", "aht": "abc"})
    assert bad.status_code == 200
    assert bad.context["problem"]


def test_the_softphone_is_public_only_on_the_demo(client: WebClient, settings: Any, region: Organisation) -> None:
    settings.TELEPHONY_PUBLIC_SOFTPHONE = False
    assert client.get("/telefon/").status_code == 302
    settings.TELEPHONY_PUBLIC_SOFTPHONE = True
    page = client.get("/telefon/")
    assert page.status_code == 200
    assert 'id="softphone"' in page.content.decode()
