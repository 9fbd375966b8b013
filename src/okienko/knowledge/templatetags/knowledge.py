from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from okienko.knowledge import content

register = template.Library()


@register.filter
def safe_html(value: str) -> SafeString:
    """Article HTML, sanitised again at render time (defence in depth: it was cleaned on save)."""
    return mark_safe(content.sanitise(value or ""))  # sanitised by nh3 just now


@register.filter
def file_type(content_type: str) -> str:
    """A reader-friendly name of a stored file's type ("PDF document")."""
    from okienko.core.uploads import type_label

    return type_label(content_type)
