"""The catalogue's icon registry: a small set of line icons (24×24, drawn for Okienko) and which
icon a service category shows on the public report page's tiles.

A category is matched by its code, then by words of its code (``sprawy-obywatelskie`` →
``obywatelskie``); anything unknown gets the generic icon. Installations add codes to ``BY_CODE``."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

# name → SVG path data (stroke only, currentColor)
ICONS: dict[str, str] = {
    "road": "M8 3 5 21M16 3l3 18M12 5v2M12 11v2M12 17v2",
    "light": "M9 18h6M10 21h4M12 3a6 6 0 0 0-3.5 10.9c.6.5 1 1.2 1 2.1h5c0-.9.4-1.6 1-2.1A6 6 0 0 0 12 3z",
    "waste": "M4 7h16M9 7V4h6v3M6 7l1 14h10l1-14M10 11v6M14 11v6",
    "tree": "M12 21v-6M12 3 6 11h3l-4 5h14l-4-5h3z",
    "order": "M12 3 4 6v6c0 4.5 3.4 8.3 8 9 4.6-.7 8-4.5 8-9V6z",
    "car": "M3 16v-4l2-5h14l2 5v4zM3 16v3h3v-3M18 16v3h3v-3M7 13h.01M17 13h.01",
    "nature": "M5 20c0-9 6-15 15-15 0 9-6 15-15 15zM5 20l8-8",
    "citizen": "M4 5h16v14H4zM8 10a2 2 0 1 0 4 0 2 2 0 1 0-4 0M7 16c.5-1.5 2-2.5 3-2.5s2.5 1 3 2.5M15 9h3M15 12h3",
    "register": "M9 4h6v3H9zM7 5H5v16h14V5h-2M8 12l2.5 2.5L16 9",
    "money": "M3 7h18v10H3zM12 10a2 2 0 1 0 0 4 2 2 0 1 0 0-4M6 10v4M18 10v4",
    "growth": "M4 20h16M6 16l4-4 3 3 6-7M15 8h4v4",
    "training": "M2 9l10-5 10 5-10 5zM6 11v5c2 2 10 2 12 0v-5M22 9v6",
    "jobs": "M4 8h16v12H4zM9 8V5h6v3M4 13h16",
    "employer": "M4 21V8l8-5 8 5v13M9 21v-6h6v6M8 11h.01M16 11h.01",
    "world": "M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18M3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18",
    "document": "M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7",
    "info": "M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18M12 11v6M12 7.5v.01",
    "pin": "M12 21s-7-6.1-7-11a7 7 0 0 1 14 0c0 4.9-7 11-7 11zM12 7.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 1 0 0-5",
    "generic": "M4 4h16v16H4zM8 9h8M8 13h8M8 17h5",
}

BY_CODE: dict[str, str] = {
    "drogi": "road",
    "oswietlenie": "light",
    "odpady": "waste",
    "zielen": "tree",
    "porzadek": "order",
    "pojazdy": "car",
    "srodowisko": "nature",
    "obywatelskie": "citizen",
    "rejestracja": "register",
    "swiadczenia": "money",
    "aktywizacja": "growth",
    "szkolenia": "training",
    "bony": "training",
    "oferty": "jobs",
    "pracy": "jobs",
    "pracodawcy": "employer",
    "cudzoziemcy": "world",
    "dokumenty": "document",
    "informacja": "info",
}


def icon_name(category_code: str) -> str:
    """The registry's icon for a category code ('generic' when none fits)."""
    if category_code in BY_CODE:
        return BY_CODE[category_code]
    for word in category_code.split("-"):
        if word in BY_CODE:
            return BY_CODE[word]
    return "generic"


def svg(name: str, *, size: int = 32) -> SafeString:
    """An inline, decorative SVG of an icon (hidden from assistive technology: the text says it)."""
    return format_html(
        '<svg class="icon" width="{}" height="{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">'
        '<path d="{}"/></svg>',
        size,
        size,
        ICONS.get(name, ICONS["generic"]),
    )
