"""Polish first: every app's Polish catalogue is complete, compiled and free of fuzzy entries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "okienko"
CATALOGUES = sorted(SRC.glob("*/locale/pl/LC_MESSAGES/django.po"))
ENTRY = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"$')


def _entries(path: Path) -> list[dict[str, str]]:
    """Parse a .po file into entries {msgid, msgid_plural, msgstr…, flags}."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, key = {}, ""
        elif line.startswith("#,"):
            current["flags"] = line
        elif line.startswith("#~") or line.startswith("#"):
            continue
        elif match := ENTRY.match(line):
            key = match.group(1)
            current[key] = match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
    return [e for e in entries if e.get("msgid")]


def test_every_app_with_strings_has_a_polish_catalogue() -> None:
    assert len(CATALOGUES) >= 10


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_polish_catalogue_is_complete(path: Path) -> None:
    missing = [
        e["msgid"]
        for e in _entries(path)
        if not any(v for k, v in e.items() if k.startswith("msgstr")) or "fuzzy" in e.get("flags", "")
    ]
    assert missing == [], f"{len(missing)} untranslated or fuzzy entries in {path}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_polish_catalogue_is_compiled(path: Path) -> None:
    compiled = path.with_suffix(".mo")
    assert compiled.exists()
    assert compiled.stat().st_mtime >= path.stat().st_mtime - 1


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_polish_plurals_have_every_form(path: Path) -> None:
    """Polish has four plural forms (1 usługa, 2 usługi, 5 usług, 1,5 usługi): a missing one shows English."""
    text = path.read_text(encoding="utf-8")
    forms = int(re.search(r"nplurals=(\d)", text).group(1))  # type: ignore[union-attr]
    short = [
        e["msgid"]
        for e in _entries(path)
        if "msgid_plural" in e and any(not e.get(f"msgstr[{i}]") for i in range(forms))
    ]
    assert short == [], f"plural entries without all {forms} forms in {path}"
