"""Template filters for dates and times (``okienko.core.formatting``): ``{{ case.created_at|when }}``,
``{{ client.birth_date|day }}``, ``{{ case.resolve_due|long_day }}``, and ``|timetag`` for a
``<time datetime="…">`` element around the numeric form."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from okienko.core import formatting

register = template.Library()

register.filter("when", formatting.when)
register.filter("day", formatting.day)
register.filter("long_when", formatting.long_when)
register.filter("long_day", formatting.long_day)
register.filter("long_weekday", formatting.long_weekday)


@register.filter
def period(count: int | None, basis: str) -> str:
    """``{{ service.resolve_due|period:service.sla_basis }}`` → ``14 dni roboczych``."""
    return formatting.period(count, basis)


@register.filter
def timetag(value: Any, style: str = "when") -> SafeString | str:
    """``<time datetime="2026-12-05T14:03:00+01:00">05.12.2026, 14:03</time>``; ``style``: one of
    ``when``, ``day``, ``long_when``, ``long_day``."""
    if value is None or value == "":
        return ""
    text = getattr(formatting, style if style in {"when", "day", "long_when", "long_day"} else "when")(value)
    return format_html('<time datetime="{}">{}</time>', formatting.iso(value), text)


@register.filter
def tel(number: str | None) -> SafeString | str:
    """A phone number as a ``tel:`` link (dialable digits, ``+`` kept); ``""`` for none."""
    if not number:
        return ""
    dial = "".join(ch for ch in str(number) if ch.isdigit() or ch == "+")
    if not dial:
        return str(number)
    return format_html('<a href="tel:{}">{}</a>', dial, number)


@register.filter
def mailto(address: str | None) -> SafeString | str:
    """An e-mail address as a ``mailto:`` link; ``""`` for none."""
    if not address:
        return ""
    return format_html('<a href="mailto:{}">{}</a>', address, address)
