"""How an SMS text travels: GSM 03.38 (7-bit) when every character is in its alphabet, otherwise
UCS-2; how many segments it takes (concatenated messages carry a 6-byte UDH, leaving 153 GSM-7
septets or 67 UCS-2 characters per segment); and, when an office prefers cheaper messages, Polish
letters written without their diacritics so that the text stays in GSM-7.

GSM-7's tables hold none of ``ąćęłńóśźż`` (only a few Latin letters such as ``é``, ``ö``, ``ü``),
so one Polish letter turns a 160-character message into a 70-character one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# GSM 03.38 basic character set (one septet each) and the extension table (escape + one septet).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}
MAX_SEGMENTS = 10  # a longer text is refused: nobody reads a 1,500-character SMS

_POLISH = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
# Typographic characters people paste from word processors, written the GSM-7 way.
_TYPOGRAPHY = str.maketrans(
    {"„": '"', "”": '"', "“": '"', "‚": "'", "’": "'", "‘": "'", "–": "-", "—": "-", "…": "...", "\u00a0": " "}
)


@dataclass(frozen=True)
class Plan:
    """What sending ``text`` costs: its encoding, length in units and segments."""

    text: str
    encoding: str  # "gsm7" or "ucs2"
    units: int  # septets (extension characters count twice) or UTF-16 code units
    segments: int

    @property
    def per_segment(self) -> int:
        return SINGLE[self.encoding] if self.segments <= 1 else PART[self.encoding]

    @property
    def too_long(self) -> bool:
        return self.segments > MAX_SEGMENTS


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def gsm7_length(text: str) -> int:
    return sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)


def ucs2_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def transliterate(text: str) -> str:
    """Polish letters without diacritics and typographic quotes and dashes made plain, so that
    the text fits GSM-7 where it can; other characters are decomposed when that helps."""
    text = text.translate(_TYPOGRAPHY).translate(_POLISH)
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)
        stripped = "".join(c for c in base if not unicodedata.combining(c))
        out.append(stripped if stripped and is_gsm7(stripped) else ch)
    return "".join(out)


def plan(text: str, *, transliterate_polish: bool = False) -> Plan:
    """The encoding and segment count of ``text`` (after transliteration when asked for)."""
    body = transliterate(text) if transliterate_polish else text
    if is_gsm7(body):
        units, encoding = gsm7_length(body), "gsm7"
    else:
        units, encoding = ucs2_length(body), "ucs2"
    segments = min(1, units) if units <= SINGLE[encoding] else -(-units // PART[encoding])
    return Plan(body, encoding, units, segments)


def split(text: str, encoding: str) -> list[str]:
    """The parts of a long text as the gateway sends them (never splitting an escape pair or a
    surrogate pair)."""
    limit_single, limit_part = SINGLE[encoding], PART[encoding]
    length = gsm7_length if encoding == "gsm7" else ucs2_length
    if length(text) <= limit_single:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        size = length(ch)
        if used + size > limit_part:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += size
    if current:
        parts.append("".join(current))
    return parts
