"""Composite staff screens built from panels that apps register (ADR 0043).

A screen (a *slot*: the client card, the side column of a case, the desk's start page, the
client search page) names no app. Each app that has something to show there registers a
``Panel`` in its ``AppConfig.ready``: a function that checks the viewer's access and returns the
template context (or ``None`` to show nothing) and a template. A new app adds a panel without
editing another app; the telephony screen pop renders the client-card slot too.

Order: ``settings.OKIENKO_PANELS[slot]``, a list of panel names, puts those first in that order
(the rest follow by their ``order``); a name prefixed with ``-`` hides the panel. A panel that
fails renders an inline notice and the rest of the page still works; the error is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

log = logging.getLogger(__name__)

CLIENT_CARD_TOOLS = "client_card_tools"  # cards beside the client's data: answer, record the contact
CLIENT_CARD = "client_card"  # full-width sections below: cases, callbacks, history
CLIENT_SEARCH = "client_search"
CASE_SIDE = "case_side"
DESK_HOME = "desk_home"
KNOWLEDGE_ANALYTICS = "knowledge_analytics"  # the object: the articles the editor may edit

PanelContext = Callable[[HttpRequest, Any], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    slot: str
    name: str  # unique within the slot, "<app>.<what>"
    template: str
    context: PanelContext  # checks access; None = nothing to show to this viewer
    order: int = 100


@dataclass(frozen=True)
class RenderedPanel:
    name: str
    html: SafeString
    failed: bool = False


_panels: dict[str, dict[str, Panel]] = {}


def register(panel: Panel) -> None:
    """Add (or replace, by name) a panel of a slot."""
    _panels.setdefault(panel.slot, {})[panel.name] = panel


def panels_for(slot: str) -> list[Panel]:
    """The slot's panels in their configured order, without the hidden ones."""
    configured: list[str] = list(getattr(settings, "OKIENKO_PANELS", {}).get(slot, []))
    hidden = {name[1:] for name in configured if name.startswith("-")}
    first = [name for name in configured if not name.startswith("-")]
    registered = _panels.get(slot, {})
    ordered = [registered[name] for name in first if name in registered]
    rest = sorted((p for p in registered.values() if p.name not in first), key=lambda p: (p.order, p.name))
    return [p for p in ordered + rest if p.name not in hidden]


def render_panels(request: HttpRequest, slot: str, obj: Any) -> list[RenderedPanel]:
    """Render every panel of ``slot`` about ``obj`` that the viewer may see."""
    rendered: list[RenderedPanel] = []
    for panel in panels_for(slot):
        try:
            context = panel.context(request, obj)
            if context is None:
                continue
            html = render_to_string(panel.template, {**context, "object": obj}, request=request)
        except (PermissionDenied, Http404):
            continue  # the viewer may not see this part: show nothing, like a panel returning None
        except Exception:  # one broken panel must not take the page down
            log.exception("panel %s of %s failed", panel.name, slot)
            html = render_to_string("core/_panel_failed.html", {"panel": panel.name}, request=request)
            rendered.append(RenderedPanel(panel.name, SafeString(html), failed=True))
            continue
        rendered.append(RenderedPanel(panel.name, SafeString(html)))
    return rendered
