from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from okienko.accounts import access
from okienko.accounts.roles import Role
from okienko.core import panels
from okienko.core.navigation import alerts_for
from okienko.core.panels import render_panels


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    roles = access.roles_of(request.user)
    labels = [str(Role(r).label) for r in sorted(roles) if r in Role.values]
    rendered = render_panels(request, panels.DESK_HOME, None)
    shown = frozenset(p.name for p in rendered if not p.failed)
    context = {
        "role_labels": labels,
        "alerts": alerts_for(request.user, shown_panels=shown),
        "panels": rendered,
    }
    return render(request, "desk/home.html", context)
