"""Polish text analysis for the knowledge-base index: words → search keys.

Every key is lower-case ASCII (diacritics folded, ``ł`` → ``l``), so diacritic-free queries meet
the indexed text. Three analysers share one interface; ``morfeusz`` is the one in use (ADR 0020),
``snowball`` and ``plain`` exist for the evaluation benchmark and as a fallback where morfeusz2
has no wheel.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "ß": "ss", "đ": "d"})
MAX_WORD = 40

# Function words that would make every OR query match everything. Folded forms.
STOPWORDS = frozenset(
    (  # noqa: SIM905 - a word list reads better as text
        "a aby ale albo am an and ani az bo by byc byl byla bylo byly bede bedzie ci dla do "
        "gdy go i ich im in is ja jest jestem jesli jezeli juz "
        "lub ma mam mi mnie moge moj moze mozna my na nad nam nas "
        "niz o od of on ona oni ono or oraz po pod przez przy sa sie so ta tak tam te tego tej the ten to tu "
        "ty u w we wiec z za ze zeby czyli jego jej mu nich niej nim one"
    ).split()
)


# Words that frame a question rather than say what it is about ("czy dostanę", "co zrobić",
# "chcę załatwić"): they still count, with WEAK_WEIGHT of their weight (folded lemma keys).
WEAK = frozenset(
    (  # noqa: SIM905
        "chciec dac dostac dostawac dowiedziec isc miec musiec otrzymac pojsc potrzebowac prosic robic "
        "trzeba uzyskac wiedziec wyrobic wziac zalatwic zostac zrobic witac pozdrawiac teraz "
        "najpierw pytanie "
        "co czy dlaczego gdzie ile jak jaki kiedy kto ktory nie"
    ).split()
)
WEAK_WEIGHT = 0.3

# Personal endings written together with a past-tense form (folded): zapisał-em/-eś/-bym,
# zapisała-m/-ś/-bym, zapisali-śmy/-ście/-byśmy.
PAST_ENDINGS_MASCULINE = ("em", "es", "bym", "bys")
PAST_ENDINGS_FEMININE = ("m", "s", "bym", "bys")
PAST_ENDINGS_PLURAL = ("smy", "scie", "bysmy", "byscie")

# Feminine personal nouns and the masculine lemma they share a meaning with (SGJP lists them as
# separate lemmas): emerytka → emeryt, rencistka → rencista, cudzoziemka → cudzoziemiec,
# Ukrainka → Ukrainiec, doradczyni → doradca, pracownica → pracownik, łodzianka → łodzianin.
# Longest suffix first; a candidate counts only when the dictionary knows it as a personal noun
# and has at least five letters.
FEMININE_SUFFIXES = (
    ("czyni", "ca"),
    ("iczka", "ik"),
    ("istka", "ista"),
    ("ystka", "ysta"),
    ("mka", "miec"),
    ("inka", "iniec"),
    ("anka", "anin"),
    ("anka", "aniec"),
    ("ica", "ik"),
    ("ka", ""),
    ("yni", ""),
)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics to ASCII (ą→a, ł→l, ó→o …)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Split ``text`` into words (letters and digits), each at most ``MAX_WORD`` characters."""
    return [w[:MAX_WORD] for w in WORD_RE.findall(text)]


FormLookup = Callable[[Iterable[str]], Mapping[str, set[str]]]


@dataclass
class DocumentAnalysis:
    keys: list[str]
    # folded inflected form → folded lemma, for lemmas met in this text (morfeusz only)
    forms: dict[str, str] = field(default_factory=dict)


class Analyser(Protocol):
    name: str

    def analyse_document(self, text: str, *, known_lemmas: Callable[[set[str]], set[str]]) -> DocumentAnalysis: ...

    def query_keys(self, word: str, lookup: Mapping[str, set[str]]) -> set[str]: ...

    def recognises(self, word: str) -> bool: ...

    def variants(self, word: str) -> frozenset[str]:
        """Folded spellings that count as ``word`` when a synonym phrase is matched (ADR 0045)."""
        ...


class PlainAnalyser:
    """Baseline: folded words, no stemming."""

    name = "plain"

    def analyse_document(self, text: str, *, known_lemmas: Callable[[set[str]], set[str]]) -> DocumentAnalysis:
        return DocumentAnalysis([k for w in words(text) if (k := fold(w)) not in STOPWORDS])

    def query_keys(self, word: str, lookup: Mapping[str, set[str]]) -> set[str]:
        key = fold(word)
        return set() if key in STOPWORDS else {key}

    def recognises(self, word: str) -> bool:
        return False

    def variants(self, word: str) -> frozenset[str]:
        return frozenset({fold(word)})


class SnowballAnalyser:
    """Snowball's light Polish stemmer (PyStemmer) over folded words."""

    name = "snowball"

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("polish")
        self._lock = threading.Lock()

    @functools.lru_cache(maxsize=100_000)  # noqa: B019 - one long-lived instance per process
    def _stem(self, word: str) -> str:
        with self._lock:
            stem: str = self._stemmer.stemWord(word.lower())
        return fold(stem)

    def analyse_document(self, text: str, *, known_lemmas: Callable[[set[str]], set[str]]) -> DocumentAnalysis:
        return DocumentAnalysis([self._stem(w) for w in words(text) if fold(w) not in STOPWORDS])

    def query_keys(self, word: str, lookup: Mapping[str, set[str]]) -> set[str]:
        if fold(word) in STOPWORDS:
            return set()
        return {self._stem(word)}

    def recognises(self, word: str) -> bool:
        return False

    def variants(self, word: str) -> frozenset[str]:
        return frozenset({fold(word)})


class MorfeuszAnalyser:
    """Lemmas from morfeusz2 (SGJP) plus the folded surface form.

    A diacritic-free query word ("zasilku") is unknown to the dictionary, so index time also
    generates every inflected form of each new lemma and stores folded form → lemma key; the
    query side looks the folded word up in that map (``lookup``).
    """

    name = "morfeusz"

    def __init__(self) -> None:
        import morfeusz2

        self._morf: Any = morfeusz2.Morfeusz(generate=True, expand_tags=False)
        self._lock = threading.Lock()

    @functools.lru_cache(maxsize=200_000)  # noqa: B019 - one long-lived instance per process
    def _lemmas(self, word: str) -> tuple[str, ...]:
        """Raw lemmas (with morfeusz's ``:tag`` suffix) of a known word; empty when unknown.
        A feminine personal noun also yields its masculine lemma (``FEMININE_SUFFIXES``)."""
        with self._lock:
            result = self._morf.analyse(word)
        lemmas: list[str] = []
        feminine: list[str] = []
        for _start, _end, (_form, lemma, tag, _names, _quals) in result:
            if tag == "ign" or lemma in lemmas:
                continue
            lemmas.append(lemma)
            if tag.startswith("subst:") and tag.split(":")[3:4] == ["f"]:
                feminine.append(lemma)
        for lemma in feminine:
            masculine = self._masculine(lemma.split(":", 1)[0])
            if masculine and masculine not in lemmas:
                lemmas.append(masculine)
        return tuple(lemmas)

    @functools.lru_cache(maxsize=20_000)  # noqa: B019
    def _masculine(self, lemma: str) -> str:
        """The masculine personal noun of a feminine one (``emerytka`` → ``emeryt``), or ""."""
        for suffix, replacement in FEMININE_SUFFIXES:
            candidate = lemma[: -len(suffix)] + replacement
            # short bare stems are other words: matka is not a "mat", Polka not a "Pol"
            if not lemma.endswith(suffix) or len(candidate) < 5:
                continue
            with self._lock:
                result = self._morf.analyse(candidate)
            for _start, _end, (_form, found, tag, _names, _quals) in result:
                if found.split(":", 1)[0] == candidate and tag.startswith("subst:sg:nom:m1"):
                    return str(found)
        return ""

    @staticmethod
    def lemma_key(raw: str) -> str:
        return fold(raw.split(":", 1)[0])

    @functools.lru_cache(maxsize=50_000)  # noqa: B019
    def _forms(self, raw_lemma: str) -> tuple[str, ...]:
        """Folded inflected forms of a lemma, with the personal endings of the past tense and
        conditional, which morfeusz analyses as a separate segment ("zapisała|m"): without
        them "zapisalam", "stracilem" typed without Polish letters would stay unknown."""
        with self._lock:
            generated = self._morf.generate(raw_lemma)
        forms: set[str] = set()
        for form, _lemma, tag, *_rest in generated:
            folded = fold(form)
            forms.add(folded)
            if tag.startswith("praet:"):
                number, gender = tag.split(":")[1:3]
                if number == "pl":
                    forms.update(folded + ending for ending in PAST_ENDINGS_PLURAL)
                elif gender == "f":
                    forms.update(folded + ending for ending in PAST_ENDINGS_FEMININE)
                elif gender.startswith("m"):
                    forms.update(folded + ending for ending in PAST_ENDINGS_MASCULINE)
        return tuple(sorted(forms))

    def word_keys(self, word: str) -> list[str]:
        surface = fold(word)
        if surface in STOPWORDS:
            return []
        keys = [surface]
        for raw in self._lemmas(word):
            key = self.lemma_key(raw)
            if key not in keys and key not in STOPWORDS and key.isalnum():
                keys.append(key)
        return keys

    def analyse_document(self, text: str, *, known_lemmas: Callable[[set[str]], set[str]]) -> DocumentAnalysis:
        keys: list[str] = []
        raw_lemmas: set[str] = set()
        for word in words(text):
            keys.extend(self.word_keys(word))
            raw_lemmas.update(self._lemmas(word))
        # Sorted, so that a form shared by two lemmas maps to the same one in every process
        # (set order changes with the hash seed: results differed between two identical runs).
        ordered = sorted(raw_lemmas)
        by_key: dict[str, str] = {}
        for raw in ordered:
            by_key.setdefault(self.lemma_key(raw), raw)
        new = set(by_key) - known_lemmas(set(by_key))
        forms: dict[str, str] = {}
        for key in sorted(new):
            for raw in ordered:
                if self.lemma_key(raw) == key:
                    for form in self._forms(raw):
                        if form != key:
                            forms.setdefault(form, key)
            forms.setdefault(key, key)
        return DocumentAnalysis(keys, forms)

    def query_keys(self, word: str, lookup: Mapping[str, set[str]]) -> set[str]:
        keys = set(self.word_keys(word))
        if not keys:
            return keys
        keys.update(lookup.get(fold(word), set()))
        return keys

    def recognises(self, word: str) -> bool:
        """A dictionary word (so not a typo); diacritic-free spellings are not recognised."""
        return bool(self._lemmas(word))

    def variants(self, word: str) -> frozenset[str]:
        """Every folded inflected form of ``word``'s lemmas: a synonym defined for "pośredniak"
        then matches "posredniaku" too, although the articles (and so the folded-form map of
        ADR 0020) never contain that colloquial word."""
        found = {fold(word)}
        for raw in self._lemmas(word):
            found.update(self._forms(raw))
        return frozenset(found)


_ANALYSERS: dict[str, type[PlainAnalyser] | type[SnowballAnalyser] | type[MorfeuszAnalyser]] = {
    "plain": PlainAnalyser,
    "snowball": SnowballAnalyser,
    "morfeusz": MorfeuszAnalyser,
}
_instances: dict[str, Analyser] = {}
_instances_lock = threading.Lock()


def get_analyser(name: str | None = None) -> Analyser:
    """The process-wide analyser ``name`` (default: ``settings.KNOWLEDGE_ANALYSER`` or morfeusz)."""
    if name is None:
        from django.conf import settings

        name = getattr(settings, "KNOWLEDGE_ANALYSER", "morfeusz")
    with _instances_lock:
        if name not in _instances:
            _instances[name] = _ANALYSERS[name]()
        return _instances[name]
