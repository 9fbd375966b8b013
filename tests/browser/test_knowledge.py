"""Issue 4: an editor writes and publishes an article; a consultant finds it with an inflected,
diacritic-free query and records it as the answer; a resident finds the public one on /pomoc/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Role
from okienko.knowledge import actions
from okienko.knowledge.models import Article, ArticleUse
from tests.browser import scenario
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

Axe = Callable[[Any], None]
SignIn = Callable[[str], None]
TITLE = "Zasiłek dla bezrobotnych — komu przysługuje"
BODY = (
    "<p>Zasiłek dla bezrobotnych przysługuje osobie zarejestrowanej w powiatowym urzędzie pracy, "
    "która w ostatnich 18 miesiącach pracowała co najmniej 365 dni.</p>"
)


@pytest.fixture
def staff(region: Organisation, make_user: Callable[..., User]) -> tuple[User, User]:
    pup = Organisation.objects.get(code="pup-a")
    editor = make_user("redaktorka", roles=[(region, Role.KNOWLEDGE_EDITOR)], password=PASSWORD)
    consultant = make_user("konsultant", roles=[(pup, Role.CONSULTANT)], password=PASSWORD)
    return editor, consultant


@pytest.fixture
def published(region: Organisation) -> Article:
    return actions.create_article(
        actor=None,
        organisation=region,
        title=TITLE,
        slug="zasilek-dla-bezrobotnych",
        question="Kiedy dostanę zasiłek dla bezrobotnych?",
        body=BODY,
        audience=Article.Audience.PUBLIC,
        status=Article.Status.PUBLISHED,
    )


def test_editor_writes_and_publishes_an_article(page: Any, sign_in: SignIn, staff: tuple[User, User], axe: Axe) -> None:
    sign_in("redaktorka")
    page.goto("/desk/knowledge/editor/new")
    axe(page)
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_slug").fill("zasilek-dla-bezrobotnych")
    page.locator("#id_kind").select_option("faq")
    page.locator("#id_audience").select_option("public")
    page.locator("#id_question").fill("Kiedy dostanę zasiłek dla bezrobotnych?")
    page.locator("#id_body").fill(BODY)
    page.locator("#id_body").focus()
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Zapisz", limit=80)
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/knowledge/editor/*/")
    article = Article.objects.get(slug="zasilek-dla-bezrobotnych")
    assert (article.status, article.organisation.code) == ("draft", "wup")
    axe(page)
    page.get_by_role("button", name="Przenieś do: w recenzji").press("Enter")
    page.get_by_role("button", name="Przenieś do: opublikowany").press("Enter")
    page.get_by_role("link", name="Zobacz").wait_for()
    article.refresh_from_db()
    assert article.status == "published"
    assert article.published_at is not None


def test_consultant_finds_the_article_with_an_inflected_query_and_records_the_answer(
    page: Any, sign_in: SignIn, staff: tuple[User, User], published: Article, axe: Axe
) -> None:
    sign_in("konsultant")
    page.goto("/desk/knowledge/")
    assert scenario.focused(page)["id"] == "kb-q"
    axe(page)
    page.keyboard.type("zasilku bezrobotnym")
    link = page.locator("#kb-results ol.kb-results a").first
    link.wait_for()
    assert link.inner_text() == TITLE
    axe(page)
    scenario.tab_until(page, lambda f: f["tag"] == "a" and f["text"] == TITLE)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/desk/knowledge/a/{published.uuid}/**")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    axe(page)
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["value"] == "answered")
    page.keyboard.press("Enter")
    page.get_by_text("Zapisano").first.wait_for()
    use = ArticleUse.objects.get()
    _editor, consultant = staff
    assert (use.article, use.outcome, use.actor, use.organisation.code) == (published, "answered", consultant, "pup-a")
    assert use.query == "zasilku bezrobotnym"
    axe(page)


def test_resident_finds_the_public_article_on_the_help_pages(
    page: Any, published: Article, region: Organisation, axe: Axe
) -> None:
    page.goto("/pomoc/")
    axe(page)
    page.locator("#help-q").focus()
    page.keyboard.type("zasilek dla bezrobotnego")
    link = page.locator("#help-results a", has_text="Zasiłek dla bezrobotnych").first
    link.wait_for()
    axe(page)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/pomoc/artykul/zasilek-dla-bezrobotnych/")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert "365 dni" in page.locator("main").inner_text()
    axe(page)


def test_internal_article_is_not_shown_to_residents(page: Any, region: Organisation) -> None:
    actions.create_article(
        actor=None,
        organisation=region,
        title="Zasiłek — instrukcja wewnętrzna",
        slug="zasilek-wewnetrzna",
        body="<p>Tylko dla pracowników.</p>",
        audience=Article.Audience.INTERNAL,
        status=Article.Status.PUBLISHED,
    )
    page.goto("/pomoc/szukaj?q=zasilek")
    assert "instrukcja wewnętrzna" not in page.locator("main").inner_text()


@pytest.mark.parametrize(
    ("url", "box"), [("/desk/knowledge/", "kb-q"), ("/pomoc/", "help-q"), ("/pomoc/szukaj", "help-q")]
)
def test_slash_focuses_the_knowledge_search_box(
    page: Any, sign_in: SignIn, staff: tuple[User, User], url: str, box: str
) -> None:
    if url.startswith("/desk/"):
        sign_in("konsultant")
    page.goto(url)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    assert scenario.focused(page)["id"] == box
    assert page.locator(f"#{box}").input_value() == ""


@pytest.mark.parametrize(
    "path", ["editor/", "editor/proposals", "editor/synonyms", "editor/analytics", "editor/{uuid}/versions?v=1"]
)
def test_editor_screens_are_accessible(
    page: Any, sign_in: SignIn, staff: tuple[User, User], published: Article, axe: Axe, path: str
) -> None:
    sign_in("redaktorka")
    response = page.goto("/desk/knowledge/" + path.format(uuid=published.uuid))
    assert response.status == 200
    assert page.get_by_role("heading", level=1).count() == 1
    axe(page)


def test_resident_says_the_article_helped_with_the_keyboard(page: Any, published: Article, axe: Axe) -> None:
    from okienko.knowledge.models import Feedback

    page.goto("/pomoc/artykul/zasilek-dla-bezrobotnych/")
    scenario.tab_until(page, lambda f: f["tag"] == "input" and f["name"] == "helpful")
    page.keyboard.press("Space")
    assert page.locator("input[name=helpful]:checked").get_attribute("value") == "1"
    page.keyboard.press("Tab")
    assert scenario.focused(page)["name"] == "comment"
    page.keyboard.type("Jasno opisane.")
    page.keyboard.press("Tab")
    assert scenario.focused(page)["tag"] == "button"
    page.keyboard.press("Enter")
    page.locator("#feedback form").wait_for(state="detached")
    assert list(Feedback.objects.values_list("helpful", "comment")) == [(True, "Jasno opisane.")]
    axe(page)


def test_consultant_proposes_a_new_entry_from_an_empty_search(
    page: Any, sign_in: SignIn, staff: tuple[User, User], axe: Axe
) -> None:
    from okienko.knowledge.models import Proposal

    sign_in("konsultant")
    page.goto("/desk/knowledge/?q=dodatek+aktywizacyjny")
    link = page.locator("main a[href^='/desk/knowledge/propose']")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/knowledge/propose**")
    axe(page)
    assert page.locator("#id_question").input_value() == "dodatek aktywizacyjny"
    page.locator("#id_answer").fill("Dodatek przysługuje po podjęciu pracy w trakcie pobierania zasiłku.")
    page.locator("#id_answer").press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/knowledge/")
    assert list(Proposal.objects.values_list("question", "status")) == [("dodatek aktywizacyjny", "open")]
    axe(page)


@pytest.mark.parametrize("url", ["/desk/clients/", "/pomoc/"])
def test_keyboard_focus_is_visible(page: Any, sign_in: SignIn, staff: tuple[User, User], url: str) -> None:
    if url.startswith("/desk/"):
        sign_in("konsultant")
    page.goto(url)
    checked = 0
    for _ in range(8):
        page.keyboard.press("Tab")
        if scenario.focused(page)["tag"] == "body":
            continue
        checked += 1
        style = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
        )
        outline_style, outline_width, shadow = style
        visible = (outline_style != "none" and outline_width != "0px") or shadow != "none"
        assert visible, f"no visible focus on {scenario.focused(page)}: {style}"
    assert checked >= 6


def test_editor_attaches_a_file_with_the_keyboard_and_residents_see_it(
    page: Any, sign_in: SignIn, staff: tuple[User, User], published: Article, axe: Axe, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    pdf = tmp_path / "wniosek-o-zasilek.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    sign_in("redaktorka")
    page.goto(f"/desk/knowledge/editor/{published.uuid}/")
    scenario.tab_until(page, lambda f: f["tag"] == "a" and f["text"] == "0 załączników", limit=60)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/desk/knowledge/editor/{published.uuid}/attachments")
    axe(page)
    scenario.tab_until(page, lambda f: f["id"] == "id_title", limit=60)
    page.keyboard.type("Wniosek o zasiłek")
    page.keyboard.press("Tab")
    assert scenario.focused(page)["id"] == "id_file"
    scenario.choose_file_with_keyboard(page, str(pdf))
    scenario.tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Wyślij plik")
    page.keyboard.press("Enter")
    page.get_by_text("Dodano plik: Wniosek o zasiłek.").wait_for()
    assert "Dokument PDF" in page.locator("main table").inner_text()
    axe(page)
    page.goto("/pomoc/artykul/zasilek-dla-bezrobotnych/")
    link = page.get_by_role("link", name="Wniosek o zasiłek")
    assert link.get_attribute("href").startswith("/pomoc/artykul/zasilek-dla-bezrobotnych/zalacznik/")
    axe(page)
