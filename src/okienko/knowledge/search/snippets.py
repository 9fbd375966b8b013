"""Highlighted snippets, computed in Python so both backends show the same text."""

from __future__ import annotations

import functools
import html
import re

from okienko.knowledge.search.analysis import fold

_fold = functools.lru_cache(maxsize=50_000)(fold)

SNIPPET_CHARS = 240
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]?")
_WORD_RE = re.compile(r"[^\W_]+")


class Highlighter:
    """Marks words whose folded form is one of ``forms`` or starts with one of ``prefixes``."""

    def __init__(self, forms: set[str], prefixes: set[str]) -> None:
        self.forms = forms
        self.prefixes = tuple(sorted(prefixes))

    def matches(self, word: str) -> bool:
        key = _fold(word)
        return key in self.forms or (bool(self.prefixes) and key.startswith(self.prefixes))

    def mark(self, text: str) -> str:
        """``text`` escaped, matching words wrapped in ``<mark>``."""
        out: list[str] = []
        pos = 0
        for m in _WORD_RE.finditer(text):
            if self.matches(m.group(0)):
                out.append(html.escape(text[pos : m.start()]))
                out.append("<mark>" + html.escape(m.group(0)) + "</mark>")
                pos = m.end()
        out.append(html.escape(text[pos:]))
        return "".join(out)

    def snippet(self, text: str) -> str:
        """The sentence with most matching words (ties: the earliest), shortened around them."""
        text = text[:6000]
        best, best_score = "", 0
        for m in _SENTENCE_RE.finditer(text):
            sentence = m.group(0).strip()
            score = sum(1 for w in _WORD_RE.findall(sentence) if self.matches(w))
            if score > best_score:
                best, best_score = sentence, score
        if not best:
            best = text.strip().split("\n", 1)[0] if text.strip() else ""
        if len(best) > SNIPPET_CHARS:
            first = next((m.start() for m in _WORD_RE.finditer(best) if self.matches(m.group(0))), 0)
            start = max(0, first - SNIPPET_CHARS // 3)
            start = best.rfind(" ", 0, start) + 1 if start else 0
            cut = best[start : start + SNIPPET_CHARS]
            cut = cut[: cut.rfind(" ")] if " " in cut and start + SNIPPET_CHARS < len(best) else cut
            best = ("… " if start else "") + cut + " …"
        return self.mark(best)
