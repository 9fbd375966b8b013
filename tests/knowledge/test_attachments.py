"""Article attachments: upload checks, removal, downloads with the article's visibility, audit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from okienko.accounts.models import User
from okienko.core.models import AuditRecord
from okienko.core.uploads import EICAR
from okienko.knowledge import actions
from okienko.knowledge.errors import InvalidAttachment
from okienko.knowledge.models import Article, Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


def _upload(client: Client, article: Article, data: bytes, name: str = "wniosek.pdf", title: str = "Wniosek") -> Any:
    return client.post(
        f"/desk/knowledge/editor/{article.uuid}/attachments",
        {"title": title, "file": SimpleUploadedFile(name, data, content_type="application/pdf")},
        HTTP_ACCEPT_LANGUAGE="pl",
    )


def test_editor_uploads_a_pdf_and_sees_it_listed_with_type_and_size(
    client: Client, editor: User, publish: Callable[..., Article], tmp_path: Path
) -> None:
    article = publish("Zasiłek", "<p>Treść</p>", slug="zasilek")
    client.force_login(editor)
    response = _upload(client, article, PDF)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.title, attachment.original_name, attachment.content_type, attachment.size) == (
        "Wniosek",
        "wniosek.pdf",
        "application/pdf",
        len(PDF),
    )
    assert attachment.uploaded_by == editor
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(tmp_path)
    assert stored.name == attachment.uuid.hex
    assert stored.read_bytes() == PDF
    page = client.get(f"/desk/knowledge/editor/{article.uuid}/attachments", HTTP_ACCEPT_LANGUAGE="pl")
    text = page.content.decode()
    assert "<td>wniosek.pdf</td><td>Dokument PDF</td><td>45\xa0bajtów</td>" in text


def test_file_of_a_type_not_accepted_is_refused_with_a_readable_message(
    client: Client, editor: User, publish: Callable[..., Article]
) -> None:
    article = publish("Zasiłek", slug="zasilek")
    client.force_login(editor)
    response = _upload(client, article, b"MZ\x90\x00binary", name="wniosek.pdf")
    assert response.status_code == 400
    assert "Nie przyjmujemy plików tego rodzaju" in response.content.decode()
    assert not Attachment.objects.exists()


def test_file_over_the_limit_is_refused_with_the_limit_in_the_message(
    client: Client, editor: User, publish: Callable[..., Article], settings: Any
) -> None:
    settings.KNOWLEDGE_MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
    article = publish("Zasiłek", slug="zasilek")
    client.force_login(editor)
    response = _upload(client, article, PDF + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 400
    assert "Plik jest większy niż 2,0\xa0MB." in response.content.decode()
    assert not Attachment.objects.exists()


def test_infected_file_is_refused_and_the_rejection_audited(
    editor: User, publish: Callable[..., Article], settings: Any
) -> None:
    settings.UPLOAD_VIRUS_SCANNER = "okienko.core.uploads.eicar_scanner"
    article = publish("Zasiłek", slug="zasilek")
    with pytest.raises(InvalidAttachment):
        actions.add_attachment(actor=editor, article=article, name="x.txt", data=EICAR)
    record = AuditRecord.objects.get(action="knowledge.attachment_rejected")
    assert record.data["reason"] == "virus:Eicar-Test-Signature"
    assert not Attachment.objects.exists()


def test_upload_and_removal_are_audited_and_the_file_deleted(
    django_capture_on_commit_callbacks: Any, editor: User, publish: Callable[..., Article]
) -> None:
    article = publish("Zasiłek", slug="zasilek")
    attachment = actions.add_attachment(actor=editor, article=article, name="w.pdf", data=PDF, title="Wniosek")
    added = AuditRecord.objects.get(action="knowledge.attachment_added")
    assert (added.actor_id, added.object_id, added.data["type"], added.data["size"]) == (
        editor.pk,
        str(article.pk),
        "application/pdf",
        len(PDF),
    )
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_attachment(actor=editor, attachment=attachment)
    removed = AuditRecord.objects.get(action="knowledge.attachment_removed")
    assert (removed.actor_id, removed.data["attachment"]) == (editor.pk, str(attachment.uuid))
    assert not Attachment.objects.exists()
    assert not path.exists()


def test_someone_who_is_not_an_editor_cannot_upload(
    client: Client, consultant: User, publish: Callable[..., Article]
) -> None:
    article = publish("Zasiłek", slug="zasilek")
    client.force_login(consultant)
    assert _upload(client, article, PDF).status_code == 403
    assert not Attachment.objects.exists()


def test_public_article_file_downloads_for_anybody_on_the_help_pages(
    client: Client, publish: Callable[..., Article]
) -> None:
    article = publish("Zasiłek", slug="zasilek")
    attachment = actions.add_attachment(actor=None, article=article, name="w.pdf", data=PDF, title="Wniosek")
    page = client.get("/pomoc/artykul/zasilek/")
    url = f"/pomoc/artykul/zasilek/zalacznik/{attachment.uuid}"
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="w.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_internal_article_file_is_not_served_on_the_help_pages_but_to_staff(
    client: Client, consultant: User, publish: Callable[..., Article]
) -> None:
    article = publish("Instrukcja", slug="instrukcja", audience=Article.Audience.INTERNAL)
    attachment = actions.add_attachment(actor=None, article=article, name="w.pdf", data=PDF)
    assert client.get(f"/pomoc/artykul/instrukcja/zalacznik/{attachment.uuid}").status_code == 404
    desk_url = f"/desk/knowledge/a/{article.uuid}/files/{attachment.uuid}"
    assert client.get(desk_url).status_code == 302  # anonymous: to the login page
    client.force_login(consultant)
    assert desk_url in client.get(f"/desk/knowledge/a/{article.uuid}/").content.decode()
    assert client.get(desk_url).status_code == 200


def test_staff_without_the_right_to_read_the_article_do_not_get_its_file(
    client: Client, make_user: Callable[..., User], publish: Callable[..., Article]
) -> None:
    from okienko.accounts.models import Organisation
    from okienko.accounts.roles import Role

    article = publish("Instrukcja", slug="instrukcja", audience=Article.Audience.INTERNAL)
    attachment = actions.add_attachment(actor=None, article=article, name="w.pdf", data=PDF)
    other = Organisation.objects.get(code="city")
    client.force_login(make_user("obcy", roles=[(other, Role.CONSULTANT)]))
    assert client.get(f"/desk/knowledge/a/{article.uuid}/files/{attachment.uuid}").status_code == 404


def test_file_of_a_draft_is_hidden_from_the_public_but_available_to_its_editor(
    client: Client, editor: User, region: Any
) -> None:
    article = actions.create_article(
        actor=None, organisation=region, title="Szkic", slug="szkic", audience=Article.Audience.PUBLIC
    )
    attachment = actions.add_attachment(actor=None, article=article, name="w.pdf", data=PDF)
    assert client.get(f"/pomoc/artykul/szkic/zalacznik/{attachment.uuid}").status_code == 404
    client.force_login(editor)
    assert client.get(f"/desk/knowledge/a/{article.uuid}/files/{attachment.uuid}").status_code == 200
