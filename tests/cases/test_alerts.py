from __future__ import annotations

from typing import Any

from django.test import Client

from tests.cases.conftest import City, open_pothole


def test_supervisor_start_page_alerts_overdue_and_three_times_overdue_cases(
    client: Client, city: City, frozen: Any
) -> None:
    open_pothole(city)
    open_pothole(city)
    client.force_login(city.supervisor)
    assert "Wymaga uwagi" not in client.get("/desk/").content.decode()
    frozen.shift(60 * 60 * 24 * 10)  # 10 days: past the 5-working-day deadline, not yet 3×
    client.force_login(city.supervisor)  # the 8-hour session has expired meanwhile
    page = client.get("/desk/").content.decode()
    # The "overdue in my scope" panel says it, with the cases; the same line is not repeated above it.
    assert 'Po terminie w moim zakresie <span class="count">2</span>' in page
    assert "2 sprawy po terminie" not in page
    assert "Wymaga uwagi" not in page
    assert page.count('href="/desk/cases/team/?overdue=1"') == 1
    frozen.shift(60 * 60 * 24 * 30)
    client.force_login(city.supervisor)
    page = client.get("/desk/").content.decode()
    assert "2 sprawy przekroczyły termin ponad trzykrotnie" in page  # no panel says this: it stays an alert
    assert page.count("Wymaga uwagi") == 1


def test_an_alert_is_shown_when_its_panel_is_not(client: Client, city: City, frozen: Any) -> None:
    import dataclasses
    from unittest import mock

    from okienko.core import panels

    def broken(*_args: Any) -> None:
        raise RuntimeError("panel down")

    open_pothole(city)
    frozen.shift(60 * 60 * 24 * 10)
    client.force_login(city.supervisor)
    home = panels._panels[panels.DESK_HOME]
    failing = dataclasses.replace(home["cases.overdue"], context=broken)
    with mock.patch.dict(home, {"cases.overdue": failing}):
        page = client.get("/desk/").content.decode()
    assert "1 sprawa po terminie" in page


def test_experts_get_no_supervisor_alerts(client: Client, city: City, frozen: Any) -> None:
    open_pothole(city)
    frozen.shift(60 * 60 * 24 * 40)
    client.force_login(city.expert)
    assert "Wymaga uwagi" not in client.get("/desk/").content.decode()


def test_case_page_shows_questions_and_choice_names_not_codes(client: Client, city: City, frozen: Any) -> None:
    case = open_pothole(city)
    client.force_login(city.expert)
    page = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert "<dt>Size</dt><dd>large</dd>" in page


def test_expert_adds_a_person_involved_from_the_case_page(client: Client, city: City, frozen: Any) -> None:
    from okienko.cases.models import CaseParty

    case = open_pothole(city)
    client.force_login(city.expert)
    page = client.get(f"/desk/cases/{case.uuid}/").content.decode()
    assert f'action="/desk/cases/{case.uuid}/party/"' in page
    response = client.post(
        f"/desk/cases/{case.uuid}/party/", {"role": "affected", "name": "Ewa Kowalska", "phone": "600 100 200"}
    )
    assert response.status_code == 302
    party = CaseParty.objects.get(case=case, role="affected")
    assert (party.name, party.phone) == ("Ewa Kowalska", "600 100 200")
    assert case.events.filter(kind="party").exists()


def test_party_without_any_contact_data_or_with_a_bad_email_is_refused(client: Client, city: City, frozen: Any) -> None:
    from okienko.cases.models import CaseParty

    case = open_pothole(city)
    client.force_login(city.expert)
    client.post(f"/desk/cases/{case.uuid}/party/", {"role": "witness"})
    client.post(f"/desk/cases/{case.uuid}/party/", {"role": "witness", "email": "not-an-email"})
    client.post(f"/desk/cases/{case.uuid}/party/", {"role": "boss", "name": "X"})
    assert not CaseParty.objects.filter(case=case).exclude(role="reporter").exists()
