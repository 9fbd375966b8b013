"""The staff desk's navigation and start-page alerts: a registry in core, so that any app can add
to the desk without importing it (the desk and the apps above it read the registry).

Each item names a permission; the caller says how to check it (``accounts.access`` holds the
rules), keeping core free of the accounts app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from okienko.core import edition
from okienko.core.actors import Actor


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    permission: str | None  # None: every member of staff
    accesskey: str = ""
    order: int = 100


_items: list[NavItem] = [
    NavItem("desk:home", _("Start"), None, "0", order=0),
    NavItem("desk:organisations", _("Offices and units"), None, "7", order=800),
    NavItem("admin:index", _("Configuration"), "admin.configure", "8", order=900),
    NavItem("desk:audit_log", _("Audit log"), "audit.view", "9", order=910),
]


def register(item: NavItem) -> None:
    if item not in _items:
        _items.append(item)
        _items.sort(key=lambda i: i.order)


@dataclass(frozen=True)
class VisibleItem:
    url: str
    label: str | Promise
    accesskey: str
    current: bool


def visible_items(user: Actor, current_path: str, *, may: Callable[[Any, str], bool]) -> list[VisibleItem]:
    """The items this user may use (``may(user, permission)``); the one whose URL is the longest
    prefix of the path is current."""
    allowed: list[tuple[NavItem, str]] = []
    for item in _items:
        if item.permission is not None and not may(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        if not edition.allowed(url):
            continue  # the agency edition shows only Kontraktor and the exchange
        # One page may be registered under several permissions (any of them shows it once).
        if all(url != seen for _item, seen in allowed):
            allowed.append((item, url))
    matching = [
        url for _item, url in allowed if current_path == url or (url != "/desk/" and current_path.startswith(url))
    ]
    current_url = max(matching, key=len) if matching else None
    return [VisibleItem(url, item.label, item.accesskey, url == current_url) for item, url in allowed]


@dataclass(frozen=True)
class HomeAlert:
    """A line on the desk's start page that needs the user's attention (e.g. overdue cases)."""

    text: str
    url: str
    level: str = "warning"  # "warning" or "danger"
    # The start page's work panel that says the same (``core.panels`` name): while that panel is
    # shown the alert is left out, so nothing is said twice.
    panel: str = ""


AlertSource = Callable[[Any], list[HomeAlert]]
_alert_sources: list[AlertSource] = []


def register_alerts(source: AlertSource) -> None:
    """Apps add a function ``user -> [HomeAlert]``; the start page shows what they return."""
    if source not in _alert_sources:
        _alert_sources.append(source)


def alerts_for(user: Actor, *, shown_panels: frozenset[str] = frozenset()) -> list[HomeAlert]:
    """The user's alerts, without those a panel in ``shown_panels`` already says."""
    alerts = [alert for source in _alert_sources for alert in source(user)]
    return [alert for alert in alerts if not alert.panel or alert.panel not in shown_panels]
