"""Staff edit what clients are told, with a live preview, per office; the survey's results per
service and unit; pages refused to those who may not configure or work on cases."""

from __future__ import annotations

import mailbox
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as WebClient

from okienko.accounts.roles import Role
from okienko.core.models import AuditRecord
from okienko.notifications.models import Notification, NotificationTemplate, SurveyResponse
from tests.cases.conftest import City, open_pothole
from tests.notifications.conftest import received

pytestmark = pytest.mark.django_db

EDIT = "/desk/notifications/templates/case_registered/email/pl/"


@pytest.fixture
def admin(city: City, make_user: Callable[..., Any]) -> Any:
    return make_user("konfigurator", roles=[(city.city, Role.ADMINISTRATOR)])


def test_an_administrator_rewords_a_message_for_the_office_and_clients_get_it(
    city: City, admin: Any, client: WebClient, sink: mailbox.Maildir, workers: Callable[[], int]
) -> None:
    client.force_login(admin)
    listing = client.get("/desk/notifications/templates/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Szablony wiadomości" in listing
    assert EDIT in listing
    page = client.get(EDIT, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Przyjęliśmy Pana/Pani zgłoszenie LODZ/2026/000186" in page  # preview with example data
    body = "Dzień dobry,\\nZgłoszenie {{ case_number }} przyjęte. {{ link }}\\nMiasto"
    preview = client.post(EDIT + "preview", {"subject": "Nr {{ case_number }}", "body": body})
    assert "Nr LODZ/2026/000186" in preview.content.decode()
    broken = client.post(EDIT, {"subject": "x", "body": "{% if %}", "active": "on"}, HTTP_ACCEPT_LANGUAGE="pl")
    assert "Szablonu nie można użyć" in broken.content.decode()
    assert not NotificationTemplate.objects.exists()
    saved = client.post(EDIT, {"subject": "Nr {{ case_number }}", "body": body, "active": "on"})
    assert saved.status_code == 302
    template = NotificationTemplate.objects.get()
    assert template.organisation == city.city
    assert template.updated_by == admin
    assert AuditRecord.objects.filter(action="notification.template_saved").exists()
    case = open_pothole(city, reporter={"name": "Jan", "email": "jan@example.pl"})
    workers()
    [message] = received(sink)
    assert message["Subject"].strip() == f"Nr {case.number}"
    client.post(EDIT, {"restore": "1"})
    assert not NotificationTemplate.objects.exists()


def test_the_template_pages_are_for_administrators_only(city: City, client: WebClient) -> None:
    client.force_login(city.consultant)
    assert client.get("/desk/notifications/templates/").status_code == 403
    assert client.post(EDIT, {"subject": "x", "body": "y", "active": "on"}).status_code == 403
    assert client.post(EDIT + "preview", {"body": "y"}).status_code == 403
    assert client.get("/desk/notifications/templates/nope/email/pl/").status_code in (403, 404)
    assert not NotificationTemplate.objects.exists()


def test_unknown_event_channel_or_language_is_not_found(city: City, admin: Any, client: WebClient) -> None:
    client.force_login(admin)
    for path in ("nope/email/pl", "case_registered/fax/pl", "case_registered/email/xx"):
        assert client.get(f"/desk/notifications/templates/{path}/").status_code == 404


def test_survey_results_per_service_and_unit(city: City, client: WebClient) -> None:
    from django.utils import timezone

    for rating, number in ((1, 1), (5, 2), (4, 3)):
        case = open_pothole(city, reporter={"name": "X", "email": f"x{number}@example.pl"})
        SurveyResponse.objects.create(
            case=case,
            organisation=case.organisation,
            unit=city.roads,
            service=case.service,
            rating=rating,
            comment="Źle" if rating == 1 else "",
            submitted_at=timezone.now(),
        )
    client.force_login(city.supervisor)
    page = client.get("/desk/notifications/surveys/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Pothole" in page
    assert "Roads" in page
    assert "3,3" in page or "3.3" in page
    assert "Źle" in page
    client.force_login(city.outsider)
    other = client.get("/desk/notifications/surveys/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Źle" not in other
    assert not Notification.objects.filter(status="queued").exclude(recipient__contains="@").exists()


def test_staff_set_how_a_client_wants_to_be_told(city: City, client: WebClient, make_user: Callable[..., Any]) -> None:
    from django.utils import timezone

    from okienko.clients.models import Client
    from okienko.notifications.models import Preference

    person = Client.objects.create(
        number="K-9",
        first_name="Olga",
        last_name="Nowak",
        home_office=city.centre,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    clerk = make_user("rejestratorka", roles=[(city.centre, Role.CONSULTANT)])
    client.force_login(clerk)
    card = client.get(f"/desk/clients/{person.uuid}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Informowanie klienta" in card
    url = f"/desk/notifications/preferences/{person.uuid}/"
    half = client.post(url, {"channel": "sms", "language": "pl", "quiet_from": "21:00"}, follow=True)
    assert "Proszę podać oba końce" in half.content.decode()
    assert not Preference.objects.exists()
    client.post(url, {"channel": "email", "language": "en", "quiet_from": "21:00", "quiet_until": "08:00"})
    preference = Preference.objects.get(client=person)
    assert (preference.channel, preference.language) == ("email", "en")
    assert AuditRecord.objects.filter(action="notification.preference_set").exists()
    client.force_login(city.outsider)
    assert client.post(url, {"channel": "none", "language": "pl"}).status_code in (403, 404)
    preference.refresh_from_db()
    assert preference.channel == "email"
