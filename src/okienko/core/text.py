"""The one rule for text that enters Okienko, and the one repair for text that leaves it as XML.

Text may contain any Unicode character except the C0 control characters other than tab, line
feed and carriage return (NUL, ESC, vertical tab …), lone surrogates and the non-characters
U+FFFE and U+FFFF. None of them has a meaning in a resident's report or a form field; NUL cannot
be stored by PostgreSQL, and none of them may appear in an XML 1.0 document (issue 10, defect 5).

Every entry point applies :func:`find_forbidden` once: ``core.limits.InputLimitsMiddleware`` for
query strings and form bodies of every surface (HTML pages, the REST API, Open311) and the REST
API's JSON parser for JSON bodies. Writers of XML pass text through :func:`xml_safe`, so rows
stored before the rule (or by a path that bypassed it) can never break a document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

# C0 controls except \t \n \r, UTF-16 surrogates (lone ones survive JSON's "\ud800"), U+FFFE, U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"
MESSAGE = _("The text contains control characters (such as NUL or ESC), which are not accepted.")


def find_forbidden(value: str) -> str | None:
    """The first forbidden character of ``value``, or ``None`` when the text is acceptable."""
    match = FORBIDDEN.search(value)
    return match.group() if match else None


def forbidden_in(data: Any) -> bool:
    """Whether any string in ``data`` (nested dicts, QueryDicts, lists, tuples; keys too) breaks the rule.

    Iterative, so data nested as deep as a parser allows is checked without recursion.
    """
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if FORBIDDEN.search(item):
                return True
        elif isinstance(item, MultiValueDict):  # a QueryDict: every value of every key
            for key, values in item.lists():
                stack.append(key)
                stack.extend(values)
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD."""
    return FORBIDDEN.sub(REPLACEMENT, text) if FORBIDDEN.search(text) else text


_EXTRA_LETTERS = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "đ": "d"})


def fold(text: str) -> str:
    """Lower case without diacritics and with single spaces, for matching what people type:
    ``Łukasz  Żółć`` → ``lukasz zolc`` (``@ . + -`` kept, so e-mail addresses survive)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_EXTRA_LETTERS))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w@.+\-]", " ", plain).split())
