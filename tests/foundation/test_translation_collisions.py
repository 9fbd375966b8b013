"""No two apps translate one (context, msgid) differently.

Django merges every installed app's catalogue into one and, for the same (msgctxt, msgid), the first
app in INSTALLED_APPS wins: the other apps then show its translation, often of the wrong gender or
meaning ("active" of an offer or of a number, "Key" of an API or of a phone). A string that means
different things in different apps needs a context (pgettext_lazy, {% translate "…" context "…" %});
one that means the same needs one translation everywhere. Third-party apps listed before ours
(django.contrib.auth's "active" is "aktywny", the admin's "Home" "Strona główna") win the same way.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps

SRC = Path(__file__).resolve().parents[2] / "src" / "okienko"
KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(\".*\")$")

Key = tuple[str | None, str]
Translation = tuple[str, ...]


def _unquote(literal: str) -> str:
    value = ast.literal_eval(literal)
    assert isinstance(value, str)
    return value


def _entries(path: Path) -> dict[Key, Translation]:
    """The translated entries of a .po file: (msgctxt, msgid) → msgstr (or the plural forms).

    Obsolete (#~), fuzzy and untranslated entries and the header are left out.
    """
    entries: dict[Key, Translation] = {}
    fields: dict[str, str] = {}
    fuzzy = False
    field = ""

    def flush() -> None:
        translations = tuple(v for k, v in sorted(fields.items()) if k.startswith("msgstr"))
        if fields.get("msgid") and not fuzzy and any(translations):
            entries[(fields.get("msgctxt"), fields["msgid"])] = translations

    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if fields:
                flush()
            fields, fuzzy, field = {}, False, ""
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue  # comments, references and obsolete (#~) entries
        elif match := KEYWORD.match(line):
            if match.group(1) in fields:  # a new entry without a blank line in between
                flush()
                fields, fuzzy = {}, False
            field = match.group(1)
            fields[field] = _unquote(match.group(2))
        elif line.startswith('"') and field:
            fields[field] += _unquote(line)
    return entries


def _catalogues(language: str) -> dict[str, Path]:
    paths = sorted(SRC.glob(f"**/locale/{language}/LC_MESSAGES/django.po"))
    return {path.parents[3].relative_to(SRC).as_posix(): path for path in paths}


def _collisions(language: str) -> list[str]:
    translations: dict[Key, dict[str, Translation]] = defaultdict(dict)
    for app, path in _catalogues(language).items():
        for key, translation in _entries(path).items():
            translations[key][app] = translation
    found = []
    for (context, msgid), by_app in sorted(translations.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        if len(set(by_app.values())) > 1:
            variants = "; ".join(f"{app}: {' | '.join(t)!r}" for app, t in by_app.items())
            found.append(f"({context!r}, {msgid!r}) → {variants}")
    return found


def test_the_parser_sees_contexts_plurals_and_skips_fuzzy_and_obsolete(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: pl\\n"\n\n'
        '#: a.py:1\nmsgctxt "job offer status"\nmsgid "active"\nmsgstr "aktywna"\n\n'
        'msgid "active"\nmsgstr ""\n"aktyw"\n"ny"\n\n'
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s dzień"\nmsgstr[1] "%(n)s dni"\n'
        'msgstr[2] "%(n)s dni"\n\n'
        '#, fuzzy\nmsgid "Key"\nmsgstr "Klawisz"\n\n'
        'msgid "empty"\nmsgstr ""\n\n'
        '#~ msgid "old"\n#~ msgstr "stare"\n',
        encoding="utf-8",
    )
    assert _entries(po) == {
        ("job offer status", "active"): ("aktywna",),
        (None, "active"): ("aktywny",),
        (None, "%(n)s day"): ("%(n)s dzień", "%(n)s dni", "%(n)s dni"),
    }


def test_nested_apps_catalogues_are_found() -> None:
    apps = _catalogues("pl")
    assert {"core", "desk", "jobs", "jobs/appointments", "telephony/ivr"} <= set(apps)
    assert set(apps) == set(_catalogues("en"))


@pytest.mark.parametrize("language", ["pl", "en"])
def test_no_two_apps_translate_the_same_string_differently(language: str) -> None:
    collisions = _collisions(language)
    assert not collisions, (
        f"{len(collisions)} strings translated differently by two apps ({language}); give them a context "
        "(pgettext_lazy / {% translate … context … %}) or one translation:\n" + "\n".join(collisions)
    )


def _listed_before_ours(language: str) -> dict[Key, tuple[str, Translation]]:
    """What the installed apps listed before our first app translate, first app first (compiled catalogues)."""
    found: dict[Key, tuple[str, Translation]] = {}
    for config in apps.get_app_configs():
        path = Path(config.path)
        if path == SRC or SRC in path.parents:
            break
        mo = path / "locale" / language / "LC_MESSAGES" / "django.mo"
        if not mo.exists():
            continue
        with mo.open("rb") as handle:
            catalog: dict[str | tuple[str, int], str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        singular: dict[str, Translation] = {}
        plural: dict[str, dict[int, str]] = defaultdict(dict)
        for key, value in catalog.items():
            if isinstance(key, tuple):
                plural[key[0]][key[1]] = value
            elif key:
                singular[key] = (value,)
        singular.update({k: tuple(v for _, v in sorted(forms.items())) for k, forms in plural.items()})
        for raw, translation in singular.items():
            context, _, msgid = raw.rpartition("\x04")
            found.setdefault((context or None, msgid), (config.name, translation))
    return found


def test_django_and_third_party_catalogues_are_seen() -> None:
    assert (None, "active") in _listed_before_ours("pl")  # django.contrib.auth


@pytest.mark.parametrize("language", ["pl", "en"])
def test_no_app_listed_before_ours_overrides_our_translation(language: str) -> None:
    theirs = _listed_before_ours(language)
    overridden = []
    for app, path in _catalogues(language).items():
        for key, ours in _entries(path).items():
            if key in theirs and theirs[key][1] != ours:
                other, translation = theirs[key]
                overridden.append(
                    f"{app}: ({key[0]!r}, {key[1]!r}) {' | '.join(ours)!r} → {other}: {' | '.join(translation)!r}"
                )
    assert not overridden, (
        f"{len(overridden)} of our strings are shown in another app's translation ({language}); give them a "
        "context or take that translation:\n" + "\n".join(overridden)
    )
