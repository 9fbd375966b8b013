"""The search box in the desk's top bar: clients, cases (by number, reporter's e-mail or phone)
and whatever else apps register in ``core.finders``. One exact hit opens it straight away."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from okienko.core import finders

HEADINGS = {"case": _("Cases"), "client": _("Clients")}


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[: finders.MAX_QUERY]
    hits = finders.find(request, query)
    hit = finders.single_exact(hits)
    if hit is not None:
        return redirect(hit.url)
    groups = [(HEADINGS.get(kind, kind), list(items)) for kind, items in groupby(hits, key=lambda h: h.kind)]
    return render(request, "desk/search.html", {"query": query, "groups": groups, "count": len(hits)})
