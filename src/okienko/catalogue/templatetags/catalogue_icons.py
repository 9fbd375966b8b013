"""``{% category_icon category %}`` and ``{% icon "pin" %}``: icons from the catalogue's registry."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from okienko.catalogue import icons

register = template.Library()


@register.simple_tag
def category_icon(category: Any, size: int = 32) -> SafeString:
    return icons.svg(icons.icon_name(str(getattr(category, "code", ""))), size=size)


@register.simple_tag
def icon(name: str, size: int = 32) -> SafeString:
    return icons.svg(name, size=size)
