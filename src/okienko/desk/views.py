from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from okienko.accounts import access
from okienko.accounts.roles import Role
from okienko.core.navigation import alerts_for


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    roles = access.roles_of(request.user)
    labels = [str(Role(r).label) for r in sorted(roles) if r in Role.values]
    return render(request, "desk/home.html", {"role_labels": labels, "alerts": alerts_for(request.user)})
