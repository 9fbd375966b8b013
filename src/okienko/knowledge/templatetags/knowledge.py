from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from okienko.knowledge import content

register = template.Library()


@register.filter
def safe_html(value: str) -> SafeString:
    """Article HTML, sanitised again at render time (defence in depth: it was cleaned on save)."""
    return mark_safe(content.sanitise(value or ""))  # sanitised by nh3 just now
