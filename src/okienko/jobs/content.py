"""What a moderator should look at in an offer, and how its description is made safe.

- ``sanitise``: the description keeps a few formatting tags and links (nh3, an allow-list);
  ``display_html`` shows links as plain text (the address in brackets) until the offer is approved.
- ``flags``: hints, never refusals: a title without a gender-neutral form, wording that may
  discriminate by age, sex, nationality, family or appearance (a small Polish rule list that
  matches inflected forms on folded text), links in the description, a pay range very wide.
- ``pay_required``: the pay-transparency rule (art. 18³ᶜᵃ of the Labour Code, from 24 December
  2025; ADR 0065).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import nh3
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from okienko.knowledge.search.analysis import fold

# Art. 18³ᶜᵃ k.p. (ustawa z 4 czerwca 2025 r., Dz.U. 2025 poz. 807) applies from this day.
PAY_TRANSPARENCY_FROM = dt.date(2025, 12, 24)

FORMAT_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "h3", "h4"}
LINK_TAGS = FORMAT_TAGS | {"a"}
MAX_DESCRIPTION = 20_000

_ANCHOR = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


def sanitise(html: str) -> str:
    """The description with only formatting tags and http(s)/mailto links left (nofollow)."""
    return nh3.clean(
        html[:MAX_DESCRIPTION],
        tags=LINK_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    ).strip()


def plain_text(html: str) -> str:
    return nh3.clean(html, tags=set()).strip()


def links_as_text(html: str) -> str:
    """Links turned into their text followed by the address in brackets (not clickable)."""

    def replace(match: re.Match[str]) -> str:
        href, text = match.group(1), match.group(2)
        return f"{text} ({href})" if href and href not in text else text

    return nh3.clean(_ANCHOR.sub(replace, html), tags=FORMAT_TAGS)


def display_html(html: str, *, approved: bool) -> str:
    return html if approved else links_as_text(html)


def has_links(html: str) -> bool:
    return "<a " in html or bool(re.search(r"https?://|www\.", plain_text(html)))


# --- Moderator hints ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    code: str
    pattern: re.Pattern[str]
    message: StrOrPromise


def _rule(code: str, message: StrOrPromise, *patterns: str) -> Rule:
    return Rule(code, re.compile(r"\b(?:" + "|".join(patterns) + r")", re.IGNORECASE), message)


# Patterns run on folded text (no Polish letters, lower case); ``\w*`` takes the inflection.
DISCRIMINATION_RULES: tuple[Rule, ...] = (
    _rule(
        "age",
        _("an age requirement"),
        r"(?:do|ponizej|powyzej|od|max\.?|maksymalnie|najwyzej|nie starsz\w*|nie mlodsz\w*) "
        r"\d\d ?(?:lat|roku zycia|r\.? ?z)",
        r"w wieku \d\d",
        r"wiek\w* (?:do|od|max\w*|\d\d)",
        r"mlod\w* (?:osob\w*|kandydat\w*|pracowni\w*|pani\w*|pan\w*|mezczyzn\w*|kobiet\w*|wiek\w*)",
        r"(?:bez|nie) (?:przyjmujemy |zatrudniamy )?emeryt\w*",
        r"(?:tylko|wylacznie) (?:dla )?(?:student\w*|absolwent\w*|emeryt\w*|mlod\w*)",
    ),
    _rule(
        "sex",
        _("a requirement of sex"),
        r"(?:tylko|wylacznie|jedynie) (?:dla )?"
        r"(?:mezczyzn\w*|mezczyzni|kobiet\w*|pan(?:ow|i|ie|owie)?|dziewczyn\w*|chlopak\w*)\b",
        r"(?:zatrudni\w*|przyjm\w*|poszukuj\w*|szukam\w*|zaprosimy) (?:mlod\w* )?"
        r"(?:pani|panie|pania|panow|panowie|pana|kobiet\w*|mezczyzn\w*|dziewczyn\w*)\b",
        r"plec\w* (?:meska|zenska|m\b|k\b)",
        r"(?:mesk\w*|zensk\w*) (?:kandydat\w*|osob\w*|obsad\w*)",
    ),
    _rule(
        "nationality",
        _("a requirement of nationality or origin"),
        r"(?:tylko|wylacznie|jedynie) (?:dla )?(?:polak\w*|polacy|polk\w*|obywatel\w* polsk\w*|osob\w* narodowosci)",
        r"(?:bez|nie zatrudniamy|nie przyjmujemy) (?:cudzoziem\w*|obcokrajow\w*|ukrain\w*|obywatel\w*)",
        r"narodowosc\w* polsk\w*",
        r"rodowit\w* polak\w*",
        r"polsk\w* pochodzeni\w*",
    ),
    _rule(
        "appearance",
        _("a requirement of appearance"),
        r"(?:mila|mile widziana|atrakcyjn\w*|ladn\w*|dobr\w*|nienaganna|przyjemna) aparycj\w*",
        r"aparycj\w*",
        r"(?:atrakcyjn\w*|ladn\w*|szczupl\w*|zgrabn\w*) "
        r"(?:wyglad\w*|osob\w*|pani\w*|kobiet\w*|dziewczyn\w*|sylwetk\w*)",
        r"wzrost\w* (?:min\w*|powyzej|co najmniej|od) ?\d",
        r"(?:cv|zgloszeni\w*|aplikacj\w*) (?:ze|z) zdjeci\w*",
    ),
    _rule(
        "family",
        _("a requirement about family or private life"),
        r"bez (?:zobowiazan\w* rodzinn\w*|dzieci|malych dzieci)",
        r"(?:stan\w* (?:wolny|cywilny)|panna|kawaler\w*) (?:mile|wymagan\w*)",
        r"nie (?:planuj\w*|planujac\w*) (?:ciaz\w*|dzieci|macierzyn\w*)",
    ),
)

# A title is gender-neutral with a marker "(k/m)", "(m/k)", "(k/m/n)", "(m/ż)", a slash pair
# ("Sprzedawca/Sprzedawczyni", "pracownik/-ca") or neutral wording ("osoba", "stanowisko").
_NEUTRAL_MARKER = re.compile(r"\(\s*[kmz]\s*/\s*[kmz](?:\s*/\s*[a-z])?\s*\)|\b[kmz]\s*/\s*[kmz]\b", re.IGNORECASE)
_SLASH_PAIR = re.compile(r"\w{3,}\s*/\s*-?\w{2,}")
_NEUTRAL_WORDS = frozenset({"osoba", "osoby", "stanowisko", "praca", "prace", "staz", "zespol", "wolontariat"})


def title_is_neutral(title: str) -> bool:
    folded = fold(title)
    if _NEUTRAL_MARKER.search(folded) or _SLASH_PAIR.search(folded):
        return True
    return any(word in _NEUTRAL_WORDS for word in re.findall(r"\w+", folded))


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    excerpt: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "excerpt": self.excerpt}


def discrimination(text: str) -> list[Flag]:
    folded = fold(text)
    found: list[Flag] = []
    for rule in DISCRIMINATION_RULES:
        match = rule.pattern.search(folded)
        if match:
            start, end = max(0, match.start() - 20), min(len(folded), match.end() + 20)
            found.append(Flag(f"discrimination.{rule.code}", str(rule.message), folded[start:end].strip()))
    return found


def flags(
    *,
    title: str,
    description: str,
    requirements_text: str = "",
    pay_min: Decimal | None = None,
    pay_max: Decimal | None = None,
) -> list[Flag]:
    """The moderator hints of an offer (English codes, messages in the active language)."""
    found: list[Flag] = []
    if not title_is_neutral(title):
        found.append(Flag("title.not_neutral", str(_("the position has no gender-neutral form, e.g. “(k/m)”")), title))
    found.extend(discrimination(" \n ".join([title, plain_text(description), requirements_text])))
    if has_links(description):
        found.append(Flag("description.links", str(_("links in the description: check where they lead"))))
    if pay_min and pay_max and pay_max > pay_min * 3:
        found.append(Flag("pay.wide", str(_("a very wide pay range"))))
    return found


def pay_required(on: dt.date) -> bool:
    return on >= PAY_TRANSPARENCY_FROM
