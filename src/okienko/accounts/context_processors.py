from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from okienko.accounts import access
from okienko.core.navigation import visible_items


def desk(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": visible_items(user, request.path, may=access.has_perm_anywhere),
        "active_organisation": getattr(request, "organisation", None),
        "switchable_organisations": access.switchable_organisations(user),
        "user_roles": sorted(access.roles_of(user)),
    }
