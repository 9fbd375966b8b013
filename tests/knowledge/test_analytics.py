"""The editors' analytics page: deflections from the public report form, scoped like the other sections."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from okienko.accounts.models import Organisation, User
from okienko.knowledge.models import Article
from okienko.portal import actions as portal_actions

pytestmark = pytest.mark.django_db

URL = "/desk/knowledge/editor/analytics"
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def deflected(publish: Callable[..., Article]) -> dict[str, Article]:
    """Deflections: 3 recent + 1 too old for the allowance article, 1 for the register article (both
    the region's), 2 for the city's own article (an organisation the region's editor does not edit)."""
    allowance = publish("Zasiłek dla bezrobotnych", slug="zasilek")
    register = publish("Rejestracja w urzędzie", slug="rejestracja")
    city = publish("Wywóz śmieci", slug="smieci", organisation=Organisation.objects.get(code="city"))
    with time_machine.travel(NOW - dt.timedelta(days=31), tick=False):
        portal_actions.record_deflection(article=allowance)
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        for article in (allowance, allowance, allowance, register, city, city):
            portal_actions.record_deflection(article=article)
    return {"allowance": allowance, "register": register, "city": city}


def _section(html: str) -> str:
    """The deflection section's table, from its heading to the end of the table."""
    found = re.search(r"<h2>Zgłoszenia rozwiązane artykułem</h2>.*?</table>", html, re.S)
    assert found is not None, "the deflection section is missing"
    return found.group(0)


def test_editor_sees_the_articles_that_answered_residents_with_counts_and_total(
    client: Client, editor: User, deflected: dict[str, Article]
) -> None:
    """Only deflections of the last 30 days for articles the editor may edit; most first; total below."""
    client.force_login(editor)
    with time_machine.travel(NOW, tick=False), translation.override("pl"):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    counts = response.context["deflections"]
    assert [(row["article__title"], row["n"]) for row in counts.top] == [
        ("Zasiłek dla bezrobotnych", 3),
        ("Rejestracja w urzędzie", 1),
    ]
    assert counts.total == 4
    section = _section(response.content.decode())
    allowance, register = deflected["allowance"], deflected["register"]
    assert (
        f'<tr><td><a href="/desk/knowledge/editor/{allowance.uuid}/">Zasiłek dla bezrobotnych</a></td><td>3</td></tr>'
        in section
    )
    assert (
        f'<tr><td><a href="/desk/knowledge/editor/{register.uuid}/">Rejestracja w urzędzie</a></td><td>1</td></tr>'
        in section
    )
    assert '<th scope="col">Załatwione bez zgłoszenia</th>' in section
    assert '<tfoot><tr><th scope="row">Razem, wszystkie artykuły</th><td>4</td></tr></tfoot>' in section
    assert "Wywóz śmieci" not in section


def test_section_shows_no_rows_and_zero_total_without_deflections(client: Client, editor: User) -> None:
    client.force_login(editor)
    with translation.override("pl"):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="pl")
    section = _section(response.content.decode())
    assert '<tbody><tr><td colspan="2">—</td></tr></tbody>' in section
    assert '<th scope="row">Razem, wszystkie artykuły</th><td>0</td>' in section


def test_section_heading_is_translated_to_english(client: Client, editor: User) -> None:
    client.force_login(editor)
    with translation.override("en"):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "<h2>Reports answered by an article</h2>" in html
    assert '<th scope="row">Total, all articles</th>' in html


def test_user_without_the_editor_permission_does_not_get_the_page(
    client: Client, consultant: User, deflected: dict[str, Article]
) -> None:
    client.force_login(consultant)
    response = client.get(URL)
    assert response.status_code == 403
    assert "Zasiłek dla bezrobotnych" not in response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in(client: Client, deflected: dict[str, Article]) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "Zasiłek dla bezrobotnych" not in response.content.decode()
