"""How the search copes with the way residents and job seekers write (issue 11, item 10; ADR 0045):
colloquial names, feminine forms, no Polish letters, question words. The same assertions run on
SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from okienko.accounts.models import User
from okienko.knowledge import actions
from okienko.knowledge.models import Article, Synonym
from okienko.knowledge.search import search
from okienko.knowledge.search.analysis import MorfeuszAnalyser, get_analyser
from okienko.knowledge.search.ranking import idf

pytestmark = pytest.mark.django_db


def slugs(query: str) -> list[str]:
    return [r.article.slug for r in search(query).results]


def test_feminine_personal_nouns_also_yield_the_masculine_lemma() -> None:
    analyser = get_analyser("morfeusz")
    assert isinstance(analyser, MorfeuszAnalyser)
    assert "emeryt" in analyser.word_keys("emerytką")
    assert "cudzoziemiec" in analyser.word_keys("cudzoziemki")
    assert "ukrainiec" in analyser.word_keys("Ukrainka")
    assert "doradca" in analyser.word_keys("doradczyni")
    assert "rencista" in analyser.word_keys("rencistka")
    # no false pairs from short stems
    assert analyser.word_keys("matka") == ["matka"]
    assert "pol" not in analyser.word_keys("Polka")


def test_feminine_query_finds_an_article_written_for_men(publish: Callable[..., Article]) -> None:
    publish("Czy emeryt może zarejestrować się jako bezrobotny?", "<p>Nie, ale jako poszukujący pracy.</p>", slug="e")
    publish("Dokumenty do rejestracji", "<p>Dowód osobisty i świadectwa pracy.</p>", slug="d")
    assert slugs("emerytka w urzędzie") == ["e"]
    assert slugs("emerytki") == ["e"]


def test_shipped_colloquial_synonyms_work_inflected_and_without_polish_letters(publish: Callable[..., Article]) -> None:
    # migration 0006 ships "pośredniak" → "urząd pracy", "prawko" → "prawo jazdy" as editable rows
    assert Synonym.objects.filter(phrase="pośredniak").exists()
    publish("Staż z urzędu pracy", "<p>Stażysta otrzymuje stypendium.</p>", slug="staz")
    publish("Prawo jazdy", "<p>Egzamin w WORD.</p>", slug="prawo-jazdy")
    assert slugs("posredniaku") == ["staz"]
    assert slugs("w pośredniaku") == ["staz"]
    assert slugs("prawka") == ["prawo-jazdy"]


def test_synonym_phrase_matches_in_any_word_order_and_ignores_function_words(
    publish: Callable[..., Article], editor: User
) -> None:
    publish("Rejestracja osoby bezrobotnej", "<p>Wniosek składa się w urzędzie.</p>", slug="rejestracja")
    actions.add_synonym(actor=editor, phrase="zapisać się", expansion="rejestracja")
    assert slugs("jak się zapisać") == ["rejestracja"]
    assert slugs("zapisalam sie") == ["rejestracja"]


def test_an_article_covering_the_whole_question_beats_one_matching_a_rare_word(
    publish: Callable[..., Article],
) -> None:
    # "przelew" is rarer than "zasiłek" and "termin", but only the second card answers all three
    publish("Przelew na konto", "<p>Numer rachunku podaj w banku.</p>", slug="przelew")
    publish("Termin wypłaty zasiłku", "<p>Zasiłek przychodzi przelewem z dołu.</p>", slug="termin")
    publish("Zasiłek dla bezrobotnych", "<p>Kto ma prawo do zasiłku.</p>", slug="zasilek")
    publish("Termin wizyty", "<p>Urząd wyznacza termin.</p>", slug="wizyta")
    assert slugs("zasiłek przelew termin")[0] == "termin"


def test_question_framing_words_count_little_and_are_not_highlighted(publish: Callable[..., Article]) -> None:
    publish("Czy dostanę PIT za zasiłek?", "<p>Urząd wystawia PIT-11.</p>", slug="pit")
    publish("Kto ma prawo do zasiłku dla bezrobotnych?", "<p>Osoba bezrobotna po 365 dniach pracy.</p>", slug="prawo")
    # "dostać" frames the question; "bezrobotna" says what it is about
    assert slugs("czy jako bezrobotna dostanę zasiłek")[0] == "prawo"
    result = search("ile wynosi zasiłek").results[0]
    assert "<mark>ile</mark>" not in str(result.title_html).lower()


def test_question_words_tell_apart_cards_on_the_same_subject(publish: Callable[..., Article]) -> None:
    publish("Ile wynosi zasiłek dla bezrobotnych?", "<p>Kwotę ogłasza minister.</p>", slug="ile")
    publish("Kiedy wypłacany jest zasiłek dla bezrobotnych?", "<p>Z dołu, co miesiąc.</p>", slug="kiedy")
    assert slugs("ile zasiłek dla bezrobotnych")[0] == "ile"
    assert slugs("kiedy zasiłek dla bezrobotnych")[0] == "kiedy"


def test_words_found_in_every_article_still_count() -> None:
    """idf stays positive for a word in all articles (it used to be floored at 1e-6, so
    "urząd pracy" weighed nothing in a labour office's knowledge base)."""
    assert idf(100, 100) > 0.004
    assert idf(100, 60) > 0.3
    assert idf(100, 1) > idf(100, 10) > idf(100, 60)
