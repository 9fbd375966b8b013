"""The desk side of description moderation: the panel on the case page and the decision (ADR 0042).
The desk speaks Polish by default, so the page texts are asserted in Polish."""

from __future__ import annotations

import pytest
from django.test import Client

from okienko.cases import publication
from okienko.cases.models import CaseEvent
from okienko.catalogue.models import Service
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db

PERSONAL = "Pothole in front of Pan Jan Kowalski's house, call 600 100 200"


def _moderated(city: City) -> None:
    Service.objects.filter(pk=city.pothole.pk).update(publication=Service.Publication.MODERATED)
    city.pothole.refresh_from_db()


def test_the_case_page_proposes_the_redacted_text_to_the_moderator(client: Client, city: City) -> None:
    _moderated(city)
    case = open_pothole(city, description=PERSONAL)
    client.force_login(city.expert)
    html = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert "Opis jest wstrzymany, dopóki moderator go nie opublikuje." in html
    assert "Pothole in front of Pan […]&#x27;s house, call […]</textarea>" in html


def test_publishing_and_withdrawing_from_the_case_page(client: Client, city: City) -> None:
    _moderated(city)
    case = open_pothole(city, description=PERSONAL)
    client.force_login(city.expert)
    url = f"/desk/cases/{case.uuid}/publication/"
    response = client.post(url, {"action": "publish", "text": "Pothole by the bus stop, call 600100200"})
    assert response.status_code == 302
    assert publication.description_of(case) == "Pothole by the bus stop, call […]"
    html = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert "Opis jest pokazywany publicznie jako:" in html
    client.post(url, {"action": "withdraw"})
    assert publication.description_of(case) == ""
    events = CaseEvent.objects.filter(case=case, kind=publication.MODERATION)
    assert [e.is_public for e in events] == [False, False]  # decisions stay off the public timeline


def test_staff_who_only_read_the_case_see_no_form_and_cannot_decide(client: Client, city: City) -> None:
    _moderated(city)
    case = open_pothole(city, description=PERSONAL)
    client.force_login(city.consultant)
    html = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert f"/desk/cases/{case.uuid}/publication/" not in html
    client.post(f"/desk/cases/{case.uuid}/publication/", {"action": "publish", "text": "x"})
    assert publication.description_of(case) == ""


def test_private_services_show_no_panel(client: Client, city: City) -> None:
    case = open_pothole(city, description=PERSONAL)
    client.force_login(city.expert)
    assert "Na stronach publicznych" not in client.get(f"/desk/cases/{case.uuid}/").content.decode()
