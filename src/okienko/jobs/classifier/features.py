"""Text → hashed sparse features for the KZiS occupation classifier (ADR 0064).

Training (``tools/train_kzis.py``) and prediction use this one module, so both see the same
features. Plain Python and ``zlib.crc32``: stable across processes and machines (unlike
``hash()``), no vocabulary to ship.

The text is lower-cased and stripped of diacritics ("Księgowa" and "ksiegowa" give the same
features: people type offers both ways). Features come in blocks, each L2-normalised on its own
and weighted (weights in the model's metadata):

* ``tw`` title words, ``tb`` title word bigrams, ``tc`` character 3..5-grams of the title's words
  (inflection and spelling variants: "kierowcy", "kierowca");
* ``dw`` description words and ``db`` description word bigrams, from the first
  ``DESCRIPTION_CHARS`` characters (the duties and requirements come first; the rest is mostly
  what the employer offers).
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
import zlib
from collections.abc import Mapping

DESCRIPTION_CHARS = 3000
CHAR_NGRAMS = (3, 5)
DEFAULT_BLOCK_WEIGHTS: dict[str, float] = {"tw": 1.0, "tb": 0.5, "tc": 1.0, "dw": 0.6, "db": 0.3}

_TOKEN = re.compile(r"[a-z0-9+#]+")
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "đ": "d"})


def normalise(text: str) -> str:
    """Lower case, no diacritics (ł → l too), anything but letters, digits, + and # a space."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_TOKEN.findall(text))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


def _hash(block: str, token: str) -> int:
    return zlib.crc32(f"{block}\x1f{token}".encode())


def _block(out: dict[int, float], block: str, items: set[str], weight: float) -> None:
    if not items or weight <= 0:
        return
    value = weight / math.sqrt(len(items))
    for item in items:
        key = _hash(block, item)
        out[key] = out.get(key, 0.0) + value


def features(title: str, description: str = "", weights: Mapping[str, float] | None = None) -> dict[int, float]:
    """Hashed feature id (unsigned 32-bit) → value for one offer. Binary within a block, each
    block scaled to L2 norm = its weight. Empty text gives no features."""
    weights = DEFAULT_BLOCK_WEIGHTS if weights is None else weights
    out: dict[int, float] = {}
    title_tokens = tokens(title)
    lo, hi = CHAR_NGRAMS
    chars: set[str] = set()
    for token in title_tokens:
        padded = f" {token} "
        for n in range(lo, hi + 1):
            chars.update(padded[i : i + n] for i in range(max(len(padded) - n + 1, 0)))
    _block(out, "tw", set(title_tokens), weights.get("tw", 0.0))
    _block(out, "tb", {f"{a} {b}" for a, b in itertools.pairwise(title_tokens)}, weights.get("tb", 0.0))
    _block(out, "tc", chars, weights.get("tc", 0.0))
    desc_tokens = tokens(description[:DESCRIPTION_CHARS])
    _block(out, "dw", set(desc_tokens), weights.get("dw", 0.0))
    _block(out, "db", {f"{a} {b}" for a, b in itertools.pairwise(desc_tokens)}, weights.get("db", 0.0))
    return out
