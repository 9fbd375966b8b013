from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from okienko.accounts.models import User
from okienko.knowledge.models import Article, ArticleUse, Feedback, Proposal, SearchLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq(publish: Callable[..., Article]) -> Article:
    return publish(
        "Zasiłek dla bezrobotnych", "<p>Zasiłek przysługuje bezrobotnym.</p><script>x</script>", slug="zasilek"
    )


def test_consultant_finds_article_with_inflected_query_without_diacritics(
    client: Client, consultant: User, faq: Article
) -> None:
    client.force_login(consultant)
    response = client.get("/desk/knowledge/", {"q": "zasilku bezrobotnym"})
    assert response.status_code == 200
    assert f"/desk/knowledge/a/{faq.uuid}/" in response.content.decode()
    assert SearchLog.objects.get().source == "desk"


def test_suggest_partial_records_answer_with_one_click(client: Client, consultant: User, faq: Article) -> None:
    client.force_login(consultant)
    partial = client.get("/desk/knowledge/suggest", {"q": "zasił"}, HTTP_HX_REQUEST="true")
    assert f"/desk/knowledge/a/{faq.uuid}/use" in partial.content.decode()
    response = client.post(f"/desk/knowledge/a/{faq.uuid}/use", {"outcome": "answered"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert ArticleUse.objects.get().outcome == "answered"


def test_editor_save_with_old_version_shows_conflict(client: Client, editor: User, faq: Article) -> None:
    client.force_login(editor)
    data = {
        "title": "Nowy tytuł",
        "slug": "zasilek",
        "kind": "faq",
        "audience": "public",
        "language": "pl",
        "version": 1,
    }
    assert client.post(f"/desk/knowledge/editor/{faq.uuid}/", data).status_code == 302
    conflict = client.post(f"/desk/knowledge/editor/{faq.uuid}/", data | {"title": "Inny"})
    assert conflict.status_code == 409
    faq.refresh_from_db()
    assert (faq.title, faq.version) == ("Nowy tytuł", 2)


def test_consultant_cannot_open_editor(client: Client, consultant: User) -> None:
    client.force_login(consultant)
    assert client.get("/desk/knowledge/editor/").status_code == 403


def test_proposal_goes_to_editors_queue(client: Client, consultant: User, editor: User) -> None:
    client.force_login(consultant)
    response = client.post("/desk/knowledge/propose", {"question": "Czy mogę dorabiać?", "answer": ""})
    assert response.status_code == 302
    client.force_login(editor)
    assert "Czy mogę dorabiać?" in client.get("/desk/knowledge/editor/proposals").content.decode()
    assert Proposal.objects.get().status == "open"


def test_public_site_shows_sanitised_article_and_takes_feedback(client: Client, faq: Article) -> None:
    page = client.get("/pomoc/artykul/zasilek/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>x</script>" not in html
    client.post("/pomoc/artykul/zasilek/opinia", {"helpful": "0", "comment": "brak kwot", "language": "pl"})
    assert list(Feedback.objects.values_list("helpful", "comment")) == [(False, "brak kwot")]


def test_public_search_finds_public_article(client: Client, faq: Article) -> None:
    response = client.get("/pomoc/szukaj", {"q": "zasilek"})
    assert "/pomoc/artykul/zasilek/" in response.content.decode()


@pytest.mark.parametrize(
    "query", ['"', "NEAR(", "a" * 5000, "", "*:-()"], ids=["quote", "near", "long", "empty", "ops"]
)
def test_bad_queries_never_fail(client: Client, faq: Article, query: str) -> None:
    assert client.get("/pomoc/szukaj", {"q": query}).status_code == 200
    assert client.get("/api/v1/knowledge/search", {"q": query}).status_code == 200


def test_internal_article_is_not_public(client: Client, publish: Callable[..., Article]) -> None:
    publish("Procedura wewnętrzna", "<p>Tylko dla pracowników.</p>", slug="wew", audience="internal")
    assert client.get("/pomoc/artykul/wew/").status_code == 404


def test_answer_from_the_client_card_records_the_call_and_links_the_article(
    client: Client, consultant: User, faq: Article
) -> None:
    from okienko.accounts.models import Organisation
    from okienko.clients.actions import register_client
    from okienko.interactions.models import Interaction

    caller = register_client(
        actor=None, home_office=Organisation.objects.get(code="pup-a"), first_name="Anna", last_name="Nowak"
    )
    client.force_login(consultant)
    partial = client.get(
        "/desk/knowledge/suggest", {"q": "zasilku", "client": str(caller.uuid)}, HTTP_HX_REQUEST="true"
    )
    assert f'name="client" value="{caller.uuid}"' in partial.content.decode()
    response = client.post(
        f"/desk/knowledge/a/{faq.uuid}/use",
        {"outcome": "answered", "client": str(caller.uuid), "q": "zasilku"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    contact = Interaction.objects.get(client=caller)
    assert (contact.outcome, contact.channel, contact.question, contact.staff_id) == (
        "answered",
        "phone",
        "zasilku",
        consultant.pk,
    )
    assert ArticleUse.objects.get().interaction == contact


def test_client_card_offers_the_knowledge_search(client: Client, consultant: User) -> None:
    from okienko.accounts.models import Organisation
    from okienko.clients.actions import register_client

    caller = register_client(
        actor=None, home_office=Organisation.objects.get(code="pup-a"), first_name="Anna", last_name="Nowak"
    )
    client.force_login(consultant)
    page = client.get(f"/desk/clients/{caller.uuid}/").content.decode()
    assert 'hx-get="/desk/knowledge/suggest"' in page
    assert f'"client": "{caller.uuid}"' in page


@pytest.mark.parametrize("article", ["nie-uuid", "1' OR 1=1", "0" * 40])
def test_proposal_for_malformed_article_id_is_not_found(client: Client, consultant: User, article: str) -> None:
    client.force_login(consultant)
    assert client.get("/desk/knowledge/propose", {"article": article}).status_code == 404


@pytest.mark.parametrize("pk", ["abc", "99999999999999999999999", "-1"])
def test_deleting_synonym_with_malformed_id_is_not_found(client: Client, editor: User, pk: str) -> None:
    client.force_login(editor)
    assert client.post("/desk/knowledge/editor/synonyms", {"delete": pk}).status_code == 404


def test_the_versions_page_reads_in_polish(client: Client, editor: User, faq: Article) -> None:
    """The system's own notes and actor are stored as codes and shown in the reader's language."""
    client.force_login(editor)
    page = client.get(f"/desk/knowledge/editor/{faq.uuid}/versions", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "<td>utworzono</td>" in page
    assert "<td>system</td>" in page
    assert ">created<" not in page
