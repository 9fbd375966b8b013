"""The input rule on the HTML surfaces: the report form, the knowledge search, desk forms and desk
URLs refuse control characters and malformed ids with 4xx pages, never 500 (issue 10, defects 5, 10)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from okienko.accounts.models import User
from okienko.accounts.roles import Role
from okienko.cases.models import Case
from tests.portal.conftest import Portal, valid_post

pytestmark = pytest.mark.django_db

REFUSED = "control characters"


@pytest.fixture
def client(client: Client) -> Client:
    client.raise_request_exception = False
    return client


@pytest.fixture
def supervisor(client: Client, portal: Portal, make_user: Any) -> User:
    user: User = make_user("kierownik", roles=[(portal.city, Role.SUPERVISOR)])
    client.force_login(user)
    return user


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x0b"])
def test_the_report_form_refuses_control_characters(client: Client, portal: Portal, char: str) -> None:
    url = reverse("portal:report", args=[portal.pothole.uuid])
    response = client.post(url, valid_post(description=f"Głęboka dziura{char} przy przejściu"))
    assert response.status_code == 400
    assert "znaki sterujące" in response.content.decode()
    assert Case.objects.count() == 0


def test_the_report_form_refuses_control_characters_in_multipart_bodies(client: Client, portal: Portal) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("portal:report", args=[portal.pothole.uuid])
    photo = SimpleUploadedFile("a.txt", b"\x00\x1b binary content is not text", content_type="text/plain")
    response = client.post(url, {**valid_post(name="Anna\x1b"), "photo": photo})
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_binary_file_content_is_not_text(client: Client, portal: Portal) -> None:
    """Only field values are text: a file's bytes go to the upload checks, not to this rule."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("portal:report", args=[portal.pothole.uuid])
    photo = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png")
    response = client.post(url, {**valid_post(), "photo": photo})
    assert response.status_code != 400 or REFUSED not in response.content.decode()


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x0b"])
def test_the_knowledge_search_refuses_control_characters(client: Client, portal: Portal, char: str) -> None:
    response = client.get("/pomoc/szukaj", {"q": f"dziura{char}"})
    assert response.status_code == 400
    assert client.get("/pomoc/szukaj", {"q": "dziura\tw jezdni"}).status_code == 200


def test_a_desk_form_refuses_control_characters(client: Client, supervisor: User) -> None:
    response = client.post("/desk/clients/new/", {"first_name": "Jan\x00", "last_name": "Kowalski"})
    assert response.status_code == 400


def test_too_many_fields_in_a_page_form_answer_400(client: Client, portal: Portal) -> None:
    url = reverse("portal:report", args=[portal.pothole.uuid])
    body = "&".join(f"f{i}=1" for i in range(1001))
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/desk/catalogue/abc/"),
        ("get", "/desk/catalogue/00000000-0000-0000-0000-00000000000g/"),
        ("get", "/desk/contacts/callbacks/new/?interaction=abc"),
        ("post", "/desk/contacts/callbacks/abc/close/"),
    ],
)
def test_malformed_ids_in_desk_urls_answer_404(client: Client, supervisor: User, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == 404


def test_a_path_with_a_control_character_answers_400(client: Client, portal: Portal) -> None:
    assert client.get("/zglos/%00/").status_code == 400
