"""A refused page for signed-in staff renders in the desk layout with the reason and a way back;
visitors who are not signed in keep the public layout."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from okienko.accounts.roles import Perm, Role
from okienko.core.models import AuditRecord
from tests.cases.conftest import City, open_pothole

pytestmark = pytest.mark.django_db


def test_staff_without_the_role_get_the_desk_layout_with_the_reason(city: City, client: Client, make_user: Any) -> None:
    editor = make_user("editor", roles=[(city.city, Role.KNOWLEDGE_EDITOR)])
    client.force_login(editor)
    response = client.get("/desk/clients/", HTTP_REFERER="http://testserver/desk/knowledge/")
    assert response.status_code == 403
    assert response.templates[0].name == "desk/403.html"
    page = response.content.decode()
    assert 'class="sidenav"' in page  # the desk's navigation is there
    assert response.context["back_url"] == "http://testserver/desk/knowledge/"
    with translation.override(editor.preferred_language):  # the desk speaks the user's language
        assert response.context["reason"].endswith(f": {Perm.INTERACTIONS_RECORD.label}.")
    assert AuditRecord.objects.filter(action="security.permission_denied").exists()


def test_a_case_outside_the_scope_says_so_and_leads_back_to_the_desk(city: City, frozen: Any, client: Client) -> None:
    case = open_pothole(city)
    client.force_login(city.outsider)
    response = client.get(f"/desk/cases/{case.uuid}/", HTTP_REFERER="https://elsewhere.example/x")
    assert response.status_code == 403
    assert response.context["back_url"] == "/desk/"  # never back to another site
    assert case.number not in response.content.decode()


def test_visitors_who_are_not_signed_in_keep_the_public_layout(client: Client) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from okienko.desk.errors import permission_denied

    request = RequestFactory().get("/anything/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied("cases.work"))
    assert response.status_code == 403
    assert 'class="sidenav"' not in response.content.decode()
    assert 'class="portal"' in response.content.decode()


def test_an_expired_form_of_staff_renders_in_the_desk_layout_with_the_reason_and_a_way_back(
    city: City, frozen: Any
) -> None:
    """A CSRF failure (the page was open too long, or the user signed in again elsewhere)."""
    case = open_pothole(city)
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="pl")
    browser.force_login(city.expert)
    referer = f"http://testserver/desk/cases/{case.uuid}/"
    response = browser.post(f"/desk/cases/{case.uuid}/note/", {"body": "x"}, HTTP_REFERER=referer)
    assert response.status_code == 403
    assert response.templates[0].name == "desk/403.html"
    page = response.content.decode()
    assert 'class="sidenav"' in page
    assert "<h1>Formularz wygasł</h1>" in page
    assert "nic nie zostało zapisane" in page
    assert f'href="{referer}"' in page  # the way back to the case
    assert "poproś przełożonego" not in page.lower()  # not a missing role
    assert not case.notes.exists()
    assert AuditRecord.objects.filter(action="security.csrf_rejected", actor=city.expert).exists()


def test_an_expired_public_form_keeps_the_public_layout(city: City) -> None:
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="pl")
    response = browser.post("/sprawy/sprawdz/", {"number": "LDZ/2026/000001", "contact": "a@example.org"})
    assert response.status_code == 403
    page = response.content.decode()
    assert 'class="sidenav"' not in page
    assert 'class="portal"' in page
    assert AuditRecord.objects.filter(action="security.csrf_rejected", actor=None).exists()
