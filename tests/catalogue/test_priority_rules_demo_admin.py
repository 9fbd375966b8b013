"""The demo catalogue ships priority rules and per-service replies; the admin edits rules with pickers."""

import io
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client as HttpClient

from okienko.accounts import demo as accounts_demo
from okienko.accounts.models import Organisation, User
from okienko.catalogue import demo
from okienko.catalogue.models import PriorityCondition, PriorityRule, Service, StandardText
from okienko.core.models import AuditRecord

Login = Callable[[User], HttpClient]


@pytest.fixture
def loaded(db: None) -> None:
    accounts_demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())


@time_machine.travel("2026-11-24 09:00:00+00:00", tick=False)  # a Tuesday: the next day is a working day
def test_a_deep_pothole_on_the_carriageway_is_opened_high_priority_for_24_hours(loaded: None) -> None:
    from okienko.cases.actions import open_case

    lodz = Organisation.objects.get(code="lodz")
    pothole = Service.objects.get(organisation=lodz, code="dziura-w-jezdni")
    case = open_case(
        actor=User.objects.get(username="konsultant.lodz"),
        organisation=lodz,
        service=pothole,
        description="Głęboka dziura przy przejściu dla pieszych",
        channel="phone",
        location={"address": "ul. Piotrkowska 104"},
        answers={"rozmiar": "sredni", "pas-ruchu": "tak", "glebokosc": "15"},
    )
    assert case.priority == "high"
    assert case.priority_reason == "Głęboki ubytek na pasie ruchu — zabezpieczenie w 24 godziny"
    assert (case.resolve_due - case.created_at).total_seconds() == 24 * 3600


def test_demo_rules_and_replies_are_idempotent(loaded: None) -> None:
    counts = (PriorityRule.objects.count(), PriorityCondition.objects.count(), StandardText.objects.count())
    demo.load(stdout=io.StringIO())
    assert (PriorityRule.objects.count(), PriorityCondition.objects.count(), StandardText.objects.count()) == counts
    assert counts[0] >= 4
    assert StandardText.objects.filter(service__code="dziura-w-jezdni", active=True).count() == 3


def test_demo_replies_use_only_known_placeholders(loaded: None) -> None:
    import string

    from okienko.cases.replies import placeholders

    known = set(placeholders.__code__.co_consts) | {"case_number", "number", "service", "deadline", "address", "unit"}
    for text in StandardText.objects.filter(active=True):
        fields = {f for _lit, f, _s, _c in string.Formatter().parse(text.body) if f}
        assert fields <= known, (text.code, fields - known)


def test_the_admin_offers_only_the_rules_service_questions(loaded: None, staff_client: Login) -> None:
    admin = User.objects.create_superuser("root", password="x-pass-1234")
    login = staff_client(admin)
    rule = PriorityRule.objects.get(service__code="dziura-w-jezdni", order=0)
    page = login.get(f"/admin/catalogue/priorityrule/{rule.pk}/change/").content.decode()
    assert "Przybliżona głębokość ubytku (cm)" in page
    assert "Numer słupa" not in page  # a question of another service
    service_page = login.get(f"/admin/catalogue/service/{rule.service_id}/change/")
    assert service_page.status_code == 200
    assert rule.name in service_page.content.decode()


def test_the_admin_refuses_a_condition_with_an_unknown_choice(loaded: None, staff_client: Login) -> None:
    admin = User.objects.create_superuser("root", password="x-pass-1234")
    login = staff_client(admin)
    rule = PriorityRule.objects.get(service__code="dziura-w-jezdni", order=1)
    conditions = list(rule.conditions.order_by("id"))
    form = {
        "service": rule.service_id,
        "name": rule.name,
        "order": rule.order,
        "active": "on",
        "priority": "urgent",
        "sla_basis": "",
        "response_due": "1",
        "resolve_due": "2",
        "conditions-TOTAL_FORMS": str(len(conditions)),
        "conditions-INITIAL_FORMS": str(len(conditions)),
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "1000",
    }
    for n, c in enumerate(conditions):
        form.update(
            {
                f"conditions-{n}-id": str(c.pk),
                f"conditions-{n}-rule": str(rule.pk),
                f"conditions-{n}-question": str(c.question_id),
                f"conditions-{n}-operator": c.operator,
                f"conditions-{n}-value": "ogromny" if c.question.code == "rozmiar" else c.value,
            }
        )
    response = login.post(f"/admin/catalogue/priorityrule/{rule.pk}/change/", form)
    assert response.status_code == 200
    assert "ogromny" in response.content.decode()
    rule.refresh_from_db()
    assert rule.priority == "high"
    form["conditions-1-value" if conditions[1].question.code == "rozmiar" else "conditions-0-value"] = "duzy"
    assert login.post(f"/admin/catalogue/priorityrule/{rule.pk}/change/", form).status_code == 302
    rule.refresh_from_db()
    assert rule.priority == "urgent"
    assert AuditRecord.objects.filter(action="admin.priorityrule.changed").exists()


def test_a_residents_pothole_report_reaches_the_roads_queue_high_priority(loaded: None) -> None:
    from django.test import Client

    from okienko.portal.actions import submit_report

    pothole = Service.objects.get(organisation__code="lodz", code="dziura-w-jezdni")
    case = submit_report(
        service=pothole,
        description="Głęboka dziura na jezdni przy przystanku",
        location={"latitude": "51.7592", "longitude": "19.4560", "address": "ul. Piotrkowska 104"},
        answers={"rozmiar": "duzy", "pas-ruchu": "tak", "glebokosc": "20"},
    )
    assert (case.priority, case.assigned_unit.code if case.assigned_unit else None) == ("high", "lodz-zdit")
    http = Client(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(User.objects.get(username="ekspert.zdit"))
    page = http.get("/desk/cases/team/?view=map&priority=high")
    assert [p["number"] for p in page.context["points"]] == [case.number]
