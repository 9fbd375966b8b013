"""Turn what a person typed into a backend-neutral query of analysed keys.

Syntax understood (everything else is plain words, so FTS operators typed by a user are never
passed to the database): ``"a phrase"`` — all its words required; ``word*`` — prefix; the rest
is matched with OR and ranked. Synonyms defined by editors add their expansion; an unknown word
in a short query is corrected to the nearest indexed term (edit distance 1, 2 for long words).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from okienko.knowledge.search.analysis import STOPWORDS, WEAK, WEAK_WEIGHT, Analyser, fold, words

MAX_QUERY = 200
MAX_TERMS = 12
TYPO_MAX_WORDS = 4


@dataclass(frozen=True)
class Key:
    text: str
    prefix: bool = False


@dataclass
class Term:
    word: str
    keys: set[Key] = field(default_factory=set)
    required: bool = False
    corrected: str = ""
    # The user's words this term stands for (their positions in the query): its own position,
    # or the words a synonym expansion replaced. The re-rank counts how much of the query an
    # article covers by these (ADR 0045).
    source: frozenset[int] = frozenset()
    weight: float = 1.0  # WEAK_WEIGHT for question-framing words ("dostać", "zrobić")


@dataclass
class ParsedQuery:
    text: str
    terms: list[Term]
    corrected_text: str = ""
    user_terms: int = 0  # the first terms are the user's words; synonym expansions follow
    frequencies: Mapping[str, int] = field(default_factory=dict)  # document frequency per key

    @property
    def optional(self) -> list[set[Key]]:
        return [t.keys for t in self.terms if not t.required and t.keys]

    @property
    def required(self) -> list[set[Key]]:
        return [t.keys for t in self.terms if t.required and t.keys]

    @property
    def empty(self) -> bool:
        return not any(t.keys for t in self.terms)

    def all_keys(self) -> set[Key]:
        return {k for t in self.terms for k in t.keys}


_PHRASE_RE = re.compile(r'"([^"]*)"')


def clean(text: str) -> str:
    """Drop control characters and cap the length."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())[:MAX_QUERY]


def _split(text: str) -> list[tuple[str, bool, bool]]:
    """(word, prefix, required) for each word of ``text``."""
    out: list[tuple[str, bool, bool]] = []
    pos = 0
    for match in _PHRASE_RE.finditer(text):
        out.extend(_plain(text[pos : match.start()]))
        phrase = [w for w in words(match.group(1)) if fold(w) not in STOPWORDS]
        out.extend((w, False, len(phrase) > 1) for w in phrase)
        pos = match.end()
    out.extend(_plain(text[pos:]))
    return out[:MAX_TERMS]


def _plain(segment: str) -> list[tuple[str, bool, bool]]:
    result = []
    for match in re.finditer(r"[^\W_]+(\*)?", segment):
        word = match.group(0).rstrip("*")[:40]
        prefix = bool(match.group(1)) and len(word) >= 2
        result.append((word, prefix, False))
    return result


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with transpositions counted as one edit; stops above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def nearest(word: str, candidates: Mapping[str, int]) -> str:
    """The candidate closest to ``word`` (ties: found in more articles, then alphabetical)."""
    limit = 1 if len(word) <= 5 else 2
    best, best_rank = "", (limit + 1, 0, "")
    for candidate, documents in candidates.items():
        distance = edit_distance(word, candidate, limit)
        rank = (distance, -documents, candidate)
        if distance <= limit and rank < best_rank:
            best, best_rank = candidate, rank
    return best


class Vocabulary:
    """What the index knows; implemented over the database by ``search.store``."""

    def forms(self, folded_words: set[str]) -> Mapping[str, set[str]]:
        raise NotImplementedError

    def frequencies(self, keys: set[str]) -> Mapping[str, int]:
        """Document frequency of each indexed key among ``keys`` (absent: not indexed)."""
        raise NotImplementedError

    def candidates(self, key: str) -> Mapping[str, int]:
        """Indexed keys of similar length and the same first letter, with their frequencies."""
        raise NotImplementedError

    def synonyms(self) -> list[tuple[list[str], str]]:
        """(phrase words, expansion) pairs."""
        raise NotImplementedError


def _keep_best_key(term: Term, df: Mapping[str, int]) -> None:
    """Keep one key per word: the indexed one found in most articles (ties: the word's own
    folded form, then alphabetical). An ambiguous word has several lemmas; OR-ing all of them
    would count the word two or three times in the ranking."""
    plain = [k for k in term.keys if not k.prefix]
    known = [k for k in plain if df.get(k.text, 0) > 0]
    if not known:
        return
    surface = fold(term.word)
    best = max(known, key=lambda k: (df[k.text], k.text == surface, [-ord(c) for c in k.text]))
    term.keys = {best} | {k for k in term.keys if k.prefix}


_PHRASE_KEYS: dict[tuple[str, tuple[str, ...]], list[set[str]]] = {}


def _phrase_keys(analyser: Analyser, phrase: tuple[str, ...]) -> list[set[str]]:
    """What each content word of a synonym phrase matches: its keys and its folded inflected
    forms (``Analyser.variants``). The same for every query, so computed once per process and
    analyser class (an analyser's keys of a word never change). Do not mutate."""
    key = (type(analyser).__name__, phrase)
    found = _PHRASE_KEYS.get(key)
    if found is None:
        if len(_PHRASE_KEYS) > 4096:
            _PHRASE_KEYS.clear()
        found = _PHRASE_KEYS[key] = [
            analyser.query_keys(w, {}) | analyser.variants(w) for w in phrase if fold(w) not in STOPWORDS
        ]
    return found


def _find(sequence: list[set[str]], phrase: list[set[str]]) -> int:
    """Where ``phrase`` starts in ``sequence`` (-1: nowhere)."""
    n = len(phrase)
    for i in range(len(sequence) - n + 1 if n else 0):
        if all(sequence[i + j] & phrase[j] for j in range(n)):
            return i
    return -1


def parse(
    text: str, *, analyser: Analyser, vocabulary: Vocabulary, correct: bool = True, synonyms: bool = True
) -> ParsedQuery:
    text = clean(text)
    split = _split(text)
    folded = {fold(w) for w, _p, _r in split}
    lookup = vocabulary.forms(folded)
    terms: list[Term] = []
    for position, (word, prefix, required) in enumerate(split):
        keys = {Key(fold(word), prefix=True)} if prefix else {Key(k) for k in analyser.query_keys(word, lookup)}
        terms.append(Term(word, keys, required, source=frozenset({position})))
    # Synonyms match by analysed keys and inflected forms, so "obcokrajowca" meets a synonym
    # defined for "obcokrajowiec" and "posredniaku" one for "pośredniak"; function words are
    # skipped on both sides ("jak się zapisać" meets "zapisać się").
    content = [i for i, t in enumerate(terms) if t.keys]
    sequence = [{k.text for k in terms[i].keys} | {fold(terms[i].word)} for i in content]
    extra: list[tuple[str, frozenset[int]]] = []
    for phrase, expansion in vocabulary.synonyms() if synonyms else []:
        phrase_keys = _phrase_keys(analyser, tuple(phrase))
        start = _find(sequence, phrase_keys)
        if start >= 0:
            replaced = frozenset(content[start : start + len(phrase_keys)])
            extra.extend((w, replaced) for w in words(expansion) if fold(w) not in STOPWORDS)
    if extra:
        extra_lookup = vocabulary.forms({fold(w) for w, _s in extra})
        terms.extend(
            Term(w, {Key(k) for k in analyser.query_keys(w, extra_lookup)}, source=replaced)
            for w, replaced in extra[:MAX_TERMS]
        )
    corrected_words: list[str] = []
    user_terms = terms[: len(split)]
    fixed: dict[str, int] = {}
    df = vocabulary.frequencies({k.text for t in terms for k in t.keys if not k.prefix})
    for term in terms:
        if any(k.text in WEAK for k in term.keys):  # any reading: "dostanę" is dostanę/dostać
            term.weight = WEAK_WEIGHT
        _keep_best_key(term, df)
    if correct and 0 < len(user_terms) <= TYPO_MAX_WORDS:
        for term in user_terms:
            texts = {k.text for k in term.keys if not k.prefix}
            if not texts or any(df.get(t, 0) > 0 for t in texts) or len(fold(term.word)) < 4:
                continue
            if analyser.recognises(term.word):
                continue
            candidates = vocabulary.candidates(fold(term.word))
            fix = nearest(fold(term.word), candidates)
            if fix:
                term.keys = {Key(fix)}
                term.corrected = fix
                fixed[fix] = candidates[fix]
    for term in user_terms:
        corrected_words.append(term.corrected or term.word)
    corrected_text = " ".join(corrected_words) if any(t.corrected for t in user_terms) else ""
    return ParsedQuery(text, terms, corrected_text, len(user_terms), {**df, **fixed})
